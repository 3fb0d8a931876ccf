import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { describeResponse, startVerity, type Verity } from '../../../test/harness.js';
import { assertFieldOrder, assertStripeError, show, stripeError } from '../../../test/identity.js';
import { sha256 } from '../../store/file-store.js';
import { MSG } from '../stripe/errors.js';

describe('POST /v1/ephemeral_keys, DELETE /v1/ephemeral_keys/:key', () => {
  let v: Verity;
  let stripe: Stripe;
  const API_VERSION = '2020-08-27';
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  it('creates a one-hour key bound to the session, in Stripe’s shape', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const k = (await stripe.ephemeralKeys.create({ verification_session: s.id }, { apiVersion: API_VERSION })) as Stripe.Response<Stripe.EphemeralKey> & {
      associated_objects: { id: string; type: string }[];
    };
    assert.deepEqual(Object.keys(k).filter((x) => x !== 'lastResponse'), ['id', 'object', 'associated_objects', 'created', 'expires', 'livemode', 'secret'], show(k));
    assertFieldOrder(JSON.parse(JSON.stringify({ ...k, lastResponse: undefined })));
    assert.match(k.id, /^ephkey_[A-Za-z0-9]{24}$/, show(k));
    assert.equal(k.object, 'ephemeral_key');
    assert.deepEqual(k.associated_objects, [{ id: s.id, type: 'identity.verification_session' }], show(k));
    assert.equal(k.expires - k.created, 3600, show(k));
    assert.equal(k.livemode, false);
    assert.match(k.secret!, /^ek_test_[A-Za-z0-9]{64}$/, show(k));
    assert.equal(k.lastResponse.headers['stripe-version'], API_VERSION);
    // Only a hash of the secret is kept.
    const row = await v.deps.store.db.selectFrom('ephemeral_keys').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    assert.equal(row.secret_hash, sha256(k.secret!));
    assert.equal(JSON.stringify(row).includes(k.secret!), false, show(row));
  });

  it('needs an explicit Stripe-Version header', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const res = await v.fetch('/v1/ephemeral_keys', { method: 'POST', headers: FORM, body: `verification_session=${s.id}` });
    assert.equal(res.status, 400, await describeResponse(res));
    assert.equal((await res.json()).error.message, MSG.ephemeralKeyNeedsVersion);
  });

  it('asks for verification_session, and refuses the other products’ parameters', async () => {
    const headers = { ...FORM, 'stripe-version': API_VERSION };
    const none = await v.fetch('/v1/ephemeral_keys', { method: 'POST', headers, body: '' });
    assert.equal(none.status, 400, await describeResponse(none));
    assert.equal((await none.json()).error.param, 'verification_session');
    const customer = await v.fetch('/v1/ephemeral_keys', { method: 'POST', headers, body: 'customer=cus_123' });
    assert.equal(customer.status, 400, await describeResponse(customer));
    assert.equal((await customer.json()).error.param, 'customer');
    const unknown = await stripeError(stripe.ephemeralKeys.create({ verification_session: 'vs_nope' }, { apiVersion: API_VERSION }));
    assertStripeError(unknown, { status: 404, code: 'resource_missing', param: 'verification_session' });
  });

  it('refuses a session that can no longer be collected', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(s.id);
    const err = await stripeError(stripe.ephemeralKeys.create({ verification_session: s.id }, { apiVersion: API_VERSION }));
    assertStripeError(err, { status: 400, code: 'session_invalid_state' });
  });

  it('needs Identity write on a restricted key', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(v.stripe(v.keys.restrictedRead).ephemeralKeys.create({ verification_session: s.id }, { apiVersion: API_VERSION }));
    assertStripeError(err, { status: 403 });
  });

  it('deletes a key: it answers expiring now, without the secret; unknown keys are 404', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const k = await stripe.ephemeralKeys.create({ verification_session: s.id }, { apiVersion: API_VERSION });
    v.clock.advance(60_000);
    const d = await stripe.ephemeralKeys.del(k.id);
    assert.equal(d.id, k.id, show(d));
    assert.equal(d.secret, undefined, show(d));
    assert.equal(d.expires, Math.floor(v.clock.nowMs() / 1000), show(d));
    const row = await v.deps.store.files.findEphemeralKey(k.id);
    assert.equal(row?.deleted, true, show(row));
    assertStripeError(await stripeError(stripe.ephemeralKeys.del('ephkey_nope')), { status: 404, code: 'resource_missing' });
    const live = await stripeError(v.stripe(v.keys.live).ephemeralKeys.del(k.id));
    assertStripeError(live, { status: 404, message: MSG.otherMode('ephemeral_key', k.id, 'test') });
  });
});
