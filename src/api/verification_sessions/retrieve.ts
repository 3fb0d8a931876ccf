// GET /v1/identity/verification_sessions/:session — stripe.identity.verificationSessions.retrieve
import { retrieveSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentOne } from './shared.js';

const PARAMS = { expand: p.expand() };

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/identity/verification_sessions/:session',
  access: 'identity_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await retrieveSession(ctx, ctx.path.session, ctx.livemode);
    return { body: await presentOne(ctx, session, expand) };
  },
};
