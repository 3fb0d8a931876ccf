import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, describeResponse, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEvent,
  checkEveryResponse,
  checkSession,
  eventsOf,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

describe('POST /v1/identity/verification_sessions/:id/cancel', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const create = () => stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' } });
  const cancel = (id: string) => stripe.identity.verificationSessions.cancel(id);

  it('cancels a requires_input session and withdraws its client_secret and url', async () => {
    const s = await create();
    const c = await cancel(s.id);
    checkSession(c);
    assert.equal(c.status, 'canceled', show(c));
    assert.equal(c.client_secret, null, show(c));
    assert.equal(c.url, null, show(c));
    assert.equal(c.redaction, null, show(c));
    assert.deepEqual(c.metadata, { a: '1' }, show(c));
  });

  it('records a canceled event whose snapshot is the canceled session', async () => {
    const s = await create();
    const c = await cancel(s.id);
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.canceled'],
      show(evs),
    );
    checkEvent(evs[1]);
    assert.deepEqual(evs[1].data.object, JSON.parse(JSON.stringify(c)), show({ event: evs[1], response: c }));
    assert.equal(evs[1].request?.id, c.lastResponse.requestId, show(evs[1]));
  });

  it('cancels a session that failed an attempt, keeping its last_error', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'document_expired' } });
    const c = await cancel(s.id);
    checkSession(c);
    assert.equal(c.status, 'canceled', show(c));
    assert.equal(c.last_error?.code, 'document_expired', show(c));
    assert.equal(c.client_secret, null, show(c));
  });

  it('refuses a processing session and leaves it processing', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const err = await stripeError(cancel(s.id));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot cancel this VerificationSession because it has a status of processing.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'processing', show(r));
  });

  it('refuses a verified session and leaves it verified', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(cancel(s.id));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot cancel this VerificationSession because it has a status of verified.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'verified', show(r));
    const evs = await eventsOf(stripe, s.id);
    assert.ok(!evs.some((e) => e.type === 'identity.verification_session.canceled'), show(evs));
  });

  it('refuses a session that is already canceled', async () => {
    const s = await create();
    await cancel(s.id);
    const err = await stripeError(cancel(s.id));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot cancel this VerificationSession because it has a status of canceled.',
    });
  });

  it('refuses a redacted session', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.redact(s.id);
    const err = await stripeError(cancel(s.id));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'This VerificationSession has been redacted and can no longer be updated or used.',
    });
  });

  it('leaves the session open when the response is refused (403 on a sensitive expand, no idempotency key)', async () => {
    const s = await create();
    const res = await v.fetch(`/v1/identity/verification_sessions/${s.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'expand[]=verified_outputs.dob',
    });
    assert.equal(res.status, 403, await describeResponse(res));
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'requires_input', `a refused cancel must not cancel:\n${show(r)}`);
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(evs.map((e) => e.type), ['identity.verification_session.created'], show(evs));
  });

  it('is final: a canceled session can no longer be submitted', async () => {
    const s = await create();
    await cancel(s.id);
    const err = await stripeError(testHelper(stripe, s.id, 'verify'));
    assertStripeError(err, { status: 400, code: 'session_invalid_state' });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'canceled', show(r));
  });

  it('hides a live session from a test key', async () => {
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(cancel(live.id));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      message: `No such verification_session: '${live.id}'; a similar object exists in live mode, but a test mode key was used to make this request.`,
    });
    const still = await v.stripe(v.keys.live).identity.verificationSessions.retrieve(live.id);
    assert.equal(still.status, 'requires_input', show(still));
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(cancel('vs_doesnotexist'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id' });
  });

  it('is refused to a restricted key that may only read', async () => {
    const s = await create();
    const err = await stripeError(v.stripe(v.keys.restrictedRead).identity.verificationSessions.cancel(s.id));
    assertStripeError(err, { status: 403 });
  });
});
