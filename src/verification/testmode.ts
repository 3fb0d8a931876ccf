// Test mode's simulated checks: the documented test data a "verified" outcome writes, and the failed check
// an "unverified" outcome writes. Live mode replaces this module's role with real engines; the rest of the
// path (report, status, events) is the same.
import { LAST_ERROR_REASONS, checkOf } from '../domain/last-errors.js';
import type { Checks, DocumentCheck, DocumentType, LastError, LastErrorCode, Session } from '../domain/types.js';

export type SimulatedOutcome = { kind: 'verify' } | { kind: 'unverify'; code: LastErrorCode };

/**
 * What the hosted page collected, as the submission's job carries it (file ids and choices only: the job row
 * is not sealed). A tester who walked the real flow gets a report that names their own uploads.
 */
export interface CollectedForPipeline {
  document_type: DocumentType | null;
  front: string | null;
  back: string | null;
  selfie: string | null;
  id_number_type: 'br_cpf' | 'sg_nric' | 'us_ssn' | null;
}

/** The identity every verified test session reports (the person in Stripe's own examples). */
export const TEST_PERSON = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 1, month: 1, year: 1990 },
  address: { city: 'San Francisco', country: 'US', line1: '1234 Main St.', line2: null, postal_code: '94111', state: 'CA' },
  document_number: '000000000',
  expiration_date: { day: 1, month: 12, year: 2030 },
  issued_date: { day: 1, month: 12, year: 2020 },
  id_number_last4: '0000',
} as const;

/** Which checks a session runs, from its type and options. */
export function checksFor(s: Session): { document: boolean; selfie: boolean; id_number: boolean } {
  const doc = s.type !== 'id_number';
  return {
    document: doc,
    selfie: doc && s.options.document?.require_matching_selfie === true,
    id_number: s.type === 'id_number' || s.options.document?.require_id_number === true,
  };
}

/** Whether a code can describe a failure of this session (a selfie code needs a selfie check, …). */
export function codeApplies(s: Session, code: LastErrorCode): boolean {
  const c = checksFor(s);
  switch (checkOf(code)) {
    case 'session':
      return true;
    case 'document':
      return c.document;
    case 'selfie':
      return c.selfie;
    case 'id_number':
      return c.id_number;
    case 'email':
      return s.options.email?.require_verification === true;
    case 'phone':
      return s.options.phone?.require_verification === true;
  }
}

export function defaultFailureCode(s: Session): LastErrorCode {
  return s.type === 'id_number' ? 'id_number_unverified_other' : 'document_unverified_other';
}

const DOC_CODES = new Set(['document_expired', 'document_type_not_supported', 'document_unverified_other']);

/** The report checks and last_error a simulated outcome produces. */
export function simulateChecks(
  s: Session,
  outcome: SimulatedOutcome,
  collected: CollectedForPipeline | null = null,
): { checks: Checks; lastError: LastError | null } {
  const c = checksFor(s);
  const failed = outcome.kind === 'unverify' ? outcome.code : null;
  const failedCheck = failed ? checkOf(failed) : null;
  const err = (check: string) =>
    failed && failedCheck === check ? { code: failed as string, reason: LAST_ERROR_REASONS[failed] } : null;
  const checks: Checks = {};
  if (c.document) {
    const e = err('document');
    checks.document = testDocument(s, e ? { code: DOC_CODES.has(e.code) ? e.code : null, reason: e.reason } : null, failed, collected);
  }
  if (c.selfie) {
    const e = err('selfie');
    checks.selfie = { status: e ? 'unverified' : 'verified', error: e, document: collected?.front ?? null, selfie: collected?.selfie ?? null };
  }
  if (c.id_number) {
    const e = err('id_number');
    checks.id_number = {
      status: e ? 'unverified' : 'verified',
      error: e,
      dob: { ...TEST_PERSON.dob },
      first_name: TEST_PERSON.first_name,
      id_number: TEST_PERSON.id_number_last4,
      id_number_type: collected?.id_number_type ?? 'us_ssn',
      last_name: TEST_PERSON.last_name,
    };
  }
  if (s.options.email?.require_verification) {
    const e = err('email');
    checks.email = { status: e ? 'unverified' : 'verified', error: e, email: s.provided_details?.email ?? null };
  }
  if (s.options.phone?.require_verification) {
    const e = err('phone');
    checks.phone = { status: e ? 'unverified' : 'verified', error: e, phone: s.provided_details?.phone ?? null };
  }
  return { checks, lastError: failed ? { code: failed, reason: LAST_ERROR_REASONS[failed] } : null };
}

function testDocument(
  s: Session,
  error: DocumentCheck['error'],
  failed: LastErrorCode | null,
  collected: CollectedForPipeline | null,
): DocumentCheck {
  const allowed = s.options.document?.allowed_types;
  let type: DocumentType = collected?.document_type ?? (allowed && allowed.length > 0 ? allowed[0] : 'driving_license');
  if (failed === 'document_type_not_supported') {
    type = (['driving_license', 'id_card', 'passport'] as const).find((t) => !allowed?.includes(t)) ?? 'id_card';
  }
  return {
    status: error ? 'unverified' : 'verified',
    error,
    address: { ...TEST_PERSON.address },
    dob: failed === 'under_supported_age' ? { day: 1, month: 1, year: new Date().getUTCFullYear() - 10 } : { ...TEST_PERSON.dob },
    expiration_date: failed === 'document_expired' ? { day: 1, month: 12, year: 2020 } : { ...TEST_PERSON.expiration_date },
    files: collected?.front ? [collected.front, ...(collected.back ? [collected.back] : [])] : null,
    first_name: TEST_PERSON.first_name,
    issued_date: { ...TEST_PERSON.issued_date },
    issuing_country: 'US',
    last_name: TEST_PERSON.last_name,
    number: TEST_PERSON.document_number,
    sex: 'female',
    type,
    unparsed_place_of_birth: null,
    unparsed_sex: null,
  };
}
