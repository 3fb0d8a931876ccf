// POST /v1/identity/verification_sessions/:session/cancel — stripe.identity.verificationSessions.cancel
import { cancelSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentOne } from './shared.js';

const PARAMS = { expand: p.expand() };

export const cancel: Endpoint = {
  method: 'POST',
  path: '/v1/identity/verification_sessions/:session/cancel',
  access: 'identity_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await cancelSession(ctx, ctx.path.session, ctx.livemode);
    return { body: await presentOne(ctx, session, expand) };
  },
};
