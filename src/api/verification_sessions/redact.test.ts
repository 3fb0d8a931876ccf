import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEvent,
  checkEveryResponse,
  checkReport,
  checkSession,
  eventsOf,
  type Report,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

const R = '[redacted]';
const REDACTED_ADDRESS = { city: R, country: 'US', line1: R, line2: null, postal_code: R, state: R };
const REDACTED_DATE = { day: 1, month: 1, year: 1 };

describe('POST /v1/identity/verification_sessions/:id/redact', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const PERSONAL: Stripe.Identity.VerificationSessionCreateParams = {
    type: 'document',
    client_reference_id: 'user_7',
    metadata: { customer_name: 'Jenny Rosen' },
    provided_details: { email: 'jenny@example.com', phone: '+15555551212' },
    options: { document: { require_id_number: true, require_matching_selfie: true } },
  };
  const create = (params: Stripe.Identity.VerificationSessionCreateParams = PERSONAL) => stripe.identity.verificationSessions.create(params);
  const redact = (id: string) => stripe.identity.verificationSessions.redact(id);

  /** Waits out a redaction: the job that completes it runs once its delay has passed. */
  async function completeRedaction(): Promise<void> {
    v.clock.advance(v.deps.config.redactionDelayMs);
    await v.runJobs();
  }

  it('cancels a requires_input session and starts its redaction', async () => {
    const s = await create();
    const r = await redact(s.id);
    checkSession(r);
    assert.equal(r.status, 'canceled', show(r));
    assert.deepEqual(r.redaction, { status: 'processing' }, show(r));
    assert.equal(r.client_secret, null, show(r));
    assert.equal(r.url, null, show(r));
  });

  it('records the canceled event when it redacts a requires_input session', async () => {
    const s = await create();
    await redact(s.id);
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.canceled'],
      show(evs),
    );
    checkEvent(evs[1]);
    const obj = evs[1].data.object as Stripe.Identity.VerificationSession;
    assert.equal(obj.status, 'canceled', show(evs[1]));
    assert.deepEqual(obj.redaction, { status: 'processing' }, show(evs[1]));
  });

  it('keeps a verified session verified while starting its redaction, with no canceled event', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const r = await redact(s.id);
    checkSession(r);
    assert.equal(r.status, 'verified', show(r));
    assert.deepEqual(r.redaction, { status: 'processing' }, show(r));
    const evs = await eventsOf(stripe, s.id);
    assert.ok(!evs.some((e) => e.type === 'identity.verification_session.canceled'), show(evs));
  });

  it('refuses a processing session', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const err = await stripeError(redact(s.id));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot redact this VerificationSession because it has a status of processing.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.redaction, null, show(r));
  });

  it('redacts a session once its processing is over', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    const r = await redact(s.id);
    checkSession(r);
    assert.equal(r.status, 'verified', show(r));
    assert.deepEqual(r.redaction, { status: 'processing' }, show(r));
  });

  it('stays processing until the redaction job has run', async () => {
    const s = await create();
    await redact(s.id);
    await v.runJobs();
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.deepEqual(r.redaction, { status: 'processing' }, `the job is not due before the redaction delay:\n${show(r)}`);
  });

  it('completes: redaction redacted, metadata emptied, provided details replaced by [redacted]', async () => {
    const s = await create();
    await redact(s.id);
    await completeRedaction();
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.deepEqual(r.redaction, { status: 'redacted' }, show(r));
    assert.equal(r.status, 'canceled', show(r));
    assert.deepEqual(r.metadata, {}, show(r));
    assert.deepEqual(r.provided_details, { email: R, phone: R }, show(r));
    assert.equal(r.client_reference_id, 'user_7', `client_reference_id is the business's own reference, not personal data:\n${show(r)}`);
  });

  it('records a redacted event, made by no request, once complete', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const evs = await eventsOf(stripe, s.id);
    assert.equal(evs.at(-1)?.type, 'identity.verification_session.redacted', show(evs));
    const e = evs.at(-1)!;
    checkEvent(e);
    assert.deepEqual(e.request, { id: null, idempotency_key: null }, show(e));
    const obj = e.data.object as Stripe.Identity.VerificationSession;
    assert.deepEqual(obj.redaction, { status: 'redacted' }, show(e));
    assert.equal(obj.status, 'verified', show(e));
    assert.deepEqual(obj.metadata, {}, show(e));
  });

  it('replaces verified outputs with placeholders, keeping the country and the id number type', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const r = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs'] });
    checkSession(r);
    assert.deepEqual(
      r.verified_outputs,
      { address: REDACTED_ADDRESS, email: null, first_name: R, id_number_type: 'us_ssn', last_name: R, phone: null },
      show(r),
    );
  });

  it('replaces sensitive verified outputs with placeholders (dob 1/1/1)', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, {
      expand: ['verified_outputs.dob', 'verified_outputs.id_number', 'verified_outputs.sex'],
    });
    checkSession(r);
    assert.deepEqual(r.verified_outputs?.dob, REDACTED_DATE, show(r));
    assert.equal(r.verified_outputs?.id_number, R, show(r));
    assert.equal(r.verified_outputs?.sex, R, show(r));
  });

  it('redacts the reports of the session, sensitive fields included', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, {
      expand: [
        'last_verification_report.document.number',
        'last_verification_report.document.dob',
        'last_verification_report.document.expiration_date',
        'last_verification_report.id_number.dob',
        'last_verification_report.id_number.id_number',
      ],
    });
    const rep = r.last_verification_report as Report;
    checkReport(rep);
    assert.deepEqual(
      rep.document,
      {
        address: REDACTED_ADDRESS,
        dob: REDACTED_DATE,
        error: null,
        expiration_date: REDACTED_DATE,
        files: null,
        first_name: R,
        issued_date: REDACTED_DATE,
        issuing_country: 'US',
        last_name: R,
        number: R,
        status: 'verified',
        type: 'driving_license',
      },
      show(rep),
    );
    assert.deepEqual(
      rep.id_number,
      { dob: REDACTED_DATE, error: null, first_name: R, id_number: R, id_number_type: 'us_ssn', last_name: R, status: 'verified' },
      show(rep),
    );
  });

  it('redacts the report of a failed attempt when redacting a requires_input session', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'selfie_face_mismatch' } });
    await redact(s.id);
    await completeRedaction();
    const reports = await stripe.identity.verificationReports.list({ verification_session: s.id });
    assert.equal(reports.data.length, 1, show(reports));
    checkReport(reports.data[0]);
    assert.equal(reports.data[0].document?.first_name, R, show(reports));
    assert.equal(reports.data[0].id_number?.last_name, R, show(reports));
  });

  it('redacts every earlier event of the session: metadata emptied, provided details replaced', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      [
        'identity.verification_session.created',
        'identity.verification_session.processing',
        'identity.verification_session.verified',
        'identity.verification_session.redacted',
      ],
      show(evs),
    );
    for (const e of evs) {
      checkEvent(e);
      const obj = e.data.object as Stripe.Identity.VerificationSession;
      assert.deepEqual(obj.metadata, {}, show(e));
      assert.deepEqual(obj.provided_details, { email: R, phone: R }, show(e));
      const text = JSON.stringify(e);
      assert.ok(!text.includes('jenny@example.com') && !text.includes('Jenny Rosen'), `personal data left in an event:\n${show(e)}`);
    }
    const again = await stripe.events.retrieve(evs[0].id);
    assert.deepEqual((again.data.object as Stripe.Identity.VerificationSession).metadata, {}, show(again));
  });

  it('answers a second redact with the same session and records nothing more', async () => {
    const s = await create();
    const first = await redact(s.id);
    const second = await redact(s.id);
    checkSession(second);
    assert.deepEqual(JSON.parse(JSON.stringify(second)), JSON.parse(JSON.stringify(first)), show({ first, second }));
    await completeRedaction();
    const third = await redact(s.id);
    assert.deepEqual(third.redaction, { status: 'redacted' }, show(third));
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.canceled', 'identity.verification_session.redacted'],
      show(evs),
    );
  });

  it('redacts a session that was already canceled, without a second canceled event', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.cancel(s.id);
    const r = await redact(s.id);
    checkSession(r);
    assert.equal(r.status, 'canceled', show(r));
    assert.deepEqual(r.redaction, { status: 'processing' }, show(r));
    await completeRedaction();
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.canceled', 'identity.verification_session.redacted'],
      show(evs),
    );
  });

  it('leaves a redacted session unusable: no submission, no cancel, no update', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await redact(s.id);
    await completeRedaction();
    const message = 'This VerificationSession has been redacted and can no longer be updated or used.';
    assertStripeError(await stripeError(stripe.identity.verificationSessions.update(s.id, { metadata: { a: '1' } })), {
      status: 400,
      code: 'session_invalid_state',
      message,
    });
    assertStripeError(await stripeError(stripe.identity.verificationSessions.cancel(s.id)), { status: 400, code: 'session_invalid_state', message });
    assertStripeError(await stripeError(testHelper(stripe, s.id, 'verify')), { status: 400, code: 'session_invalid_state' });
  });

  it('hides a live session from a test key', async () => {
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(redact(live.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in live mode/ });
    const still = await v.stripe(v.keys.live).identity.verificationSessions.retrieve(live.id);
    assert.equal(still.redaction, null, show(still));
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(redact('vs_doesnotexist'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id' });
  });
});

