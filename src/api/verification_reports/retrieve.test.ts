import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEveryResponse,
  checkReport,
  HOUR_MS,
  liveSessionWithReport,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

describe('GET /v1/identity/verification_reports/:id (retrieve)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  /** A session taken through the test helper; returns the session and the id of its newest report. */
  async function submitted(
    params: Stripe.Identity.VerificationSessionCreateParams,
    action: 'verify' | 'unverify' = 'verify',
    code?: string,
  ): Promise<{ sessionId: string; reportId: string }> {
    const s = await stripe.identity.verificationSessions.create(params);
    const done = await testHelper(stripe, s.id, action, code ? { last_error: { code } } : {});
    assert.equal(typeof done.last_verification_report, 'string', show(done));
    return { sessionId: s.id, reportId: done.last_verification_report as string };
  }

  it('returns the document report of a verified document session', async () => {
    const { sessionId, reportId } = await submitted({ type: 'document', client_reference_id: 'user_9' });
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.match(r.id, /^vr_[A-Za-z0-9]{24}$/, show(r));
    assert.deepEqual(
      JSON.parse(JSON.stringify(r)),
      {
        id: reportId,
        object: 'identity.verification_report',
        client_reference_id: 'user_9',
        created: r.created,
        document: {
          address: { city: 'San Francisco', country: 'US', line1: '1234 Main St.', line2: null, postal_code: '94111', state: 'CA' },
          error: null,
          files: null,
          first_name: 'Jenny',
          issued_date: { day: 1, month: 12, year: 2020 },
          issuing_country: 'US',
          last_name: 'Rosen',
          status: 'verified',
          type: 'driving_license',
        },
        livemode: false,
        options: { document: {} },
        type: 'document',
        verification_session: sessionId,
      },
      show(r),
    );
    assert.ok(Math.abs(r.created - Math.floor(v.clock.nowMs() / 1000)) <= 5, show(r));
  });

  it('reports the first allowed document type in test mode', async () => {
    const { reportId } = await submitted({ type: 'document', options: { document: { allowed_types: ['passport', 'id_card'] } } });
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.equal(r.document?.type, 'passport', show(r));
    assert.deepEqual(r.options, { document: { allowed_types: ['passport', 'id_card'] } }, show(r));
  });

  it('carries selfie and id_number checks when the session asked for them', async () => {
    const { reportId } = await submitted({
      type: 'document',
      options: { document: { require_id_number: true, require_matching_selfie: true } },
    });
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.deepEqual(r.selfie, { document: null, error: null, selfie: null, status: 'verified' }, show(r));
    assert.deepEqual(
      r.id_number,
      { error: null, first_name: 'Jenny', id_number_type: 'us_ssn', last_name: 'Rosen', status: 'verified' },
      show(r),
    );
    assert.deepEqual(r.options, { document: { require_id_number: true, require_matching_selfie: true }, id_number: {} }, show(r));
  });

  it('returns an id_number report, without a document check, for an id_number session', async () => {
    const { reportId } = await submitted({ type: 'id_number' });
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.equal(r.type, 'id_number', show(r));
    assert.ok(!('document' in r), show(r));
    assert.equal(r.id_number?.status, 'verified', show(r));
    assert.deepEqual(r.options, { id_number: {} }, show(r));
  });

  it('shows the failed check and its error in the report of a failed attempt', async () => {
    const { reportId } = await submitted({ type: 'document' }, 'unverify', 'document_expired');
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.equal(r.document?.status, 'unverified', show(r));
    assert.deepEqual(r.document?.error, { code: 'document_expired', reason: 'The document is expired.' }, show(r));
  });

  it('keeps a snapshot of the options the attempt ran with', async () => {
    const { sessionId, reportId } = await submitted({ type: 'document' }, 'unverify', 'document_unverified_other');
    await stripe.identity.verificationSessions.update(sessionId, { options: { document: { require_matching_selfie: true } } });
    const r = await stripe.identity.verificationReports.retrieve(reportId);
    checkReport(r);
    assert.deepEqual(r.options, { document: {} }, show(r));
    assert.ok(!('selfie' in r), show(r));
  });

  it('writes a new report for every attempt, the session pointing at the newest', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const failed = await testHelper(stripe, s.id, 'unverify');
    const passed = await testHelper(stripe, s.id, 'verify');
    assert.notEqual(failed.last_verification_report, passed.last_verification_report, show({ failed, passed }));
    const first = await stripe.identity.verificationReports.retrieve(failed.last_verification_report as string);
    const second = await stripe.identity.verificationReports.retrieve(passed.last_verification_report as string);
    checkReport(first);
    checkReport(second);
    assert.equal(first.document?.status, 'unverified', show(first));
    assert.equal(second.document?.status, 'verified', show(second));
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(stripe.identity.verificationReports.retrieve('vr_doesnotexist'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id', message: "No such verification_report: 'vr_doesnotexist'" });
  });

  it('hides a live report from a test key, saying a similar object exists in live mode', async () => {
    const { reportId } = await liveSessionWithReport(v);
    const live = await v.stripe(v.keys.live).identity.verificationReports.retrieve(reportId);
    checkReport(live);
    assert.equal(live.livemode, true, show(live));
    const err = await stripeError(stripe.identity.verificationReports.retrieve(reportId));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      message: `No such verification_report: '${reportId}'; a similar object exists in live mode, but a test mode key was used to make this request.`,
    });
  });

  it('refuses document.number to a secret key with 403', async () => {
    const { reportId } = await submitted({ type: 'document' });
    const err = await stripeError(stripe.identity.verificationReports.retrieve(reportId, { expand: ['document.number'] }));
    assertStripeError(err, { status: 403, message: /document\.number/ });
  });

  it('shows the sensitive document and id_number fields to a sensitive restricted key', async () => {
    const { reportId } = await submitted({ type: 'document', options: { document: { require_id_number: true } } });
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationReports.retrieve(reportId, {
      expand: [
        'document.dob',
        'document.expiration_date',
        'document.number',
        'document.sex',
        'document.unparsed_place_of_birth',
        'document.unparsed_sex',
        'id_number.dob',
        'id_number.id_number',
      ],
    });
    checkReport(r);
    assert.deepEqual(r.document?.dob, { day: 1, month: 1, year: 1990 }, show(r));
    assert.deepEqual(r.document?.expiration_date, { day: 1, month: 12, year: 2030 }, show(r));
    assert.equal(r.document?.number, '000000000', show(r));
    assert.equal(r.document?.sex, 'female', show(r));
    assert.equal(r.document?.unparsed_place_of_birth, null, show(r));
    assert.equal(r.document?.unparsed_sex, null, show(r));
    assert.deepEqual(r.id_number?.dob, { day: 1, month: 1, year: 1990 }, show(r));
    assert.equal(r.id_number?.id_number, '0000', `only the last four SSN digits:\n${show(r)}`);
  });

  it('refuses the sensitive fields to that key more than 48 hours after processing', async () => {
    const { reportId } = await submitted({ type: 'document' });
    v.clock.advance(48 * HOUR_MS + 1000);
    const err = await stripeError(
      v.stripe(v.keys.restrictedSensitive).identity.verificationReports.retrieve(reportId, { expand: ['document.number'] }),
    );
    assertStripeError(err, { status: 403, message: /48 hours/ });
  });

  it('refuses an expand path the report does not have', async () => {
    const { reportId } = await submitted({ type: 'document' });
    const err = await stripeError(stripe.identity.verificationReports.retrieve(reportId, { expand: ['document.files'] }));
    assertStripeError(err, { status: 400, param: 'expand' });
  });

  it('is refused to a restricted key without identity permissions', async () => {
    const { reportId } = await submitted({ type: 'document' });
    const err = await stripeError(v.stripe(v.keys.restrictedNone).identity.verificationReports.retrieve(reportId));
    assertStripeError(err, { status: 403 });
  });
});
