// The ID number check: the number's own rules, then the name and date of birth against the document when one
// was read, then the registry lookup. The lookup (Stripe asks the issuing authority or a credit bureau) needs
// an outside service, so it is a provider the operator plugs in; with none, no ID number can be verified.
import { type IdNumberType, idNumberValid, normaliseIdNumber } from '../domain/id-numbers.js';
import { LAST_ERROR_REASONS } from '../domain/last-errors.js';
import type { DateParts } from '../domain/types.js';
import type { DocumentFields } from './reading.js';

export interface IdNumberInput {
  type: IdNumberType;
  number: string;
  first_name: string | null;
  last_name: string | null;
  dob: DateParts | null;
}

/** A registry that knows who holds a number. Given the normalised number. */
export interface IdNumberProvider {
  lookup(q: { type: IdNumberType; number: string; first_name: string; last_name: string; dob: DateParts }): Promise<'match' | 'mismatch' | 'not_found'>;
}

export type IdNumberCode = 'id_number_insufficient_document_data' | 'id_number_mismatch' | 'id_number_unverified_other';

export interface IdNumberResult {
  status: 'verified' | 'unverified';
  code: IdNumberCode | null;
  reason: string | null;
}

export const NO_ID_NUMBER_PROVIDER = 'No ID number provider is configured';
export const ID_NUMBER_DETAILS_MISSING = 'The name and date of birth are needed to verify the ID number.';

const unverified = (code: IdNumberCode, reason: string = LAST_ERROR_REASONS[code]): IdNumberResult => ({ status: 'unverified', code, reason });

/**
 * Checks an entered ID number. A provider that throws is not a verdict: the error propagates, so the job
 * that runs the check can retry it later instead of failing the person for an outage.
 */
export async function checkIdNumber(
  input: IdNumberInput,
  document: DocumentFields | null,
  provider: IdNumberProvider | null,
): Promise<IdNumberResult> {
  if (!idNumberValid(input.type, input.number, { livemode: true })) return unverified('id_number_unverified_other');
  const { first_name, last_name, dob } = input;
  if (!first_name || !last_name || !completeDate(dob)) return unverified('id_number_unverified_other', ID_NUMBER_DETAILS_MISSING);
  if (document) {
    if (!document.first_name || !document.last_name || !completeDate(document.dob)) return unverified('id_number_insufficient_document_data');
    const same =
      namesMatch(last_name, document.last_name, false) && namesMatch(first_name, document.first_name, true) && sameDate(dob, document.dob);
    if (!same) return unverified('id_number_mismatch');
  }
  if (!provider) return unverified('id_number_unverified_other', NO_ID_NUMBER_PROVIDER);
  const answer = await provider.lookup({ type: input.type, number: normaliseIdNumber(input.number), first_name, last_name, dob });
  return answer === 'match' ? { status: 'verified', code: null, reason: null } : unverified('id_number_mismatch');
}

/** The number as a report may show it: a US SSN only ever by its last four digits. */
export function idNumberForReport(type: IdNumberType, number: string): string {
  const n = normaliseIdNumber(number);
  return type === 'us_ssn' ? n.slice(-4) : n;
}

function completeDate(d: DateParts | null): d is { day: number; month: number; year: number } {
  return d !== null && d.day !== null && d.month !== null && d.year !== null;
}

const sameDate = (a: DateParts, b: DateParts) => a.day === b.day && a.month === b.month && a.year === b.year;

// The MRZ spells letters its own way (ICAO 9303 transliteration: Ü → UE, ß → SS), the printed zone keeps
// the accents and people type either, so a letter may be compared in both spellings.
const TRANSLITERATIONS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', å: 'aa', æ: 'ae', ø: 'oe', ß: 'ss', þ: 'th', œ: 'oe' };

/** The name's spellings, as lists of words of lower-case letters (no accents, hyphens, apostrophes). */
function spellings(name: string): string[][] {
  const lower = name.toLowerCase();
  const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
  const words = (s: string) => plain(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const icao = lower.replace(/[äöüåæøßþœ]/g, (c) => TRANSLITERATIONS[c]);
  return [words(lower.replace(/[æøßþœ]/g, (c) => TRANSLITERATIONS[c])), words(icao)];
}

/**
 * Whether an entered name is the document's. Hyphens and spaces do not count (`Jean-Pierre` is `JEAN PIERRE`).
 * For given names the person may type only the first of those the document lists (`Anna` for `ANNA MARIA`).
 */
export function namesMatch(entered: string, onDocument: string, givenNames: boolean): boolean {
  for (const e of spellings(entered)) {
    for (const d of spellings(onDocument)) {
      if (e.length === 0 || d.length === 0) continue;
      if (e.join('') === d.join('')) return true;
      if (givenNames && e.length < d.length && e.every((w, i) => w === d[i])) return true;
    }
  }
  return false;
}
