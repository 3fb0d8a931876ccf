// Completing a redaction: personal data in the session, its reports and its events is replaced by Stripe's
// placeholders ("[redacted]" strings, 1/1/1 dates), metadata is emptied, and the `redacted` event is
// recorded — all in one transaction, run by the worker after the API accepted the request.
import type { Deps } from '../deps.js';
import { AUTOMATIC, recordEvent } from './sessions.js';
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

function redactDetails(p: { email?: string; phone?: string } | null): { email?: string; phone?: string } | null {
  if (!p) return null;
  const out: { email?: string; phone?: string } = {};
  if (p.email !== undefined) out.email = R;
  if (p.phone !== undefined) out.phone = R;
  return out;
}

/** Returns false when there was nothing to do (unknown session, or already redacted). */
export async function completeRedaction(d: Deps, sessionId: string): Promise<boolean> {
  return d.store.transaction(async (tx) => {
    const s = await tx.findSessionForUpdate(sessionId);
    if (!s || s.redaction_status !== 'processing') return false;
    for (const rep of await tx.listReportsOfSession(s.id)) {
      await tx.updateReportChecks(rep.id, redactChecks(rep.checks));
    }
    for (const e of await tx.listEventsOfObject(s.id)) {
      const obj = { ...e.data.object };
      obj.metadata = {};
      if (obj.provided_details) obj.provided_details = redactDetails(obj.provided_details as { email?: string; phone?: string });
      await tx.updateEventData(e.id, { ...e.data, object: obj });
    }
    s.metadata = {};
    s.provided_details = redactDetails(s.provided_details);
    s.redaction_status = 'redacted';
    if (!(await tx.updateSession(s))) throw new Error('session changed during redaction');
    await recordEvent(tx, d, AUTOMATIC, s, 'identity.verification_session.redacted');
    return true;
  });
}
