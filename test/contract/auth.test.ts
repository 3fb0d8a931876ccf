// Authentication as stripe-node and curl send it: platform-conventions §1, checklist items 1–7.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { MSG } from '../../src/api/stripe/errors.js';
import { PERMISSIONS, recordFor } from '../../src/domain/keys.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { errorBody, read, sdkError, show } from './wire.js';

describe('authentication', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
  });
  after(() => v.close());

  it('a test secret key sent as Bearer (the SDK default) is accepted and its objects are test-mode', async () => {
    const stripe = v.stripe(v.keys.test);
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    assertSchema('session', s);
    assert.equal(s.livemode, false, JSON.stringify(s));
    const back = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(back.id, s.id, JSON.stringify(back));
  });

  it('a live secret key creates live-mode objects', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    assertSchema('session', s);
    assert.equal(s.livemode, true, JSON.stringify(s));
  });

  it('the key sent as the username of HTTP Basic auth (curl -u key:) is accepted', async () => {
    const basic = Buffer.from(`${v.keys.test}:`).toString('base64');
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { headers: { authorization: `Basic ${basic}` } }));
    assert.equal(r.status, 200, r.desc);
    assertSchema('sessionList', r.body);
    assert.equal(r.body.url, '/v1/identity/verification_sessions', r.desc);
  });

  it('Basic auth with an empty username is refused as a missing key', async () => {
    const basic = Buffer.from(':').toString('base64');
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { headers: { authorization: `Basic ${basic}` } }));
    assert.equal(r.status, 401, r.desc);
    assertSchema('error', r.body);
    assert.equal(r.body.error.message, MSG.noApiKey, r.desc);
  });

  it('a request with no Authorization header is refused with 401 "You did not provide an API key"', async () => {
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { key: null }));
    assert.equal(r.status, 401, r.desc);
    assertSchema('error', r.body);
    assert.deepEqual(r.body, { error: { message: MSG.noApiKey, type: 'invalid_request_error' } }, r.desc);
  });

  it('the SDK surfaces a missing key as StripeAuthenticationError with type invalid_request_error', async () => {
    // An authenticator that adds nothing: the request goes out with no Authorization header at all.
    const stripe = v.stripe('', { authenticator: async () => {} });
    const err = await sdkError(stripe.identity.verificationSessions.list());
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, show(err));
    assert.equal(err.statusCode, 401, show(err));
    assert.equal(err.rawType, 'invalid_request_error', show(err));
    assert.equal(err.message, MSG.noApiKey, show(err));
    assert.ok(err.message.startsWith('You did not provide an API key'), show(err));
    assertSchema('error', errorBody(err));
  });

  it('an Authorization header that holds no key ("Bearer null") is refused, naming what was sent', async () => {
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { headers: { authorization: 'Bearer null' } }));
    assert.equal(r.status, 401, r.desc);
    assertSchema('error', r.body);
    assert.equal(r.body.error.message, MSG.malformedAuth('null'), r.desc);
  });

  it('an unknown key is refused with "Invalid API Key provided" and the key masked to its last four characters', async () => {
    const unknown = 'sk_test_' + 'Z'.repeat(30) + 'wxyz';
    const err = await sdkError(v.stripe(unknown).identity.verificationSessions.list());
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, show(err));
    assert.equal(err.statusCode, 401, show(err));
    assert.equal(err.rawType, 'invalid_request_error', show(err));
    assert.equal(err.message, MSG.invalidApiKey(unknown), show(err));
    assert.match(err.message, /^Invalid API Key provided: sk_test_\*+\w{4}$/, show(err));
    assert.ok(err.message.endsWith('wxyz'), show(err));
    assertSchema('error', errorBody(err));
  });

  it('the full unknown key never appears in the error response', async () => {
    const unknown = 'sk_test_' + 'Q'.repeat(10) + 'secretpart' + 'abcd';
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { key: unknown }));
    assert.equal(r.status, 401, r.desc);
    assertSchema('error', r.body);
    assert.ok(!r.desc.includes('secretpart'), r.desc);
  });

  it('a key whose shape is not a Stripe key is refused as invalid, masked', async () => {
    const r = await read(await v.fetch('/v1/identity/verification_sessions', { key: 'not_a_real_key_at_all' }));
    assert.equal(r.status, 401, r.desc);
    assertSchema('error', r.body);
    assert.equal(r.body.error.message, MSG.invalidApiKey('not_a_real_key_at_all'), r.desc);
    assert.ok(!r.body.error.message.includes('real_key_at'), r.desc);
  });

  it('an expired key is refused with 401 api_key_expired', async () => {
    const key = 'sk_test_' + 'E'.repeat(36) + 'exp1';
    const rec = recordFor(key, { created: Math.floor(v.clock.nowMs() / 1000) - 10 });
    await v.deps.store.insertKey({ ...rec, expires_at: Math.floor(v.clock.nowMs() / 1000) - 1 });
    const err = await sdkError(v.stripe(key).identity.verificationSessions.list());
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, show(err));
    assert.equal(err.code, 'api_key_expired', show(err));
    assert.equal(err.message, MSG.expiredApiKey(key), show(err));
    assertSchema('error', errorBody(err));
  });

  it('a publishable key is refused with secret_key_required', async () => {
    const err = await sdkError(v.stripe(v.keys.publishable).identity.verificationSessions.list());
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, show(err));
    assert.equal(err.statusCode, 401, show(err));
    assert.equal(err.rawType, 'invalid_request_error', show(err));
    assert.equal(err.code, 'secret_key_required', show(err));
    assert.equal(err.message, MSG.secretKeyRequired, show(err));
    assertSchema('error', errorBody(err));
  });

  it('a restricted key without the Identity permission gets 403 naming the read permission', async () => {
    const err = await sdkError(v.stripe(v.keys.restrictedNone).identity.verificationSessions.list());
    assert.ok(err instanceof Stripe.errors.StripePermissionError, show(err));
    assert.equal(err.statusCode, 403, show(err));
    assert.equal(err.rawType, 'invalid_request_error', show(err));
    assert.equal(err.code, undefined, show(err));
    assert.equal(err.message, MSG.missingPermission(v.keys.restrictedNone, PERMISSIONS.identityRead), show(err));
    assert.ok(!err.message.includes(v.keys.restrictedNone), show(err));
    assertSchema('error', errorBody(err));
  });

  it('a read-only restricted key may list but gets 403 naming the write permission when it creates', async () => {
    const stripe = v.stripe(v.keys.restrictedRead);
    const list = await stripe.identity.verificationSessions.list();
    assertSchema('sessionList', list);
    const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document' }));
    assert.ok(err instanceof Stripe.errors.StripePermissionError, show(err));
    assert.equal(err.message, MSG.missingPermission(v.keys.restrictedRead, PERMISSIONS.identityWrite), show(err));
    assertSchema('error', errorBody(err));
  });

  it('a session created with a live key is a 404 for a test key, saying a similar object exists in live mode', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await sdkError(v.stripe(v.keys.test).identity.verificationSessions.retrieve(s.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
    assert.equal(err.statusCode, 404, show(err));
    assert.equal(err.code, 'resource_missing', show(err));
    assert.equal(err.param, 'id', show(err));
    assert.equal(err.message, MSG.otherMode('verification_session', s.id, 'live'), show(err));
    assert.ok(err.message.endsWith('a similar object exists in live mode, but a test mode key was used to make this request.'), show(err));
    assertSchema('error', errorBody(err));
  });

  it('a session created with a test key is a 404 for a live key, with the mirrored wording', async () => {
    const s = await v.stripe(v.keys.test).identity.verificationSessions.create({ type: 'document' });
    const err = await sdkError(v.stripe(v.keys.live).identity.verificationSessions.retrieve(s.id));
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
    assert.equal(err.code, 'resource_missing', show(err));
    assert.equal(err.message, MSG.otherMode('verification_session', s.id, 'test'), show(err));
    assertSchema('error', errorBody(err));
  });

  it('a live key does not see test-mode sessions in its list', async () => {
    const s = await v.stripe(v.keys.test).identity.verificationSessions.create({ type: 'document' });
    const live = await v.stripe(v.keys.live).identity.verificationSessions.list({ limit: 100 });
    assertSchema('sessionList', live);
    assert.ok(!live.data.some((x) => x.id === s.id), JSON.stringify(live));
    assert.ok(live.data.every((x) => x.livemode === true), JSON.stringify(live));
  });
});
