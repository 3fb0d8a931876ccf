// POST /v1/webhook_endpoints — stripe.webhookEndpoints.create
import { createEndpoint, presentEndpoint } from '../../domain/webhook-endpoints.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { ENABLED_EVENTS, checkEnabledEvents, checkVersionParam } from './shared.js';

const PARAMS = {
  url: p.string(),
  enabled_events: ENABLED_EVENTS,
  api_version: p.string(),
  connect: p.boolean(),
  description: p.string({ emptyable: true }),
  metadata: p.metadata(),
  expand: p.expand(),
};

export const create: Endpoint = {
  method: 'POST',
  path: '/v1/webhook_endpoints',
  access: 'webhooks_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params, ['url', 'enabled_events']);
    parseExpand(params.expand, new Set());
    checkEnabledEvents(params.enabled_events);
    checkVersionParam(params.api_version);
    if (params.connect) throw errors.invalid('connect', 'Invalid connect: Verity has no connected accounts, so Connect endpoints are not supported.');
    const e = await createEndpoint(ctx.deps, ctx.livemode, {
      ...params,
      url: params.url!,
      enabled_events: params.enabled_events!,
    });
    return { body: presentEndpoint(e, true) };
  },
};
