// Reads the AAMVA DL/ID card design standard payload carried by the PDF417 symbol on the back of US and
// Canadian driving licences (versions 1–10) into the shared document fields.
//
// Layout: compliance indicator `@`, the data element separator (LF), record separator (RS) and segment
// terminator (CR); the file type `ANSI ` (`AAMVA` on some version-1 cards); the issuer identification number
// (6 digits); the AAMVA version (2); from version 2 on the jurisdiction version (2); the number of subfiles
// (2); then one designator per subfile (type, offset, length: 2 + 4 + 4), then the subfiles. Each subfile
// starts with its type (`DL`, `ID`, `Z?`) and holds elements `XXXvalue` separated by LF, ending with CR.
//
// Scanners and card printers disagree about the separators (CRLF, a lone CR, dropped control characters) and
// offsets are often wrong on real cards, so the designators are trusted only when they land on the subfile.
import type { Address, DateParts } from '../../domain/types.js';
import { emptyFields, type DocumentFields, type SourceReading } from '../reading.js';

export interface AamvaHeader {
  iin: string;
  version: number;
  jurisdictionVersion: number | null;
  entries: number;
  /** Where the subfile designators start. */
  end: number;
}

// Not anchored: some scanners prefix the text with their own bytes.
const HEADER = /@[\s\x1c\x1e]*(?:ANSI ?|AAMVA)(\d{6})(\d{2})(\d{2})(\d{2})?/;

/** The file header; version-1 files have no jurisdiction version, so the third pair is already the count. */
export function parseHeader(payload: string): AamvaHeader | null {
  const m = HEADER.exec(payload);
  if (!m) return null;
  const version = Number(m[2]);
  const end = m.index + m[0].length;
  if (version <= 1) return { iin: m[1], version, jurisdictionVersion: null, entries: Number(m[3]), end: end - (m[4] ? 2 : 0) };
  if (m[4] === undefined) return null;
  return { iin: m[1], version, jurisdictionVersion: Number(m[3]), entries: Number(m[4]), end };
}

/** The DL (or ID) subfile's text, from its type onwards, found by its designator or else by searching. */
function locateSubfile(payload: string, header: AamvaHeader | null): { type: 'DL' | 'ID'; text: string } | null {
  const start = header?.end ?? 0;
  if (header) {
    for (let i = 0; i < header.entries; i++) {
      const d = /^([A-Z]{2})(\d{4})(\d{4})/.exec(payload.slice(start + i * 10, start + i * 10 + 10));
      if (!d || (d[1] !== 'DL' && d[1] !== 'ID')) continue;
      const offset = Number(d[2]);
      if (payload.startsWith(d[1], offset)) return { type: d[1], text: payload.slice(offset) };
    }
  }
  // The subfile type is immediately followed by its first element (`DLDAQ…`, `DLDCA…`).
  const m = /(DL|ID)(?=D[A-Z]{2})/.exec(payload.slice(start));
  if (!m) return null;
  return { type: m[1] as 'DL' | 'ID', text: payload.slice(start + m.index) };
}

/** The subfile's elements: the first occurrence of each id wins; reading stops where the subfile ends. */
export function parseElements(subfile: string): Map<string, string> {
  const elements = new Map<string, string>();
  const lines = subfile.slice(2).split(/[\r\n\x1e\x1c]+/);
  for (const [i, line] of lines.entries()) {
    if (!/^D[A-Z]{2}/.test(line)) {
      if (i === 0 || line === '') continue;
      break; // the next subfile (`ZCZCA…`) or trailing junk
    }
    const id = line.slice(0, 3);
    if (!elements.has(id)) elements.set(id, line.slice(3));
  }
  return elements;
}

const CANADIAN_PROVINCES = new Set(['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT']);

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(year: number, month: number, day: number): DateParts | null {
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return null;
  return { day, month, year };
}

/**
 * An 8-digit date: MMDDCCYY in the US, CCYYMMDD in Canada (and on many version-1 cards). The two orders
 * cannot both be valid (a month is never 19–21), so the other order is tried when the expected one fails.
 */
export function parseAamvaDate(raw: string | undefined, yearFirst: boolean): DateParts | null {
  const s = raw?.trim() ?? '';
  if (!/^\d{8}$/.test(s)) return null;
  const ymd = () => validDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8)));
  const mdy = () => validDate(Number(s.slice(4, 8)), Number(s.slice(0, 2)), Number(s.slice(2, 4)));
  return yearFirst ? (ymd() ?? mdy()) : (mdy() ?? ymd());
}

