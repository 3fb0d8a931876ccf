// Format checks for the ID numbers the hosted page collects. Only the shape and the check digits: whether
// the number belongs to the person is the verification's job, not the form's.

export const ID_NUMBER_TYPES = ['us_ssn', 'br_cpf', 'sg_nric'] as const;
export type IdNumberType = (typeof ID_NUMBER_TYPES)[number];

/** The number as stored: separators people type (spaces, dots, dashes) removed, letters upper-cased. */
export function normaliseIdNumber(value: string): string {
  return value.replace(/[\s.\-/]/g, '').toUpperCase();
}

export function idNumberValid(type: IdNumberType, value: string): boolean {
  const v = normaliseIdNumber(value);
  switch (type) {
    case 'us_ssn':
      return /^\d{9}$/.test(v);
    case 'br_cpf':
      return cpfValid(v);
    case 'sg_nric':
      return nricValid(v);
  }
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
