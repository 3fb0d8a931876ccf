import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { LAST_ERROR_REASONS } from '../../domain/last-errors.js';
import { LAST_ERROR_CODES, type LastErrorCode } from '../../domain/types.js';
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

type Params = Stripe.Identity.VerificationSessionCreateParams;

/** Failures that end an attempt before anything is submitted: no processing, no report. */
const SESSION_CODES = ['abandoned', 'consent_declined', 'country_not_supported', 'device_not_supported'] as const;

/** For each code reported by a check: a session that runs that check, the report field, and the code the check shows. */
const CHECK_CODES: Record<string, { params: Params; check: 'document' | 'selfie' | 'id_number'; checkCode: string | null }> = {
  document_expired: { params: { type: 'document' }, check: 'document', checkCode: 'document_expired' },
  document_type_not_supported: {
    params: { type: 'document', options: { document: { allowed_types: ['passport'] } } },
    check: 'document',
    checkCode: 'document_type_not_supported',
  },
  document_unverified_other: { params: { type: 'document' }, check: 'document', checkCode: 'document_unverified_other' },
  // The document check fails on the person's age; the document error enum has no code for it.
  under_supported_age: { params: { type: 'document' }, check: 'document', checkCode: null },
  selfie_document_missing_photo: selfie('selfie_document_missing_photo'),
  selfie_face_mismatch: selfie('selfie_face_mismatch'),
  selfie_manipulated: selfie('selfie_manipulated'),
  selfie_unverified_other: selfie('selfie_unverified_other'),
  id_number_insufficient_document_data: {
    params: { type: 'document', options: { document: { require_id_number: true } } },
    check: 'id_number',
    checkCode: 'id_number_insufficient_document_data',
  },
  id_number_mismatch: { params: { type: 'id_number' }, check: 'id_number', checkCode: 'id_number_mismatch' },
  id_number_unverified_other: { params: { type: 'id_number' }, check: 'id_number', checkCode: 'id_number_unverified_other' },
};

function selfie(code: string) {
  return { params: { type: 'document', options: { document: { require_matching_selfie: true } } } as Params, check: 'selfie' as const, checkCode: code };
}

/** Email and phone checks are configured by verification flows only, so no API-created session runs them. */
const FLOW_ONLY_CODES = ['email_unverified_other', 'email_verification_declined', 'phone_unverified_other', 'phone_verification_declined'] as const;