describe('redaction and stored idempotent responses', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
  });
  after(() => v.close());

  it('a replayed create after redaction returns the redacted session, not the original data', async () => {
    const stripe = v.stripe();
    const params = { type: 'document' as const, metadata: { name: 'Jenny Rosen' }, provided_details: { email: 'jenny@example.com' } };
    const s = await stripe.identity.verificationSessions.create(params, { idempotencyKey: 'redact-replay-1' });
    await stripe.identity.verificationSessions.redact(s.id);
    v.clock.advance(24 * 3600 * 1000 - 60_000);
    await v.runJobs();
    const again = await stripe.identity.verificationSessions.create(params, { idempotencyKey: 'redact-replay-1' });
    assert.equal(again.id, s.id, JSON.stringify(again));
    assert.deepEqual(again.metadata, {}, JSON.stringify(again));
    assert.deepEqual(again.provided_details, { email: '[redacted]' }, JSON.stringify(again));
    assert.equal(again.client_secret, null, JSON.stringify(again));
  });

  it('the session is redacted as soon as redaction is requested, before the job completes it', async () => {
    const stripe = v.stripe();
    const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { name: 'Jenny' }, provided_details: { phone: '+15555551212' } });
    const r = await stripe.identity.verificationSessions.redact(s.id);
    assert.equal(r.redaction?.status, 'processing', JSON.stringify(r));
    assert.deepEqual(r.metadata, {}, JSON.stringify(r));
    assert.deepEqual(r.provided_details, { phone: '[redacted]' }, JSON.stringify(r));
  });
});
