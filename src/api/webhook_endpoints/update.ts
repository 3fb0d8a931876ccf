// POST /v1/webhook_endpoints/:id — stripe.webhookEndpoints.update
import { presentEndpoint, updateEndpoint } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { ENABLED_EVENTS, checkEnabledEvents } from './shared.js';

const PARAMS = {
  url: p.string(),
  enabled_events: ENABLED_EVENTS,
  disabled: p.boolean(),
  description: p.string({ emptyable: true }),
  metadata: p.metadata(),
  expand: p.expand(),
};

export const update: Endpoint = {
  method: 'POST',
  path: '/v1/webhook_endpoints/:id',
  access: 'webhooks_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, new Set());
    checkEnabledEvents(params.enabled_events);
    const e = await updateEndpoint(ctx.deps, ctx.path.id, ctx.livemode, params);
    return { body: presentEndpoint(e) };
  },
};
