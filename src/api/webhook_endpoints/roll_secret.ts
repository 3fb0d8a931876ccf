// POST /v1/webhook_endpoints/:id/roll_secret — Verity extension (Stripe rolls secrets in its Dashboard).
// Call it with `stripe.rawRequest('POST', '/v1/webhook_endpoints/we_…/roll_secret', {expires_in: 3600})`.
import { MAX_ROLL_OVERLAP_S, presentEndpoint, rollEndpointSecret } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';

/** Seconds the previous secret keeps signing; Stripe's Dashboard offers "now" up to 24 hours, default 24 h. */
const PARAMS = { expires_in: p.integer({ min: 0, max: MAX_ROLL_OVERLAP_S }), expand: p.expand() };

export const rollSecret: Endpoint = {
  method: 'POST',
  path: '/v1/webhook_endpoints/:id/roll_secret',
  access: 'webhooks_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, new Set());
    const e = await rollEndpointSecret(ctx.deps, ctx.path.id, ctx.livemode, params.expires_in ?? MAX_ROLL_OVERLAP_S);
    return { body: presentEndpoint(e, true) };
  },
};
