import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionRow } from '../../test/fixtures/sessions.js';
import { show } from '../../test/identity.js';
import { LAST_ERROR_REASONS } from '../domain/last-errors.js';
import type { Session, SessionOptions } from '../domain/types.js';
import { TEST_PERSON, checksFor, codeApplies, defaultFailureCode, simulateChecks } from './testmode.js';

const session = (type: Session['type'], options: SessionOptions, over: Partial<Session> = {}): Session =>
  sessionRow({ id: 'vs_1', created: 0, status: 'processing', type, options, ...over });

const doc = (document: SessionOptions['document'] = {}) => session('document', { document });
const idNumber = () => session('id_number', { id_number: {} });

describe('checksFor', () => {
  it('runs only the document check for a plain document session', () => {
    assert.deepEqual(checksFor(doc()), { document: true, selfie: false, id_number: false });
  });

  it('adds the selfie and id_number checks the document options ask for', () => {
    assert.deepEqual(checksFor(doc({ require_matching_selfie: true, require_id_number: true })), { document: true, selfie: true, id_number: true });
  });

  it('runs only the id_number check for an id_number session', () => {
    assert.deepEqual(checksFor(idNumber()), { document: false, selfie: false, id_number: true });
  });
});

describe('codeApplies', () => {
  it('accepts session-level codes for any session', () => {
    for (const s of [doc(), idNumber()]) for (const code of ['abandoned', 'consent_declined', 'country_not_supported', 'device_not_supported'] as const)
      assert.equal(codeApplies(s, code), true, `${code} on ${s.type}`);
  });

  it('accepts a code only when the session runs its check', () => {
    assert.equal(codeApplies(doc(), 'selfie_face_mismatch'), false);
    assert.equal(codeApplies(doc({ require_matching_selfie: true }), 'selfie_face_mismatch'), true);
    assert.equal(codeApplies(doc(), 'id_number_mismatch'), false);
    assert.equal(codeApplies(doc({ require_id_number: true }), 'id_number_mismatch'), true);
    assert.equal(codeApplies(idNumber(), 'document_expired'), false);
    assert.equal(codeApplies(idNumber(), 'under_supported_age'), false);
    assert.equal(codeApplies(doc(), 'email_unverified_other'), false);
    assert.equal(codeApplies(session('verification_flow', { email: { require_verification: true } }), 'email_unverified_other'), true);
    assert.equal(codeApplies(session('verification_flow', { phone: { require_verification: true } }), 'phone_verification_declined'), true);
  });
});

describe('defaultFailureCode', () => {
  it('is the catch-all code of the session’s main check', () => {
    assert.equal(defaultFailureCode(doc()), 'document_unverified_other');
    assert.equal(defaultFailureCode(idNumber()), 'id_number_unverified_other');
  });
});

describe('simulateChecks', () => {
  it('verifies every check with the test person and no last_error', () => {
    const { checks, lastError } = simulateChecks(doc({ require_matching_selfie: true, require_id_number: true }), { kind: 'verify' });
    assert.equal(lastError, null, show(checks));
    assert.equal(checks.document?.status, 'verified', show(checks));
    assert.equal(checks.document?.first_name, TEST_PERSON.first_name, show(checks));
    assert.deepEqual(checks.document?.address, TEST_PERSON.address, show(checks));
    assert.equal(checks.selfie?.status, 'verified', show(checks));
    assert.equal(checks.id_number?.status, 'verified', show(checks));
    assert.equal(checks.id_number?.id_number, TEST_PERSON.id_number_last4, show(checks));
    assert.equal(checks.id_number?.id_number_type, 'us_ssn', show(checks));
  });

  it('fails only the check the code belongs to, with the code’s reason as last_error', () => {
    const { checks, lastError } = simulateChecks(doc({ require_matching_selfie: true }), { kind: 'unverify', code: 'selfie_manipulated' });
    assert.deepEqual(lastError, { code: 'selfie_manipulated', reason: LAST_ERROR_REASONS.selfie_manipulated }, show(lastError));
    assert.equal(checks.document?.status, 'verified', show(checks));
    assert.deepEqual(checks.selfie?.error, { code: 'selfie_manipulated', reason: LAST_ERROR_REASONS.selfie_manipulated }, show(checks));
  });

  it('fails the document check for under_supported_age without a document error code, with a minor’s birth date', () => {
    const { checks } = simulateChecks(doc(), { kind: 'unverify', code: 'under_supported_age' });
    assert.equal(checks.document?.status, 'unverified', show(checks));
    assert.deepEqual(checks.document?.error, { code: null, reason: LAST_ERROR_REASONS.under_supported_age }, show(checks));
    assert.ok((checks.document?.dob?.year ?? 0) > new Date().getUTCFullYear() - 18, show(checks));
  });

  it('uses the first allowed document type, and a type outside the list for document_type_not_supported', () => {
    assert.equal(simulateChecks(doc({ allowed_types: ['id_card', 'passport'] }), { kind: 'verify' }).checks.document?.type, 'id_card');
    const bad = simulateChecks(doc({ allowed_types: ['id_card', 'passport'] }), { kind: 'unverify', code: 'document_type_not_supported' });
    assert.equal(bad.checks.document?.type, 'driving_license', show(bad));
  });

  it('reports the provided email and phone for sessions whose flow verifies them', () => {
    const s = session(
      'verification_flow',
      { document: {}, email: { require_verification: true }, phone: { require_verification: true } },
      { provided_details: { email: 'jenny@example.com', phone: '+15555551212' } },
    );
    const { checks } = simulateChecks(s, { kind: 'unverify', code: 'phone_verification_declined' });
    assert.deepEqual(checks.email, { status: 'verified', error: null, email: 'jenny@example.com' }, show(checks));
    assert.deepEqual(
      checks.phone,
      { status: 'unverified', error: { code: 'phone_verification_declined', reason: LAST_ERROR_REASONS.phone_verification_declined }, phone: '+15555551212' },
      show(checks),
    );
  });
});
