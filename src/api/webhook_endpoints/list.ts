// GET /v1/webhook_endpoints — stripe.webhookEndpoints.list
import { presentEndpoint } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { parseParams } from '../stripe/params.js';

const URL = '/v1/webhook_endpoints';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'webhooks_read',
  async handler(ctx) {
    const params = parseParams(LIST_PARAMS, ctx.params);
    parseExpand(params.expand, new Set(), true);
    const w = ctx.deps.store.webhooks;
    const page = await pageRequest(params, 'webhook_endpoint', (id) => w.endpointCursor(id, ctx.livemode));
    const { items, hasMore } = await w.listEndpoints(ctx.livemode, page);
    return { body: listEnvelope(URL, items.map((e) => presentEndpoint(e)), hasMore) };
  },
};
