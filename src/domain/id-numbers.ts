// Format checks for the ID numbers the hosted page collects. Only the shape and the check digits: whether
// the number belongs to the person is the verification's job, not the form's.

export const ID_NUMBER_TYPES = ['us_ssn', 'br_cpf', 'sg_nric'] as const;
export type IdNumberType = (typeof ID_NUMBER_TYPES)[number];

/** The number as stored: separators people type (spaces, dots, dashes) removed, letters upper-cased. */
export function normaliseIdNumber(value: string): string {
  return value.replace(/[\s.\-/]/g, '').toUpperCase();
}

/**
 * Stripe's test ID number (as in its Connect testing guide). It breaks the SSA rules on purpose, so it can never
 * be a real person's number: test mode accepts it, live mode does not.
 */
export const TEST_ID_NUMBER = '000000000';

/**
 * Whether the number has the type's shape and check digits. `livemode: true` (the live verification) refuses
 * the test number; without it (the hosted page, which checks the format before it knows the mode) the test
 * number passes, and the live verification refuses it later.
 */
export function idNumberValid(type: IdNumberType, value: string, opts: { livemode?: boolean } = {}): boolean {
  const v = normaliseIdNumber(value);
  switch (type) {
    case 'us_ssn':
      return ssnValid(v) || (opts.livemode !== true && v === TEST_ID_NUMBER);
    case 'br_cpf':
      return cpfValid(v);
    case 'sg_nric':
      return nricValid(v);
  }
}

/**
 * SSN: 9 digits, area-group-serial (AAA-GG-SSSS). The SSA never issues area 000, 666 or 900–999 (900–999 are
 * ITINs and advertising numbers), group 00 or serial 0000, so such a number cannot belong to anyone.
 */
function ssnValid(v: string): boolean {
  if (!/^\d{9}$/.test(v)) return false;
  const area = Number(v.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && v.slice(3, 5) !== '00' && v.slice(5) !== '0000';
}

/** CPF: 9 digits and two mod-11 check digits; a run of one digit passes the arithmetic but is never issued. */
function cpfValid(v: string): boolean {
  if (!/^\d{11}$/.test(v) || /^(\d)\1{10}$/.test(v)) return false;
  const d = [...v].map(Number);
  const check = (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[i] * (n + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return check(9) === d[9] && check(10) === d[10];
}

const NRIC_WEIGHTS = [2, 7, 6, 5, 4, 3, 2];

/** NRIC/FIN: prefix letter, 7 digits, a check letter from a weighted mod-11 sum (the table depends on the prefix). */
function nricValid(v: string): boolean {
  const m = /^([STFGM])(\d{7})([A-Z])$/.exec(v);
  if (!m) return false;
  const [, prefix, digits, letter] = m;
  const offset = prefix === 'T' || prefix === 'G' ? 4 : prefix === 'M' ? 3 : 0;
  const r = NRIC_WEIGHTS.reduce((acc, w, i) => acc + w * Number(digits[i]), offset) % 11;
  if (prefix === 'S' || prefix === 'T') return letter === 'JZIHGFEDCBA'[r];
  if (prefix === 'F' || prefix === 'G') return letter === 'XWUTRQPNMLK'[r];
  return letter === 'KLJNPQRTUWX'[10 - r];
}
