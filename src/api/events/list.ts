// GET /v1/events — stripe.events.list. `type` takes one `*` wildcard at the end (identity.*); `types` up to 20.
import { presentEvent } from '../../domain/present.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { MSG, StripeError, errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { p, parseParams } from '../stripe/params.js';

/** Events are listed and retrieved for 30 days, as on Stripe. */
export const EVENT_RETENTION_S = 30 * 86400;

const PARAMS = {
  ...LIST_PARAMS,
  created: p.range(),
  delivery_success: p.boolean(),
  type: p.string(),
  types: p.array(p.string(), 20),
};

const URL = '/v1/events';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'events_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, new Set(), true);
    if (params.type !== undefined && params.types !== undefined)
      throw new StripeError({ status: 400, message: MSG.onlyOneOf(['type', 'types']) });
    let types: string[] | undefined;
    let typePrefix: string | undefined;
    if (params.type !== undefined) {
      const star = params.type.indexOf('*');
      if (star === -1) types = [params.type];
      else if (star === params.type.length - 1 && params.type.split('*').length === 2) typePrefix = params.type.slice(0, -1);
      else throw errors.invalid('type', `Invalid type: a wildcard (*) may only stand at the end, as in identity.*`);
    } else if (params.types) types = params.types;
    const store = ctx.deps.store;
    const page = await pageRequest(params, 'event', (id) => store.eventCursor(id, ctx.livemode));
    const { items, hasMore } = await store.listEvents(
      { livemode: ctx.livemode, types, typePrefix, created: params.created, createdAfter: ctx.nowS - EVENT_RETENTION_S, deliverySuccess: params.delivery_success },
      page,
    );
    return { body: listEnvelope(URL, items.map(presentEvent), hasMore) };
  },
};
