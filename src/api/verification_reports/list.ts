// GET /v1/identity/verification_reports — stripe.identity.verificationReports.list
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { p, parseParams } from '../stripe/params.js';
import { REPORT_EXPAND_SET, presentReports } from './shared.js';

const PARAMS = {
  ...LIST_PARAMS,
  client_reference_id: p.string(),
  created: p.range(),
  type: p.enum(['document', 'id_number'] as const),
  verification_session: p.string(),
};

const URL = '/v1/identity/verification_reports';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'identity_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, REPORT_EXPAND_SET, true);
    const store = ctx.deps.store;
    const page = await pageRequest(params, 'verification_report', (id) => store.reportCursor(id, ctx.livemode));
    const { items, hasMore } = await store.listReports(
      {
        livemode: ctx.livemode,
        type: params.type,
        client_reference_id: params.client_reference_id,
        verification_session: params.verification_session,
        created: params.created,
      },
      page,
    );
    return { body: listEnvelope(URL, presentReports(ctx, items, expand, 'data.'), hasMore) };
  },
};
