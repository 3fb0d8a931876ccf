// POST /v1/test_helpers/identity/verification_sessions/:session/unverify — a Verity extension (test mode
// only): the session fails with `last_error[code]` (by default the catch-all of its type), through the same
// path as a tester picking "unverified" on the hosted page.
import { LAST_ERROR_CODES } from '../../domain/types.js';
import { loadSession } from '../../domain/sessions.js';
import { codeApplies, defaultFailureCode } from '../../verification/testmode.js';
import { runTestOutcome } from '../../verification/pipeline.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { SESSION_EXPANDS, presentOne } from '../verification_sessions/shared.js';

const PARAMS = {
  last_error: p.object({ code: p.enum(LAST_ERROR_CODES) }),
  simulate_delay: p.boolean(),
  expand: p.expand(),
};

export const unverify: Endpoint = {
  method: 'POST',
  path: '/v1/test_helpers/identity/verification_sessions/:session/unverify',
  access: 'test_helpers',
  testModeOnly: true,
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await loadSession(ctx.deps.store, ctx.path.session, ctx.livemode);
    const code = params.last_error?.code ?? defaultFailureCode(session);
    if (!codeApplies(session, code))
      throw errors.invalid(
        'last_error[code]',
        `The code ${code} reports a check this VerificationSession does not run (see its type and options).`,
      );
    const s = await runTestOutcome(ctx.deps, ctx.meta, session.id, ctx.livemode, { kind: 'unverify', code }, params.simulate_delay ?? false);
    return { body: await presentOne(ctx, s, expand) };
  },
};
