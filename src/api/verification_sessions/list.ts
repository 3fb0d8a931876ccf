// GET /v1/identity/verification_sessions — stripe.identity.verificationSessions.list
import { SESSION_STATUSES } from '../../domain/types.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentSessions } from './shared.js';

const PARAMS = {
  ...LIST_PARAMS,
  client_reference_id: p.string(),
  created: p.range(),
  related_customer: p.string(),
  related_customer_account: p.string(),
  status: p.enum(SESSION_STATUSES),
};

const URL = '/v1/identity/verification_sessions';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'identity_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS, true);
    const store = ctx.deps.store;
    const page = await pageRequest(params, 'verification_session', (id) => store.sessionCursor(id, ctx.livemode));
    const { items, hasMore } = await store.listSessions(
      {
        livemode: ctx.livemode,
        status: params.status,
        client_reference_id: params.client_reference_id,
        related_customer: params.related_customer,
        related_customer_account: params.related_customer_account,
        created: params.created,
      },
      page,
    );
    return { body: listEnvelope(URL, await presentSessions(ctx, items, expand, 'data.'), hasMore) };
  },
};
