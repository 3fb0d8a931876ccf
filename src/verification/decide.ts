// Live mode's decision: from what the engines read and measured to the report's checks and the session's
// last_error. Pure — no images, no I/O — so every rule is tested with plain values. The engines say what a
// document shows; this module says what that means for the verification.
import { LAST_ERROR_REASONS } from '../domain/last-errors.js';
import type { Checks, DateParts, DocumentCheck, DocumentType, LastError, LastErrorCode, Session } from '../domain/types.js';
import type { DocumentReadResult } from './engines.js';
import { emptyFields } from './reading.js';
import { type CollectedForPipeline, checksFor } from './testmode.js';

/** The document_unverified_other reasons live mode gives (shown to the person, so they say what to fix). */
export const DOCUMENT_REASONS = {
  unreadable: 'The machine-readable zone of the document could not be read. Retake the photo in good light, with the whole document in view.',
  barcodeUnreadable: 'The barcode on the back of the driving licence could not be read. Retake the photo of the back, flat and in focus.',
  checkDigits: 'The machine-readable data on the document is not consistent.',
  printedMismatch: 'The printed details on the document do not match its machine-readable data.',
  missingBack: 'A photo of the back of the document is needed.',
} as const;

export type SelfieCode = 'selfie_document_missing_photo' | 'selfie_unverified_other' | 'selfie_manipulated' | 'selfie_face_mismatch';

export interface SelfieDecision {
  code: SelfieCode | null;
  reason: string | null;
  /** The score fell in the review band: a person decides (the code then says what a rejection carries). */
  review: boolean;
  scores: Record<string, number | null>;
}

export type IdNumberCode = 'id_number_insufficient_document_data' | 'id_number_mismatch' | 'id_number_unverified_other';

export interface IdNumberDecision {
  status: 'verified' | 'unverified';
  code: IdNumberCode | null;
  reason: string | null;
  entered: {
    type: 'br_cpf' | 'sg_nric' | 'us_ssn';
    /** As the report may show it (the last four digits for a US SSN). */
    shown: string;
    first_name: string | null;
    last_name: string | null;
    dob: DateParts | null;
  };
}

export interface LiveEvidence {
  document: DocumentReadResult | null;
  selfie: SelfieDecision | null;
  idNumber: IdNumberDecision | null;
}

export interface LiveDecision {
  checks: Checks;
  lastError: LastError | null;
  /** Set when a person must decide before the session can complete. */
  review: Review | null;
}

/** Why a session waits for a person, and what a rejection then records. */
export interface Review {
  reason: string;
  reject: { check: 'document' | 'selfie'; code: LastErrorCode; reason: string };
}

export const REVIEW_REASONS = {
  faceBand: 'face match score in the review band',
  printedField: 'one printed detail differs from the machine-readable data',
} as const;

/**
 * A document date as a day number (days since the epoch); a partial date (no day, or no month) counts as its
 * last possible day: an expiry "2030" lasts the whole year, and a birth "1990" makes the person as young as
 * that year allows. null when not even the year is known.
 */
function lastDay(d: DateParts): number | null {
  if (d.year === null) return null;
  const month = d.month ?? 12;
  const day = d.day ?? new Date(Date.UTC(d.year, month, 0)).getUTCDate();
  return Date.UTC(d.year, month - 1, day) / 86_400_000;
}

export function isExpired(expiry: DateParts, today: Date): boolean {
  const last = lastDay(expiry);
  return last !== null && last < Math.floor(today.getTime() / 86_400_000);
}

/** Whole years lived on `today`; null when the year of birth is unknown. */
export function ageOn(dob: DateParts, today: Date): number | null {
  if (lastDay(dob) === null) return null;
  const month = dob.month ?? 12;
  const day = dob.day ?? new Date(Date.UTC(dob.year!, month, 0)).getUTCDate();
  const m = today.getUTCMonth() + 1;
  const d = today.getUTCDate();
  return today.getUTCFullYear() - dob.year! - (m < month || (m === month && d < day) ? 1 : 0);
}

/** The printed-zone fields whose disagreement with the machine-readable data counts against the document. */
export const PRINTED_FIELDS_COUNTED = ['number', 'dob', 'expiration_date'] as const;

type DocumentOutcome = { code: LastErrorCode | null; reason: string | null; held?: boolean };

function documentOutcome(s: Session, chosen: DocumentType | null, r: DocumentReadResult | null, hasBack: boolean, opts: DecideOptions): DocumentOutcome {
  const fail = (code: LastErrorCode, reason?: string): DocumentOutcome => ({ code, reason: reason ?? LAST_ERROR_REASONS[code] });
  const primary = r?.primary;
  if (!primary?.found) {
    if (chosen === 'driving_license' && !hasBack) return fail('document_unverified_other', DOCUMENT_REASONS.missingBack);
    return fail('document_unverified_other', chosen === 'driving_license' ? DOCUMENT_REASONS.barcodeUnreadable : DOCUMENT_REASONS.unreadable);
  }
  if (!primary.valid) return fail('document_unverified_other', DOCUMENT_REASONS.checkDigits);
  // Only the printed number and dates count: tesseract reads digits well, but it mangles names often enough
  // (SILVA read as "sia", OLIVIA as "ouvia" on clean synthetic passports) that a name "mismatch" is mostly
  // OCR noise; names are kept in the audit entry instead. Two disagreeing counted fields fail the document,
  // a single one goes to a person when review is on.
  const mismatches = r!.viz ? PRINTED_FIELDS_COUNTED.filter((f) => r!.viz!.fields[f] === 'mismatch').length : 0;
  if (mismatches >= 2 || (mismatches === 1 && !opts.review)) return fail('document_unverified_other', DOCUMENT_REASONS.printedMismatch);
  const held = mismatches === 1;
  const type = primary.fields.type ?? chosen;
  const allowed = s.options.document?.allowed_types;
  if (allowed && allowed.length > 0 && type && !allowed.includes(type)) return fail('document_type_not_supported');
  if (primary.fields.expiration_date && isExpired(primary.fields.expiration_date, opts.now)) return fail('document_expired');
  const age = primary.fields.dob ? ageOn(primary.fields.dob, opts.now) : null;
  if (age !== null && age < opts.minAge) return fail('under_supported_age');
  return { code: null, reason: null, held };
}

