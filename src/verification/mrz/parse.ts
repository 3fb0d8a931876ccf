// ICAO 9303 machine-readable zones (TD1 cards, TD2 cards, TD3 passports) to the shared document fields, with
// every check digit verified. Written by hand rather than with the `mrz` package: that one autocorrects what it
// reads (we want to see the raw characters and decide ourselves) and rejects state codes it does not know.
import countries from 'i18n-iso-countries';
import type { DateParts } from '../../domain/types.js';
import { emptyFields, type DocumentFields } from '../reading.js';
import { checkPasses, layoutFor, rulesFor, type CheckRule, type Layout, type MrzFormat } from './layout.js';

export interface MrzCheckResult {
  name: CheckRule['name'];
  ok: boolean;
}

export interface ParsedMrz {
  format: MrzFormat;
  lines: string[];
  /** The three-letter code as printed (`D<<` for Germany, `UTO` for specimens). */
  issuing_state: string;
  nationality: string;
  fields: DocumentFields;
  checks: MrzCheckResult[];
  /** Every check digit passed. */
  valid: boolean;
}

const EXTRA_ALPHA3: Record<string, string> = {
  // Germany writes a single `D`; the ISO code would have been DEU.
  D: 'DE',
};

/** ISO alpha-2 for an MRZ state code, or null for codes with none (UTO, XXA stateless, UNO…). */
export function alpha2Of(code: string): string | null {
  const c = code.replace(/</g, '');
  return EXTRA_ALPHA3[c] ?? countries.alpha3ToAlpha2(c) ?? null;
}

const nameText = (s: string): string | null => {
  const t = s.replace(/</g, ' ').trim().replace(/ +/g, ' ');
  return t === '' ? null : t;
};

/** `SURNAME<<GIVEN<NAMES<<<<` → last and first name; a field with no `<<` is all surname. */
export function splitName(field: string): { last_name: string | null; first_name: string | null } {
  const trimmed = field.replace(/<+$/, '');
  const at = trimmed.indexOf('<<');
  if (at < 0) return { last_name: nameText(trimmed), first_name: null };
  return { last_name: nameText(trimmed.slice(0, at)), first_name: nameText(trimmed.slice(at + 2)) };
}

/**
 * YYMMDD → date parts. Birth dates take the century that puts them in the past; expiry dates are 20xx (no
 * document issued to this century's rules expires in the 1900s).
 */
export function mrzDate(s: string, kind: 'dob' | 'expiry', today: Date = new Date()): DateParts | null {
  if (!/^\d{6}$/.test(s)) return null;
  const yy = Number(s.slice(0, 2));
  const month = Number(s.slice(2, 4));
  const day = Number(s.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  let year = 2000 + yy;
  if (kind === 'dob') {
    const todayKey = today.getUTCFullYear() * 10000 + (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
    if (year * 10000 + month * 100 + day > todayKey) year -= 100;
  }
  return { day, month, year };
}

const SEX: Record<string, DocumentFields['sex']> = { M: 'male', F: 'female', '<': 'unknown', X: 'unknown' };

const clean = (s: string): string | null => nameText(s)?.replace(/ /g, '') ?? null;

interface Positions {
  docCode: string;
  issuing: string;
  number: string;
  nationality: string;
  dob: string;
  sex: string;
  expiry: string;
  names: string;
}

function positions(layout: Layout, lines: string[], rules: CheckRule[]): Positions {
  if (layout.format === 'TD1') {
    const numberRule = rules.find((r) => r.name === 'number')!;
    const number = numberRule.covers.map(([l, a, b]) => lines[l].slice(a, b)).join('');
    return {
      docCode: lines[0].slice(0, 2),
      issuing: lines[0].slice(2, 5),
      number,
      dob: lines[1].slice(0, 6),
      sex: lines[1][7],
      expiry: lines[1].slice(8, 14),
      nationality: lines[1].slice(15, 18),
      names: lines[2],
    };
  }
  return {
    docCode: lines[0].slice(0, 2),
    issuing: lines[0].slice(2, 5),
    names: lines[0].slice(5),
    number: lines[1].slice(0, 9),
    nationality: lines[1].slice(10, 13),
    dob: lines[1].slice(13, 19),
    sex: lines[1][20],
    expiry: lines[1].slice(21, 27),
  };
}

/** Normalises the lines (upper case, no spaces) and recognises the format by line count and length. */
export function normaliseLines(input: string | readonly string[]): string[] {
  const raw = typeof input === 'string' ? input.split(/\r?\n/) : [...input];
  return raw.map((l) => l.toUpperCase().replace(/\s+/g, '')).filter((l) => l !== '');
}

/** Parses an MRZ; null when the text is not a TD1, TD2 or TD3 zone in the MRZ alphabet. */
export function parseMrz(input: string | readonly string[], today: Date = new Date()): ParsedMrz | null {
  const lines = normaliseLines(input);
  const layout = layoutFor(lines.length, lines[0]?.length ?? 0);
  if (!layout || lines.some((l) => l.length !== layout.width || !/^[A-Z0-9<]+$/.test(l))) return null;
  const rules = rulesFor(layout, lines);
  const checks = rules.map((r) => ({ name: r.name, ok: checkPasses(lines, r) }));
  const p = positions(layout, lines, rules);
  const fields = emptyFields();
  const kind = p.docCode[0];
  fields.type = layout.format === 'TD2' ? 'id_card' : kind === 'P' ? 'passport' : 'AIC'.includes(kind) ? 'id_card' : null;
  fields.issuing_country = alpha2Of(p.issuing);
  fields.number = clean(p.number);
  Object.assign(fields, splitName(p.names));
  fields.dob = mrzDate(p.dob, 'dob', today);
  fields.expiration_date = mrzDate(p.expiry, 'expiry', today);
  fields.sex = SEX[p.sex] ?? null;
  fields.unparsed_sex = p.sex;
  return {
    format: layout.format,
    lines,
    issuing_state: p.issuing,
    nationality: p.nationality,
    fields,
    checks,
    valid: checks.every((c) => c.ok),
  };
}
