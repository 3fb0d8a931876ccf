import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEvent,
  checkEveryResponse,
  checkSession,
  eventsOf,
  type Report,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

describe('POST /v1/test_helpers/identity/verification_sessions/:id/verify', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const create = (params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }) =>
    stripe.identity.verificationSessions.create(params);

  it('verifies a session at once, with a report and no client_secret or url', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'verify');
    checkSession(r);
    assert.equal(r.status, 'verified', show(r));
    assert.equal(r.last_error, null, show(r));
    assert.match(String(r.last_verification_report), /^vr_/, show(r));
    assert.equal(r.client_secret, null, show(r));
    assert.equal(r.url, null, show(r));
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.processing', 'identity.verification_session.verified'],
      show(evs),
    );
    evs.forEach(checkEvent);
  });

  it('with simulate_delay=true stays processing until the delay has passed and the worker ran', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    checkSession(r);
    assert.equal(r.status, 'processing', show(r));
    assert.equal(r.last_verification_report, null, show(r));
    assert.equal(r.client_secret, null, show(r));
    await v.runJobs();
    const early = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(early.status, 'processing', `nothing is due before the simulated delay:\n${show(early)}`);
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    const done = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
    checkSession(done);
    assert.equal(done.status, 'verified', show(done));
    assert.equal((done.last_verification_report as Report).document?.status, 'verified', show(done));
  });

  it('with simulate_delay=true after an immediate failure, is not completed early by the earlier attempt', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'document_expired' } });
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    await v.runJobs();
    const early = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(early.status, 'processing', `the first attempt's job must not decide the second attempt:\n${show(early)}`);
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    const done = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(done.status, 'verified', show(done));
    assert.equal(done.last_error, null, show(done));
  });

  it('verifies a session whose earlier attempt failed, clearing last_error', async () => {
    const s = await create();
    const failed = await testHelper(stripe, s.id, 'unverify');
    assert.ok(failed.last_error, show(failed));
    const r = await testHelper(stripe, s.id, 'verify');
    checkSession(r);
    assert.equal(r.status, 'verified', show(r));
    assert.equal(r.last_error, null, show(r));
    assert.notEqual(r.last_verification_report, failed.last_verification_report, show({ failed, r }));
  });

  it('writes the test person into verified_outputs of an id_number session', async () => {
    const s = await create({ type: 'id_number' });
    await testHelper(stripe, s.id, 'verify');
    const r = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs'] });
    checkSession(r);
    assert.deepEqual(
      r.verified_outputs,
      { address: null, email: null, first_name: 'Jenny', id_number_type: 'us_ssn', last_name: 'Rosen', phone: null },
      show(r),
    );
  });

  it('runs every check the session asks for and passes them all', async () => {
    const s = await create({ type: 'document', options: { document: { require_id_number: true, require_matching_selfie: true } } });
    const r = await testHelper(stripe, s.id, 'verify', { expand: ['last_verification_report'] });
    checkSession(r);
    const rep = r.last_verification_report as Report;
    assert.equal(rep.document?.status, 'verified', show(r));
    assert.equal(rep.selfie?.status, 'verified', show(r));
    assert.equal(rep.id_number?.status, 'verified', show(r));
  });

  it('refuses a session that is already processing', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const err = await stripeError(testHelper(stripe, s.id, 'verify'));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot submit this VerificationSession because it has a status of processing.',
    });
  });

  it('refuses a verified session', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(testHelper(stripe, s.id, 'verify'));
    assertStripeError(err, { status: 400, code: 'session_invalid_state', message: /status of verified/ });
    const evs = await eventsOf(stripe, s.id);
    assert.equal(evs.filter((e) => e.type === 'identity.verification_session.verified').length, 1, show(evs));
  });

  it('refuses a canceled session', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.cancel(s.id);
    const err = await stripeError(testHelper(stripe, s.id, 'verify'));
    assertStripeError(err, { status: 400, code: 'session_invalid_state', message: /status of canceled/ });
  });

  it('is refused with a live key: test helpers exist in test mode only', async () => {
    const live = v.stripe(v.keys.live);
    const s = await live.identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(testHelper(live, s.id, 'verify'));
    assertStripeError(err, {
      status: 400,
      message: 'This endpoint is only available in test mode. Use a test-mode secret key (sk_test_…) to call it.',
    });
    const still = await live.identity.verificationSessions.retrieve(s.id);
    assert.equal(still.status, 'requires_input', show(still));
  });

  it('is refused to a restricted key that may only read', async () => {
    const s = await create();
    const err = await stripeError(testHelper(v.stripe(v.keys.restrictedRead), s.id, 'verify'));
    assertStripeError(err, { status: 403 });
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(testHelper(stripe, 'vs_doesnotexist', 'verify'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id' });
  });

  it('refuses last_error, which only unverify takes', async () => {
    const s = await create();
    const err = await stripeError(testHelper(stripe, s.id, 'verify', { last_error: { code: 'document_expired' } }));
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'last_error' });
  });
});
