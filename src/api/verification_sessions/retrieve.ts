// GET /v1/identity/verification_sessions/:session — stripe.identity.verificationSessions.retrieve
import { retrieveSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { renderedSessions } from './rendered.js';
import { SESSION_EXPANDS, presentOne } from './shared.js';

const PARAMS = { expand: p.expand() };

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/identity/verification_sessions/:session',
  access: 'identity_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    if (expand.size > 0) {
      const session = await retrieveSession(ctx, ctx.path.session, ctx.livemode);
      return { body: await presentOne(ctx, session, expand) };
    }
    // The polling case: answered from what was last sent when nothing has changed (see rendered.ts).
    const store = ctx.deps.store;
    const rendered = renderedSessions(store);
    const version = store.readVersion();
    const kept = rendered.get(version, ctx.path.session, ctx.livemode, ctx.nowS);
    if (kept !== undefined) return { json: kept };
    const session = await retrieveSession(ctx, ctx.path.session, ctx.livemode);
    const json = JSON.stringify(await presentOne(ctx, session, expand));
    rendered.set(version, store.readVersion(), session, json);
    return { json };
  },
};
