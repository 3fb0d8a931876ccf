// POST /v1/test_helpers/identity/verification_sessions/:session/verify — a Verity extension (test mode only):
// the session goes through processing to verified, exactly as when a tester picks "verified" on the hosted
// page. stripe-node has no method for it; call it with stripe.rawRequest('POST', path, params).
import { runTestOutcome } from '../../verification/pipeline.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentOne } from '../verification_sessions/shared.js';

const PARAMS = { simulate_delay: p.boolean(), expand: p.expand() };

export const verify: Endpoint = {
  method: 'POST',
  path: '/v1/test_helpers/identity/verification_sessions/:session/verify',
  access: 'test_helpers',
  testModeOnly: true,
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const s = await runTestOutcome(ctx.deps, ctx.meta, ctx.path.session, ctx.livemode, { kind: 'verify' }, params.simulate_delay ?? false);
    return { body: await presentOne(ctx, s, expand) };
  },
};
