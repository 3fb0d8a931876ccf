// POST /v1/identity/verification_sessions/:session/redact — stripe.identity.verificationSessions.redact
import { redactSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentOne } from './shared.js';

const PARAMS = { expand: p.expand() };

export const redact: Endpoint = {
  method: 'POST',
  path: '/v1/identity/verification_sessions/:session/redact',
  access: 'identity_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await redactSession(ctx, ctx.path.session, ctx.livemode);
    return { body: await presentOne(ctx, session, expand) };
  },
};
