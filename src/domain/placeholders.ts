// Stripe's redaction placeholders: "[redacted]" for strings, 1/1/1 for dates; a country and the type of an
// ID number stay, as in Stripe's examples.
import type { Address, Checks, DateParts } from './types.js';

const R = '[redacted]';
const str = (v: string | null | undefined) => (v === null || v === undefined ? (v ?? null) : R);
const date = (v: DateParts | null) => (v ? { day: 1, month: 1, year: 1 } : null);
const address = (a: Address | null): Address | null =>
  a && {
    city: str(a.city),
    country: a.country,
    line1: str(a.line1),
    line2: str(a.line2),
    postal_code: str(a.postal_code),
    state: str(a.state),
  };

export function redactChecks(c: Checks): Checks {
  const out: Checks = {};
  if (c.document) {
    const x = c.document;
    out.document = {
      ...x,
      address: address(x.address),
      dob: date(x.dob),
      expiration_date: date(x.expiration_date),
      first_name: str(x.first_name),
      issued_date: date(x.issued_date),
      last_name: str(x.last_name),
      number: str(x.number),
      sex: x.sex ? R : null,
      unparsed_place_of_birth: str(x.unparsed_place_of_birth),
      unparsed_sex: str(x.unparsed_sex),
    };
  }
  if (c.id_number) {
    const x = c.id_number;
    out.id_number = { ...x, dob: date(x.dob), first_name: str(x.first_name), id_number: str(x.id_number), last_name: str(x.last_name) };
  }
  if (c.selfie) out.selfie = { ...c.selfie };
  if (c.email) out.email = { ...c.email, email: str(c.email.email) };
  if (c.phone) out.phone = { ...c.phone, phone: str(c.phone.phone) };
  return out;
}

export function redactDetails(p: { email?: string; phone?: string } | null): { email?: string; phone?: string } | null {
  if (!p) return null;
  const out: { email?: string; phone?: string } = {};
  if (p.email !== undefined) out.email = R;
  if (p.phone !== undefined) out.phone = R;
  return out;
}