// The report's document error carries only the three document codes; an age failure is reported through the
// session's last_error with the check unverified (as Stripe's enum for the report's error allows no other code).
const DOCUMENT_ERROR_CODES = new Set<LastErrorCode>(['document_expired', 'document_type_not_supported', 'document_unverified_other']);

function documentCheck(chosen: DocumentType | null, r: DocumentReadResult | null, outcome: DocumentOutcome, files: string[] | null): DocumentCheck {
  const f = r?.primary?.found ? r.primary.fields : emptyFields();
  return {
    status: outcome.code ? 'unverified' : 'verified',
    error: outcome.code ? { code: DOCUMENT_ERROR_CODES.has(outcome.code) ? outcome.code : null, reason: outcome.reason } : null,
    address: f.address,
    dob: f.dob,
    expiration_date: f.expiration_date,
    files,
    first_name: f.first_name,
    issued_date: f.issued_date,
    issuing_country: f.issuing_country,
    last_name: f.last_name,
    number: f.number,
    sex: f.sex,
    type: f.type ?? chosen,
    unparsed_place_of_birth: f.unparsed_place_of_birth,
    unparsed_sex: f.unparsed_sex,
  };
}

export interface DecideOptions {
  now: Date;
  minAge: number;
  /** Manual review is on: borderline results wait for a person instead of failing. */
  review: boolean;
}

/** The checks a live submission ends with, its last_error (the first failing check's code), or a review. */
export function decideLive(s: Session, collected: CollectedForPipeline, ev: LiveEvidence, opts: DecideOptions): LiveDecision {
  const want = checksFor(s);
  const checks: Checks = {};
  const failures: LastError[] = [];
  let review: LiveDecision['review'] = null;

  if (want.document) {
    const outcome = documentOutcome(s, collected.document_type, ev.document, collected.back !== null, opts);
    const files = collected.front ? [collected.front, ...(collected.back ? [collected.back] : [])] : null;
    checks.document = documentCheck(collected.document_type, ev.document, outcome, files);
    if (outcome.code) failures.push({ code: outcome.code, reason: outcome.reason });
    if (outcome.held)
      review = {
        reason: REVIEW_REASONS.printedField,
        reject: { check: 'document', code: 'document_unverified_other', reason: DOCUMENT_REASONS.printedMismatch },
      };
  }
  if (want.selfie) {
    const sd = ev.selfie ?? { code: 'selfie_unverified_other' as const, reason: null, review: false, scores: {} };
    // A score in the review band is proposed as a pass for the reviewer to confirm — but only when everything
    // else passed; otherwise there is nothing worth a person's time and the selfie fails with its code.
    const held = sd.review && failures.length === 0;
    const rejectCode = sd.code ?? 'selfie_face_mismatch';
    if (held) review ??= { reason: REVIEW_REASONS.faceBand, reject: { check: 'selfie', code: rejectCode, reason: LAST_ERROR_REASONS[rejectCode] } };
    const code = held ? null : sd.code;
    checks.selfie = {
      status: code ? 'unverified' : 'verified',
      error: code ? { code, reason: sd.reason ?? LAST_ERROR_REASONS[code] } : null,
      document: collected.front,
      selfie: collected.selfie,
    };
    if (code) failures.push({ code, reason: sd.reason ?? LAST_ERROR_REASONS[code] });
  }
  if (want.id_number) {
    const id = ev.idNumber;
    const code: IdNumberCode = id?.code ?? 'id_number_unverified_other';
    const ok = id?.status === 'verified';
    checks.id_number = {
      status: ok ? 'verified' : 'unverified',
      error: ok ? null : { code, reason: id?.reason ?? LAST_ERROR_REASONS[code] },
      dob: id?.entered.dob ?? null,
      first_name: id?.entered.first_name ?? null,
      id_number: id?.entered.shown ?? null,
      id_number_type: id?.entered.type ?? collected.id_number_type,
      last_name: id?.entered.last_name ?? null,
    };
    if (!ok) failures.push({ code, reason: id?.reason ?? LAST_ERROR_REASONS[code] });
  }
  // The hosted page accepts a submission only after the one-time codes were confirmed.
  if (s.options.email?.require_verification) checks.email = { status: 'verified', error: null, email: s.provided_details?.email ?? null };
  if (s.options.phone?.require_verification) checks.phone = { status: 'verified', error: null, phone: s.provided_details?.phone ?? null };

  const lastError = failures[0] ?? null;
  return { checks, lastError, review: lastError ? null : review };
}
