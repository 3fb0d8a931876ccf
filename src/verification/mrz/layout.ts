// Where every field sits in the three ICAO 9303 machine-readable zones, and which characters each position may
// hold. The parser reads fields through it, and the reader uses the same table to restrict each glyph to the
// characters its position allows and to know which positions each check digit protects.

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

/** What a position may hold: A = letters and filler, 9 = digits, X = letters, digits and filler, S = sex. */
export type Slot = 'A' | '9' | 'X' | 'S' | 'C';

/** A run of characters on one line: [line, start, end) . */
export type Span = readonly [line: number, start: number, end: number];

export interface CheckRule {
  name: 'number' | 'dob' | 'expiry' | 'personal_number' | 'composite';
  /** The check digit's own position. */
  digit: readonly [line: number, pos: number];
  /** The characters it covers, in the order ICAO weights them. */
  covers: readonly Span[];
  /** ICAO lets an unused optional field carry `<` as its check digit. */
  fillerAllowed?: boolean;
}

export interface Layout {
  format: MrzFormat;
  lines: number;
  width: number;
  /** One slot per position, per line. */
  slots: readonly string[];
  checks: readonly CheckRule[];
}

const TD3: Layout = {
  format: 'TD3',
  lines: 2,
  width: 44,
  slots: [
    'AA' + 'AAA' + 'A'.repeat(39),
    'XXXXXXXXX' + 'C' + 'AAA' + '999999' + 'C' + 'S' + '999999' + 'C' + 'X'.repeat(14) + 'C' + 'C',
  ],
  checks: [
    { name: 'number', digit: [1, 9], covers: [[1, 0, 9]] },
    { name: 'dob', digit: [1, 19], covers: [[1, 13, 19]] },
    { name: 'expiry', digit: [1, 27], covers: [[1, 21, 27]] },
    { name: 'personal_number', digit: [1, 42], covers: [[1, 28, 42]], fillerAllowed: true },
    { name: 'composite', digit: [1, 43], covers: [[1, 0, 10], [1, 13, 20], [1, 21, 43]] },
  ],
};

const TD2: Layout = {
  format: 'TD2',
  lines: 2,
  width: 36,
  slots: [
    'AA' + 'AAA' + 'A'.repeat(31),
    'XXXXXXXXX' + 'C' + 'AAA' + '999999' + 'C' + 'S' + '999999' + 'C' + 'X'.repeat(7) + 'C',
  ],
  checks: [
    { name: 'number', digit: [1, 9], covers: [[1, 0, 9]] },
    { name: 'dob', digit: [1, 19], covers: [[1, 13, 19]] },
    { name: 'expiry', digit: [1, 27], covers: [[1, 21, 27]] },
    { name: 'composite', digit: [1, 35], covers: [[1, 0, 10], [1, 13, 20], [1, 21, 35]] },
  ],
};

// TD1's number check digit may be `<` when the number overflows into the optional field (see parse.ts); the
// reader treats position 14 as "digit or filler" and the parser sorts out which case it is.
const TD1: Layout = {
  format: 'TD1',
  lines: 3,
  width: 30,
  slots: [
    'AA' + 'AAA' + 'XXXXXXXXX' + 'C' + 'X'.repeat(15),
    '999999' + 'C' + 'S' + '999999' + 'C' + 'AAA' + 'X'.repeat(11) + 'C',
    'A'.repeat(30),
  ],
  checks: [
    { name: 'number', digit: [0, 14], covers: [[0, 5, 14]] },
    { name: 'dob', digit: [1, 6], covers: [[1, 0, 6]] },
    { name: 'expiry', digit: [1, 14], covers: [[1, 8, 14]] },
    { name: 'composite', digit: [1, 29], covers: [[0, 5, 30], [1, 0, 7], [1, 8, 15], [1, 18, 29]] },
  ],
};

export const LAYOUTS: Record<MrzFormat, Layout> = { TD1, TD2, TD3 };

export const layoutFor = (lineCount: number, width: number): Layout | null =>
  Object.values(LAYOUTS).find((l) => l.lines === lineCount && l.width === width) ?? null;

/** The 37 characters an MRZ is written in. */
export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

/** The characters each slot allows (a check digit is a digit, or `<` where ICAO permits it). */
export const SLOT_CHARS: Record<Slot, string> = {
  A: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ<',
  '9': '0123456789',
  X: MRZ_ALPHABET,
  S: 'MFX<',
  C: '0123456789<',
};

/** ICAO 9303 check digit: weights 7, 3, 1 repeating; digits count as themselves, A..Z as 10..35, `<` as 0. */
export function checkDigit(s: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : 0;
    sum += v * weights[i % 3];
  }
  return sum % 10;
}

export const coveredText = (lines: readonly string[], covers: readonly Span[]): string =>
  covers.map(([l, a, b]) => lines[l].slice(a, b)).join('');

/**
 * The check rules as they apply to these particular lines. Only TD1 differs from its table: a document number
 * longer than 9 characters puts `<` where its check digit would be and continues in the optional field, whose
 * last character before the first filler is then the number's check digit.
 */
export function rulesFor(layout: Layout, lines: readonly string[]): CheckRule[] {
  if (layout.format !== 'TD1' || lines[0][14] !== '<') return [...layout.checks];
  const optional = lines[0].slice(15);
  const end = optional.indexOf('<');
  const k = end < 0 ? optional.length : end;
  if (k === 0) return [...layout.checks];
  return layout.checks.map((r) =>
    r.name === 'number' ? { ...r, digit: [0, 15 + k - 1] as const, covers: [[0, 5, 14], [0, 15, 15 + k - 1]] as const } : r,
  );
}

/** Whether one check rule holds on these lines. */
export function checkPasses(lines: readonly string[], rule: CheckRule): boolean {
  const d = lines[rule.digit[0]][rule.digit[1]];
  const text = coveredText(lines, rule.covers);
  if (d === '<') return rule.fillerAllowed === true && /^<*$/.test(text);
  return d === String(checkDigit(text));
}
