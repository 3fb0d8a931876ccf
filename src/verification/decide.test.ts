import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from '../../test/identity.js';
import { LAST_ERROR_REASONS } from '../domain/last-errors.js';
import type { Session, SessionOptions } from '../domain/types.js';
import type { DocumentReadResult } from './engines.js';
import { DOCUMENT_REASONS, REVIEW_REASONS, type IdNumberDecision, type LiveEvidence, type SelfieDecision, ageOn, decideLive, isExpired } from './decide.js';
import type { DocumentFields } from './reading.js';
import { SPECIMEN_PASSPORT } from './test-kit.js';
import type { CollectedForPipeline } from './testmode.js';

const NOW = new Date(Date.UTC(2026, 10, 26, 12));
const OPTS = { now: NOW, minAge: 18, review: true };

function session(options: SessionOptions, type: Session['type'] = 'document'): Session {
  return {
    id: 'vs_1', livemode: true, created: 0, status: 'processing', type, client_reference_id: null, metadata: {}, options,
    provided_details: null, related_customer: null, related_customer_account: null, related_person: null, return_url: null,
    verification_flow: null, last_error: null, last_report_id: null, redaction_status: null, client_secret: null,
    client_secret_expires: null, url_token: null, url_expires: null, version: 0,
  };
}

const PASSPORT: DocumentFields = SPECIMEN_PASSPORT;

function read(fields: Partial<DocumentFields> = {}, over: Partial<NonNullable<DocumentReadResult['primary']>> = {}, mismatched = 0): DocumentReadResult {
  const names = ['number', 'dob', 'expiration_date', 'last_name'];
  return {
    primary: { source: 'mrz', found: true, valid: true, fields: { ...PASSPORT, ...fields }, notes: [], raw: null, ...over },
    viz: { agrees: mismatched === 0, fields: Object.fromEntries(names.map((n, i) => [n, i < mismatched ? 'mismatch' : 'match'])), ms: 1 },
    portrait: null,
    timings: {},
  };
}

const COLLECTED: CollectedForPipeline = { document_type: 'passport', front: 'file_front', back: null, selfie: 'file_selfie', id_number_type: null };
const ev = (document: DocumentReadResult | null, more: Partial<LiveEvidence> = {}): LiveEvidence => ({ document, selfie: null, idNumber: null, ...more });
const selfie = (over: Partial<SelfieDecision> = {}): SelfieDecision => ({ code: null, reason: null, review: false, scores: { similarity: 0.9 }, ...over });

describe('decideLive: the document check', () => {
  it('verifies a readable, consistent, valid document and reports its fields', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read()), OPTS);
    assert.equal(d.lastError, null, show(d));
    assert.equal(d.checks.document?.status, 'verified');
    assert.deepEqual(d.checks.document?.files, ['file_front']);
    assert.equal(d.checks.document?.last_name, 'ERIKSSON');
    assert.equal(d.checks.document?.type, 'passport');
    assert.deepEqual(d.checks.document?.dob, { day: 12, month: 3, year: 1985 });
  });

  it('fails with document_unverified_other when the zone was not found', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({}, { found: false })), OPTS);
    assert.deepEqual(d.lastError, { code: 'document_unverified_other', reason: DOCUMENT_REASONS.unreadable }, show(d));
    assert.equal(d.checks.document?.first_name, null, 'nothing read, nothing reported');
  });

  it('fails a licence whose barcode could not be read with the barcode reason', () => {
    const c = { ...COLLECTED, document_type: 'driving_license' as const, back: 'file_back' };
    const d = decideLive(session({ document: {} }), c, ev({ ...read(), primary: null }), OPTS);
    assert.equal(d.lastError?.reason, DOCUMENT_REASONS.barcodeUnreadable, show(d));
  });

  it('fails when the check digits do not add up', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({}, { valid: false })), OPTS);
    assert.deepEqual(d.lastError, { code: 'document_unverified_other', reason: DOCUMENT_REASONS.checkDigits }, show(d));
  });

  it('fails when two printed details disagree with the machine-readable zone', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({}, {}, 2)), OPTS);
    assert.equal(d.lastError?.reason, DOCUMENT_REASONS.printedMismatch, show(d));
    assert.equal(d.review, null);
  });

  it('sends a single disagreeing printed detail to review, a rejection failing the document', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({}, {}, 1)), OPTS);
    assert.equal(d.lastError, null, show(d));
    assert.equal(d.review?.reason, REVIEW_REASONS.printedField, show(d));
    assert.deepEqual(d.review?.reject, { check: 'document', code: 'document_unverified_other', reason: DOCUMENT_REASONS.printedMismatch });
  });

  it('does not count a printed name that differs (OCR mangles names): recorded, not decisive', () => {
    const r = read();
    r.viz = { agrees: false, fields: { last_name: 'mismatch', first_name: 'mismatch', number: 'match' }, ms: 1 };
    const d = decideLive(session({ document: {} }), COLLECTED, ev(r), OPTS);
    assert.equal(d.lastError, null, show(d));
    assert.equal(d.review, null, show(d));
  });

  it('fails a single disagreeing printed detail when review is off', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({}, {}, 1)), { ...OPTS, review: false });
    assert.equal(d.lastError?.reason, DOCUMENT_REASONS.printedMismatch, show(d));
  });

  it('fails with document_type_not_supported when the document read is not an allowed type', () => {
    const d = decideLive(session({ document: { allowed_types: ['driving_license', 'id_card'] } }), { ...COLLECTED, document_type: 'id_card' }, ev(read()), OPTS);
    assert.equal(d.lastError?.code, 'document_type_not_supported', show(d));
    assert.equal(d.checks.document?.error?.code, 'document_type_not_supported');
    assert.equal(d.checks.document?.type, 'passport', 'the type the document says, not the one chosen');
  });

  it('fails with document_expired the day after the expiry date', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({ expiration_date: { day: 25, month: 11, year: 2026 } })), OPTS);
    assert.equal(d.lastError?.code, 'document_expired', show(d));
    const sameDay = decideLive(session({ document: {} }), COLLECTED, ev(read({ expiration_date: { day: 26, month: 11, year: 2026 } })), OPTS);
    assert.equal(sameDay.lastError, null, show(sameDay));
  });

  it('fails with under_supported_age below the configured age, the report error carrying no document code', () => {
    const d = decideLive(session({ document: {} }), COLLECTED, ev(read({ dob: { day: 27, month: 11, year: 2008 } })), OPTS);
    assert.equal(d.lastError?.code, 'under_supported_age', show(d));
    assert.deepEqual(d.checks.document?.error, { code: null, reason: LAST_ERROR_REASONS.under_supported_age });
    const older = decideLive(session({ document: {} }), COLLECTED, ev(read({ dob: { day: 27, month: 11, year: 2008 } })), { ...OPTS, minAge: 16 });
    assert.equal(older.lastError, null, show(older));
  });
});

