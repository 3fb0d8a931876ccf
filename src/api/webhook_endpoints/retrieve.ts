// GET /v1/webhook_endpoints/:id — stripe.webhookEndpoints.retrieve (the secret is never shown again)
import { loadEndpoint, presentEndpoint } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/webhook_endpoints/:id',
  access: 'webhooks_read',
  async handler(ctx) {
    const params = parseParams({ expand: p.expand() }, ctx.params);
    parseExpand(params.expand, new Set());
    return { body: presentEndpoint(await loadEndpoint(ctx.deps, ctx.path.id, ctx.livemode)) };
  },
};
