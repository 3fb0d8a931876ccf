// The error envelope and the message catalogue: platform-conventions §3, checklist items 17–23.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { MSG } from '../../src/api/stripe/errors.js';
import { MAX_BODY_BYTES } from '../../src/api/stripe/endpoint.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { FORM, errorBody, read, sdkError, show } from './wire.js';

const SESSIONS = '/v1/identity/verification_sessions';
const ERROR_TYPES = ['api_error', 'card_error', 'idempotency_error', 'invalid_request_error'];
const REQUEST_ID = /^req_[A-Za-z0-9]+$/;

describe('errors', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  describe('parameter errors', () => {
    it('an unknown parameter is refused with parameter_unknown, naming it', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', bogus: 'x' } as never));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.rawType, 'invalid_request_error', show(err));
      assert.equal(err.code, 'parameter_unknown', show(err));
      assert.equal(err.param, 'bogus', show(err));
      assert.equal(err.message, MSG.unknownParam('bogus'), show(err));
      assert.equal(err.doc_url, 'https://stripe.com/docs/error-codes/parameter-unknown', show(err));
      assertSchema('error', errorBody(err));
    });

    it('an unknown nested parameter is named in bracket form', async () => {
      const err = await sdkError(
        stripe.identity.verificationSessions.create({ type: 'document', options: { document: { foo: true } } } as never),
      );
      assert.equal(err.code, 'parameter_unknown', show(err));
      assert.equal(err.param, 'options[document][foo]', show(err));
      assert.equal(err.message, MSG.unknownParam('options[document][foo]'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a value outside an enum is refused with "Invalid type: must be one of"', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'nope' as never }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.param, 'type', show(err));
      assert.equal(err.message, MSG.invalidEnum('type', ['document', 'id_number']), show(err));
      assert.ok(err.message.startsWith('Invalid type: must be one of'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('an enum inside an array is named with its index', async () => {
      const err = await sdkError(
        stripe.identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport', 'visa' as never] } } }),
      );
      assert.equal(err.param, 'options[document][allowed_types][1]', show(err));
      assert.equal(err.message, MSG.invalidEnum('options[document][allowed_types][1]', ['driving_license', 'id_card', 'passport']), show(err));
    });

    it('a boolean that is not true or false is refused, naming the parameter', async () => {
      const r = await read(
        await v.fetch(SESSIONS, { method: 'POST', headers: FORM, body: 'type=document&options[document][require_matching_selfie]=yes' }),
      );
      assert.equal(r.status, 400, r.desc);
      assertSchema('error', r.body);
      assert.equal(r.body.error.param, 'options[document][require_matching_selfie]', r.desc);
      assert.equal(r.body.error.message, MSG.invalidBoolean('yes'), r.desc);
    });

    it('a missing required parameter is refused with parameter_missing', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({}));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.code, 'parameter_missing', show(err));
      assert.equal(err.param, 'type', show(err));
      assert.equal(err.message, MSG.missingParam('type'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a refused create leaves nothing behind', async () => {
      const before = await stripe.identity.verificationSessions.list({ limit: 100 });
      await sdkError(stripe.identity.verificationSessions.create({ type: 'document', bogus: 'x' } as never));
      const afterList = await stripe.identity.verificationSessions.list({ limit: 100 });
      assert.deepEqual(afterList.data.map((s) => s.id), before.data.map((s) => s.id));
    });
  });

  describe('missing objects and URLs', () => {
    it('retrieving an unknown session is a 404 resource_missing with param id and a doc_url', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.retrieve('vs_doesnotexist'));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 404, show(err));
      assert.equal(err.rawType, 'invalid_request_error', show(err));
      assert.equal(err.code, 'resource_missing', show(err));
      assert.equal(err.param, 'id', show(err));
      assert.equal(err.message, MSG.noSuch('verification_session', 'vs_doesnotexist'), show(err));
      assert.equal(err.message, "No such verification_session: 'vs_doesnotexist'", show(err));
      assert.ok(err.doc_url?.endsWith('/resource-missing'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('an unknown URL is a 404 "Unrecognized request URL (GET: /v1/…)"', async () => {
      const r = await read(await v.fetch('/v1/identity/nothing_here'));
      assert.equal(r.status, 404, r.desc);
      assertSchema('error', r.body);
      assert.deepEqual(
        r.body,
        { error: { message: MSG.unrecognizedUrl('GET', '/v1/identity/nothing_here'), type: 'invalid_request_error' } },
        r.desc,
      );
      assert.ok(r.body.error.message.startsWith('Unrecognized request URL (GET: /v1/'), r.desc);
    });

    it('a known path with a method it does not take is an unrecognized URL for that method', async () => {
      const r = await read(await v.fetch(`${SESSIONS}/vs_x`, { method: 'DELETE' }));
      assert.equal(r.status, 404, r.desc);
      assertSchema('error', r.body);
      assert.equal(r.body.error.message, MSG.unrecognizedUrl('DELETE', `${SESSIONS}/vs_x`), r.desc);
    });

    it('the SDK surfaces an unknown URL as StripeInvalidRequestError with status 404', async () => {
      const err = await sdkError(stripe.rawRequest('GET', '/v1/identity/nothing_here', {}));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 404, show(err));
      assert.equal(err.message, MSG.unrecognizedUrl('GET', '/v1/identity/nothing_here'), show(err));
    });
  });

  describe('state errors', () => {
    it('cancelling a verified session is refused with 400 and the session stays verified', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${s.id}/verify`, {});
      const err = await sdkError(stripe.identity.verificationSessions.cancel(s.id));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.rawType, 'invalid_request_error', show(err));
      assert.equal(err.code, 'session_invalid_state', show(err));
      assert.equal(err.message, MSG.sessionInvalidState('cancel', 'verified'), show(err));
      assertSchema('error', errorBody(err));
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.equal(back.status, 'verified', JSON.stringify(back));
    });

    it('cancelling a canceled session is refused with 400', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      await stripe.identity.verificationSessions.cancel(s.id);
      const err = await sdkError(stripe.identity.verificationSessions.cancel(s.id));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.message, MSG.sessionInvalidState('cancel', 'canceled'), show(err));
    });
  });

  describe('every error response', () => {
    // Each case yields a raw request that must fail with the given status.
    const cases: { name: string; status: number; req: () => Promise<Response> }[] = [
      { name: 'no API key', status: 401, req: () => v.fetch(SESSIONS, { key: null }) },
      { name: 'an unknown API key', status: 401, req: () => v.fetch(SESSIONS, { key: 'sk_test_unknownunknown1234' }) },
      { name: 'a publishable key', status: 401, req: () => v.fetch(SESSIONS, { key: v.keys.publishable }) },
      { name: 'a restricted key without permission', status: 403, req: () => v.fetch(SESSIONS, { key: v.keys.restrictedNone }) },
      { name: 'an unknown parameter', status: 400, req: () => v.fetch(SESSIONS, { method: 'POST', headers: FORM, body: 'bogus=1' }) },
      { name: 'an unsupported content type', status: 400, req: () => v.fetch(SESSIONS, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }) },
      { name: 'a malformed API version', status: 400, req: () => v.fetch(SESSIONS, { headers: { 'stripe-version': 'garbage' } }) },
      { name: 'an idempotency key that is too long', status: 400, req: () => v.fetch(SESSIONS, { method: 'POST', headers: { ...FORM, 'idempotency-key': 'k'.repeat(256) }, body: 'type=document' }) },
      { name: 'parameters nested too deeply', status: 400, req: () => v.fetch(SESSIONS, { method: 'POST', headers: FORM, body: 'a[b][c][d][e][f][g][h][i][j]=1' }) },
      { name: 'an unknown session', status: 404, req: () => v.fetch(`${SESSIONS}/vs_nope`) },
      { name: 'an unknown URL', status: 404, req: () => v.fetch('/v1/nope') },
      { name: 'a body over the size limit', status: 413, req: () => v.fetch(SESSIONS, { method: 'POST', headers: FORM, body: 'type=document&client_reference_id=' + 'x'.repeat(MAX_BODY_BYTES) }) },
    ];

    for (const c of cases) {
      it(`${c.name}: ${c.status} with a request-id and a JSON body in Stripe's error shape`, async () => {
        const r = await read(await c.req());
        assert.equal(r.status, c.status, r.desc);
        assert.match(r.headers.get('request-id') ?? '', REQUEST_ID, r.desc);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/, r.desc);
        assert.ok(r.body && typeof r.body === 'object', `not JSON: ${r.desc}`);
        assertSchema('error', r.body);
        assert.ok(ERROR_TYPES.includes(r.body.error.type), r.desc);
        assert.equal(typeof r.body.error.message, 'string', r.desc);
        assert.ok(r.body.error.message.length > 0, r.desc);
      });
    }

    it('the SDK exposes the request-id of an error as err.requestId', async () => {
      const errs = [
        await sdkError(v.stripe(v.keys.publishable).identity.verificationSessions.list()),
        await sdkError(v.stripe(v.keys.restrictedNone).identity.verificationSessions.list()),
        await sdkError(stripe.identity.verificationSessions.retrieve('vs_nope')),
        await sdkError(stripe.identity.verificationSessions.create({ type: 'nope' as never })),
      ];
      for (const err of errs) {
        assert.match(err.requestId ?? '', REQUEST_ID, show(err));
        assert.equal(err.requestId, err.headers?.['request-id'], show(err));
      }
      assert.equal(new Set(errs.map((e) => e.requestId)).size, errs.length, 'request ids must be unique');
    });
  });
});
