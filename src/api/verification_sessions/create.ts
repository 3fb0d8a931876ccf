// POST /v1/identity/verification_sessions — stripe.identity.verificationSessions.create
import { createSession } from '../../domain/sessions.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { MSG, StripeError, errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { DOCUMENT_OPTIONS, SESSION_EXPANDS, SESSION_TYPES, presentOne } from './shared.js';

const PARAMS = {
  type: p.enum(SESSION_TYPES),
  verification_flow: p.string(),
  client_reference_id: p.string(),
  metadata: p.metadata(),
  options: p.object({ document: DOCUMENT_OPTIONS }, { emptyable: true }),
  provided_details: p.object({ email: p.string(), phone: p.string() }, { emptyable: true }),
  related_customer: p.string(),
  related_customer_account: p.string(),
  related_person: p.object({ account: p.string(), person: p.string() }, { required: ['account', 'person'] }),
  return_url: p.string(),
  expand: p.expand(),
};

export const create: Endpoint = {
  method: 'POST',
  path: '/v1/identity/verification_sessions',
  access: 'identity_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    if (params.type !== undefined && params.verification_flow !== undefined)
      throw new StripeError({ status: 400, message: MSG.onlyOneOf(['type', 'verification_flow']) });
    if (params.type === undefined && params.verification_flow === undefined) throw errors.missingParam('type');
    if (params.verification_flow !== undefined)
      // Verification flows are configured in Stripe's Dashboard; Verity has none to look up (see README).
      throw errors.notFound('verification_flow', params.verification_flow, 'verification_flow');
    if (params.return_url !== undefined && !isHttpUrl(params.return_url))
      throw errors.invalid('return_url', 'Invalid URL: return_url must be an absolute http or https URL.', 'url_invalid');
    const expand = parseExpand(params.expand, SESSION_EXPANDS);
    const session = await createSession(ctx, ctx.livemode, {
      ...params,
      related_person: params.related_person ?? undefined,
    });
    return { body: await presentOne(ctx, session, expand) };
  },
};

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