describe('decideLive: selfie, ID number, order of failures, review', () => {
  const withSelfie = session({ document: { require_matching_selfie: true } });

  it('reports the selfie check with both file ids', () => {
    const d = decideLive(withSelfie, COLLECTED, ev(read(), { selfie: selfie() }), OPTS);
    assert.deepEqual(d.checks.selfie, { status: 'verified', error: null, document: 'file_front', selfie: 'file_selfie' }, show(d));
  });

  it('fails with the selfie code when the faces do not match', () => {
    const d = decideLive(withSelfie, COLLECTED, ev(read(), { selfie: selfie({ code: 'selfie_face_mismatch' }) }), OPTS);
    assert.deepEqual(d.lastError, { code: 'selfie_face_mismatch', reason: LAST_ERROR_REASONS.selfie_face_mismatch }, show(d));
  });

  it('names the document failure first when both checks fail', () => {
    const d = decideLive(withSelfie, COLLECTED, ev(read({}, { valid: false }), { selfie: selfie({ code: 'selfie_face_mismatch' }) }), OPTS);
    assert.equal(d.lastError?.code, 'document_unverified_other', show(d));
    assert.equal(d.checks.selfie?.status, 'unverified');
  });

  it('asks for a review when the face score is in the band and everything else passed', () => {
    const d = decideLive(withSelfie, COLLECTED, ev(read(), { selfie: selfie({ review: true, code: 'selfie_face_mismatch' }) }), OPTS);
    assert.equal(d.review?.reason, REVIEW_REASONS.faceBand, show(d));
    assert.deepEqual(d.review?.reject, { check: 'selfie', code: 'selfie_face_mismatch', reason: LAST_ERROR_REASONS.selfie_face_mismatch });
    assert.equal(d.lastError, null, show(d));
    assert.equal(d.checks.selfie?.status, 'verified', 'what approval would confirm');
  });

  it('does not ask for a review when the document failed anyway', () => {
    const d = decideLive(withSelfie, COLLECTED, ev(read({}, { valid: false }), { selfie: selfie({ review: true, code: 'selfie_face_mismatch' }) }), OPTS);
    assert.equal(d.review, null, show(d));
    assert.equal(d.lastError?.code, 'document_unverified_other');
    assert.equal(d.checks.selfie?.error?.code, 'selfie_face_mismatch', 'fails closed');
  });

  it('reports the ID number as entered, shortened as the decision gave it', () => {
    const idn: IdNumberDecision = {
      status: 'verified', code: null, reason: null,
      entered: { type: 'us_ssn', shown: '6789', first_name: 'Anna', last_name: 'Eriksson', dob: { day: 12, month: 3, year: 1985 } },
    };
    const d = decideLive(session({ id_number: {} }, 'id_number'), { ...COLLECTED, document_type: null, id_number_type: 'us_ssn' }, ev(null, { idNumber: idn }), OPTS);
    assert.equal(d.lastError, null, show(d));
    assert.equal(d.checks.document, undefined);
    assert.equal(d.checks.id_number?.id_number, '6789');
  });

  it('fails the ID number check with id_number_unverified_other when nothing decided it', () => {
    const d = decideLive(session({ id_number: {} }, 'id_number'), { ...COLLECTED, document_type: null }, ev(null), OPTS);
    assert.equal(d.lastError?.code, 'id_number_unverified_other', show(d));
  });
});

describe('dates', () => {
  it('treats a partial expiry as lasting to the end of its year or month', () => {
    assert.equal(isExpired({ day: null, month: null, year: 2026 }, NOW), false);
    assert.equal(isExpired({ day: null, month: 10, year: 2026 }, NOW), true);
  });

  it('counts whole years, the birthday itself included', () => {
    assert.equal(ageOn({ day: 26, month: 11, year: 2008 }, NOW), 18);
    assert.equal(ageOn({ day: 27, month: 11, year: 2008 }, NOW), 17);
    assert.equal(ageOn({ day: null, month: null, year: null }, NOW), null);
  });
});
