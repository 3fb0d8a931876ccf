// POST /v1/identity/verification_sessions/:session — stripe.identity.verificationSessions.update
import { updateSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { DOCUMENT_OPTIONS, SESSION_EXPANDS, SESSION_TYPES, presentOne } from './shared.js';

const PARAMS = {
  type: p.enum(SESSION_TYPES),
  metadata: p.metadata(),
  options: p.object({ document: DOCUMENT_OPTIONS }, { emptyable: true }),
  provided_details: p.object({ email: p.string({ emptyable: true }), phone: p.string({ emptyable: true }) }, { emptyable: true }),
  expand: p.expand(),
};

export const update: Endpoint = {
  method: 'POST',
  path: '/v1/identity/verification_sessions/:session',
  access: 'identity_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await updateSession(ctx, ctx.path.session, ctx.livemode, params);
    return { body: await presentOne(ctx, session, expand) };
  },
};