describe('POST /v1/test_helpers/identity/verification_sessions/:id/unverify', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const create = (params: Params = { type: 'document' }) => stripe.identity.verificationSessions.create(params);

  it('covers every last_error code Stripe defines', () => {
    const covered = [...SESSION_CODES, ...Object.keys(CHECK_CODES), ...FLOW_ONLY_CODES].sort();
    assert.deepEqual(covered, [...LAST_ERROR_CODES].sort());
  });

  it('fails a document session with document_unverified_other when no code is given', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'unverify', { expand: ['last_verification_report'] });
    checkSession(r);
    assert.equal(r.status, 'requires_input', show(r));
    assert.deepEqual(r.last_error, { code: 'document_unverified_other', reason: 'The document could not be verified.' }, show(r));
    assert.equal((r.last_verification_report as Report).document?.status, 'unverified', show(r));
  });

  it('fails an id_number session with id_number_unverified_other when no code is given', async () => {
    const s = await create({ type: 'id_number' });
    const r = await testHelper(stripe, s.id, 'unverify');
    checkSession(r);
    assert.equal(r.last_error?.code, 'id_number_unverified_other', show(r));
  });

  for (const code of SESSION_CODES) {
    it(`${code}: back to requires_input at once, with a new link, without processing or a report`, async () => {
      const s = await create();
      const r = await testHelper(stripe, s.id, 'unverify', { last_error: { code } });
      checkSession(r);
      assert.equal(r.status, 'requires_input', show(r));
      assert.deepEqual(r.last_error, { code, reason: LAST_ERROR_REASONS[code] }, show(r));
      assert.equal(r.last_verification_report, null, show(r));
      assert.ok(r.client_secret && r.client_secret !== s.client_secret, show({ before: s, after: r }));
      assert.ok(r.url && r.url !== s.url, show({ before: s, after: r }));
      const evs = await eventsOf(stripe, s.id);
      assert.deepEqual(
        evs.map((e) => e.type),
        ['identity.verification_session.created', 'identity.verification_session.requires_input'],
        show(evs),
      );
      checkEvent(evs[1]);
      assert.deepEqual((evs[1].data.object as Stripe.Identity.VerificationSession).last_error, r.last_error, show(evs[1]));
    });
  }

  for (const [code, c] of Object.entries(CHECK_CODES)) {
    it(`${code}: processing, then requires_input with a report whose ${c.check} check failed`, async () => {
      const s = await create(c.params);
      const r = await testHelper(stripe, s.id, 'unverify', { last_error: { code }, expand: ['last_verification_report'] });
      checkSession(r);
      assert.equal(r.status, 'requires_input', show(r));
      assert.deepEqual(r.last_error, { code, reason: LAST_ERROR_REASONS[code as LastErrorCode] }, show(r));
      const rep = r.last_verification_report as Report;
      const check = rep[c.check] as { status: string; error: { code: string | null; reason: string | null } | null };
      assert.equal(check.status, 'unverified', show(r));
      assert.deepEqual(check.error, { code: c.checkCode, reason: LAST_ERROR_REASONS[code as LastErrorCode] }, show(r));
      for (const other of ['document', 'selfie', 'id_number'] as const) {
        if (other !== c.check && rep[other]) assert.equal(rep[other]!.status, 'verified', `only the named check fails:\n${show(r)}`);
      }
      const evs = await eventsOf(stripe, s.id);
      assert.deepEqual(
        evs.map((e) => e.type),
        [
          'identity.verification_session.created',
          'identity.verification_session.processing',
          'identity.verification_session.requires_input',
        ],
        show(evs),
      );
    });
  }

  for (const code of FLOW_ONLY_CODES) {
    it(`${code}: refused, as no API-created session runs that check`, async () => {
      const s = await create({ type: 'document', provided_details: { email: 'jenny@example.com', phone: '+15555551212' } });
      const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code } }));
      assertStripeError(err, { status: 400, param: 'last_error[code]' });
    });
  }

  it('refuses a selfie code for a session without a selfie check, and leaves it untouched', async () => {
    const s = await create();
    const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code: 'selfie_face_mismatch' } }));
    assertStripeError(err, { status: 400, param: 'last_error[code]', message: /selfie_face_mismatch/ });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'requires_input', show(r));
    assert.equal(r.last_error, null, show(r));
    assert.deepEqual((await eventsOf(stripe, s.id)).map((e) => e.type), ['identity.verification_session.created']);
  });

  it('refuses an id_number code for a document session that does not collect an ID number', async () => {
    const s = await create();
    const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code: 'id_number_mismatch' } }));
    assertStripeError(err, { status: 400, param: 'last_error[code]' });
  });

  it('refuses a document code for an id_number session', async () => {
    const s = await create({ type: 'id_number' });
    const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code: 'document_expired' } }));
    assertStripeError(err, { status: 400, param: 'last_error[code]' });
  });

  it('refuses a code Stripe does not define', async () => {
    const s = await create();
    const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code: 'too_blurry' } }));
    assertStripeError(err, { status: 400, param: 'last_error[code]', message: /^Invalid last_error\[code\]: must be one of/ });
  });

  it('reports a document of a type outside allowed_types for document_type_not_supported', async () => {
    const s = await create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const r = await testHelper(stripe, s.id, 'unverify', {
      last_error: { code: 'document_type_not_supported' },
      expand: ['last_verification_report'],
    });
    const type = (r.last_verification_report as Report).document?.type;
    assert.ok(type && type !== 'passport', show(r));
  });

  it('reports an expiration date in the past for document_expired', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'document_expired' } });
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, {
      expand: ['last_verification_report.document.expiration_date'],
    });
    const exp = (r.last_verification_report as Report).document?.expiration_date;
    assert.ok(exp?.year && exp.year < new Date(v.clock.nowMs()).getUTCFullYear(), show(r));
  });

  it('hands out a new client_secret and url after a failed check', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'unverify');
    checkSession(r);
    assert.ok(r.client_secret && r.client_secret !== s.client_secret, show({ before: s, after: r }));
    assert.ok(r.url && r.url !== s.url, show({ before: s, after: r }));
    const again = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(again.client_secret, r.client_secret, show({ r, again }));
  });

  it('with simulate_delay=true stays processing until the delay has passed and the worker ran', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'unverify', { simulate_delay: true, last_error: { code: 'document_expired' } });
    checkSession(r);
    assert.equal(r.status, 'processing', show(r));
    assert.equal(r.last_error, null, show(r));
    await v.runJobs();
    assert.equal((await stripe.identity.verificationSessions.retrieve(s.id)).status, 'processing');
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    const done = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(done);
    assert.equal(done.status, 'requires_input', show(done));
    assert.equal(done.last_error?.code, 'document_expired', show(done));
    assert.match(String(done.last_verification_report), /^vr_/, show(done));
    assert.ok(done.client_secret && done.client_secret !== s.client_secret, show({ before: s, after: done }));
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(evs.at(-1)?.request, { id: null, idempotency_key: null }, show(evs));
  });

  it('with simulate_delay=true still fails a session-level code at once (nothing is submitted)', async () => {
    const s = await create();
    const r = await testHelper(stripe, s.id, 'unverify', { simulate_delay: true, last_error: { code: 'consent_declined' } });
    checkSession(r);
    assert.equal(r.status, 'requires_input', show(r));
    assert.equal(r.last_error?.code, 'consent_declined', show(r));
  });

  it('refuses a verified session', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(testHelper(stripe, s.id, 'unverify'));
    assertStripeError(err, { status: 400, code: 'session_invalid_state', message: /status of verified/ });
  });

  it('refuses a session-level failure for a session that is processing', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const err = await stripeError(testHelper(stripe, s.id, 'unverify', { last_error: { code: 'abandoned' } }));
    assertStripeError(err, { status: 400, code: 'session_invalid_state', message: /status of processing/ });
  });

  it('is refused with a live key: test helpers exist in test mode only', async () => {
    const live = v.stripe(v.keys.live);
    const s = await live.identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(testHelper(live, s.id, 'unverify'));
    assertStripeError(err, {
      status: 400,
      message: 'This endpoint is only available in test mode. Use a test-mode secret key (sk_test_…) to call it.',
    });
  });

  it('answers a live session id given with a test key with resource_missing', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(testHelper(stripe, s.id, 'unverify'));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in live mode/ });
  });
});
