// POST /v1/ephemeral_keys — stripe.ephemeralKeys.create({verification_session}, {apiVersion}). Stripe needs
// an explicit Stripe-Version header: the key is used by a mobile SDK pinned to its own API version.
import { createEphemeralKey, presentEphemeralKey } from '../../domain/ephemeral-keys.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { MSG, StripeError } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';

const NO_EXPANDS: ReadonlySet<string> = new Set();

const PARAMS = { verification_session: p.string(), customer: p.string(), issuing_card: p.string(), nonce: p.string(), expand: p.expand() };

export const create: Endpoint = {
  method: 'POST',
  path: '/v1/ephemeral_keys',
  access: 'identity_write',
  async handler(ctx) {
    if (!ctx.versionHeader) throw new StripeError({ status: 400, message: MSG.ephemeralKeyNeedsVersion });
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, NO_EXPANDS);
    for (const other of ['customer', 'issuing_card', 'nonce'] as const) {
      if (params[other] !== undefined) throw new StripeError({ status: 400, param: other, message: MSG.ephemeralKeyOnlySessions(other) });
    }
    if (params.verification_session === undefined) throw new StripeError({ status: 400, code: 'parameter_missing', param: 'verification_session', message: MSG.missingParam('verification_session') });
    const { key, secret } = await createEphemeralKey(ctx, params.verification_session, ctx.versionHeader);
    return { body: presentEphemeralKey(key, secret) };
  },
};