/** DAK: a US ZIP padded to ZIP+4 with zeros and spaces, or a Canadian postal code with or without its space. */
export function parsePostalCode(raw: string | undefined): string | null {
  const s = raw?.replace(/\s+/g, '') ?? '';
  if (!s) return null;
  const us = /^(\d{5})-?(\d{4})?\d*$/.exec(s);
  if (us) return us[2] && us[2] !== '0000' ? `${us[1]}-${us[2]}` : us[1];
  const ca = /^([A-Z]\d[A-Z])(\d[A-Z]\d)$/i.exec(s);
  if (ca) return `${ca[1]} ${ca[2]}`.toUpperCase();
  return s;
}

/** Jurisdictions write "NONE" or "unavl" where a name part is absent. */
function present(value: string | undefined): string | null {
  const v = value?.trim();
  if (!v || /^(NONE|UNAVL|UNAVAILABLE|UNKNOWN)$/i.test(v)) return null;
  return v;
}

function names(e: Map<string, string>): { first: string | null; last: string | null } {
  let last = present(e.get('DCS')) ?? present(e.get('DAB'));
  let given = present(e.get('DAC')) ?? present(e.get('DCT'))?.replace(/\s*,\s*/g, ' ') ?? null;
  let middle = present(e.get('DAD'));
  const full = present(e.get('DAA'));
  if (full && (!last || !given)) {
    // Version 1: LAST,FIRST,MIDDLE (some cards use spaces after the commas)
    const parts = full.split(',').map((p) => p.trim());
    last ??= parts[0] || null;
    given ??= parts[1] || null;
    middle ??= parts.slice(2).join(' ') || null;
  }
  const first = given ? [given, middle].filter(Boolean).join(' ') : null;
  return { first, last };
}

const SEX: Record<string, DocumentFields['sex']> = { '1': 'male', M: 'male', '2': 'female', F: 'female', '9': 'unknown', X: 'unknown' };

function country(e: Map<string, string>, state: string | null): string | null {
  const dcg = e.get('DCG')?.trim().toUpperCase();
  if (dcg === 'USA') return 'US';
  if (dcg === 'CAN') return 'CA';
  if (state) return CANADIAN_PROVINCES.has(state) ? 'CA' : 'US';
  return null;
}

function fail(raw: string, notes: string[], found = true): SourceReading {
  return { source: 'pdf417', found, valid: false, fields: emptyFields(), notes, raw };
}

/** The AAMVA payload read into document fields; `valid` when the essential identity elements are all there. */
export function parseAamva(payload: string): SourceReading {
  const notes: string[] = [];
  const header = parseHeader(payload);
  if (!header) notes.push('AAMVA header not recognised');
  else notes.push(`AAMVA version ${header.version}, issuer ${header.iin}`);
  const subfile = locateSubfile(payload, header);
  if (!subfile) return fail(payload, [...notes, 'no DL or ID subfile in the payload']);
  const e = parseElements(subfile.text);

  const state = present(e.get('DAJ'))?.toUpperCase() ?? null;
  const issuingCountry = country(e, state);
  const yearFirst = issuingCountry === 'CA' || (header?.version ?? 1) <= 1;
  const { first, last } = names(e);
  const rawSex = e.get('DBC')?.trim().toUpperCase() ?? null;
  const address: Address = {
    line1: present(e.get('DAG')),
    line2: present(e.get('DAH')),
    city: present(e.get('DAI')),
    state,
    postal_code: parsePostalCode(e.get('DAK')),
    country: issuingCountry,
  };
  const fields: DocumentFields = {
    ...emptyFields(),
    type: subfile.type === 'DL' ? 'driving_license' : 'id_card',
    issuing_country: issuingCountry,
    number: present(e.get('DAQ')),
    first_name: first,
    last_name: last,
    dob: parseAamvaDate(e.get('DBB'), yearFirst),
    expiration_date: parseAamvaDate(e.get('DBA'), yearFirst),
    issued_date: parseAamvaDate(e.get('DBD'), yearFirst),
    sex: rawSex ? (SEX[rawSex] ?? 'unknown') : null,
    unparsed_sex: rawSex,
    address: Object.values(address).some((v) => v !== null) ? address : null,
  };

  for (const [id, part] of [['DDE', 'last name'], ['DDF', 'first name'], ['DDG', 'middle name']] as const) {
    if (e.get(id)?.trim() === 'T') notes.push(`${part} truncated on the card`);
  }
  const missing = (
    [
      ['number (DAQ)', fields.number],
      ['last name', fields.last_name],
      ['first name', fields.first_name],
      ['date of birth (DBB)', fields.dob],
    ] as const
  )
    .filter(([, v]) => v === null)
    .map(([name]) => name);
  if (e.has('DBA') && !fields.expiration_date) notes.push(`expiry date unreadable: ${e.get('DBA')}`);
  if (missing.length) return { source: 'pdf417', found: true, valid: false, fields, notes: [...notes, `missing or unreadable: ${missing.join(', ')}`], raw: payload };
  return { source: 'pdf417', found: true, valid: true, fields, notes, raw: payload };
}
