// POST /verify/api/id_number { id_number_type, id_number, dob?, first_name?, last_name? } — format and
// check digits only; matching it to the person is the verification's job.
import { ID_NUMBER_TYPES } from '../../domain/id-numbers.js';
import { recordIdNumber } from '../../domain/page.js';
import type { DateParts } from '../../domain/types.js';
import { MSG, PageError } from './errors.js';
import { type PageRoute, oneOf, optionalString, requiredString } from './route.js';

function dob(v: unknown): DateParts | null {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  const ok =
    typeof v === 'object' &&
    Number.isInteger(o.day) && (o.day as number) >= 1 && (o.day as number) <= 31 &&
    Number.isInteger(o.month) && (o.month as number) >= 1 && (o.month as number) <= 12 &&
    Number.isInteger(o.year) && (o.year as number) >= 1900 && (o.year as number) <= 2100;
  if (!ok) throw new PageError('invalid_request', MSG.badField('dob'));
  return { day: o.day as number, month: o.month as number, year: o.year as number };
}

export const idNumber: PageRoute = {
  method: 'POST',
  path: '/id_number',
  body: 'json',
  handler: ({ deps, token, json }) =>
    recordIdNumber(deps, token, {
      type: oneOf(json, 'id_number_type', ID_NUMBER_TYPES),
      number: requiredString(json, 'id_number', 40),
      dob: dob(json.dob),
      first_name: optionalString(json, 'first_name', 100),
      last_name: optionalString(json, 'last_name', 100),
    }),
};
