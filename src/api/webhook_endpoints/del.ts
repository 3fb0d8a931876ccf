// DELETE /v1/webhook_endpoints/:id — stripe.webhookEndpoints.del
import { deleteEndpoint } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { p, parseParams } from '../stripe/params.js';

export const del: Endpoint = {
  method: 'DELETE',
  path: '/v1/webhook_endpoints/:id',
  access: 'webhooks_write',
  async handler(ctx) {
    parseParams({ expand: p.expand() }, ctx.params);
    const e = await deleteEndpoint(ctx.deps, ctx.path.id, ctx.livemode);
    return { body: { id: e.id, object: 'webhook_endpoint', deleted: true } };
  },
};
