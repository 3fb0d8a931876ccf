// Builds the API's objects from records, field by field in Stripe's order (id and object first, then
// alphabetical). Includable fields appear only when the caller asked for them; nothing here decides who
// may ask (that is the HTTP layer's job).
import type { Checks, DocumentCheck, EventRecord, IdNumberCheck, Report, Session } from './types.js';

export const SENSITIVE_OUTPUTS = ['dob', 'id_number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex'] as const;
export const SENSITIVE_DOCUMENT = ['dob', 'expiration_date', 'number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex'] as const;
export const SENSITIVE_ID_NUMBER = ['dob', 'id_number'] as const;

export interface ReportIncludes {
  document?: Set<string>;
  id_number?: Set<string>;
}

export interface SessionIncludes {
  /** The expanded last report, or undefined to show its id. */
  report?: { report: Report; includes: ReportIncludes };
  /** verified_outputs with these sensitive sub-fields, or undefined to leave the field out. */
  verifiedOutputs?: { report: Report | undefined; sensitive: Set<string> };
}

export interface PresentContext {
  publicUrl: string;
  now: number;
}

export function sessionSecretsVisible(s: Session, now: number): boolean {
  return s.status === 'requires_input' && s.redaction_status === null;
}

export function presentSession(s: Session, ctx: PresentContext, inc: SessionIncludes = {}): Record<string, unknown> {
  const visible = sessionSecretsVisible(s, ctx.now);
  const secretValid = visible && s.client_secret !== null && (s.client_secret_expires ?? 0) > ctx.now;
  const urlValid = visible && s.url_token !== null && (s.url_expires ?? 0) > ctx.now;
  const out: Record<string, unknown> = {
    id: s.id,
    object: 'identity.verification_session',
    client_reference_id: s.client_reference_id,
    client_secret: secretValid ? s.client_secret : null,
    created: s.created,
    last_error: s.last_error,
    last_verification_report: inc.report ? presentReport(inc.report.report, inc.report.includes) : s.last_report_id,
    livemode: s.livemode,
    metadata: s.metadata,
    options: presentOptions(s),
    provided_details: s.provided_details,
    redaction: s.redaction_status ? { status: s.redaction_status } : null,
    related_customer: s.related_customer,
    related_customer_account: s.related_customer_account,
  };
  if (s.related_person) out.related_person = s.related_person;
  out.status = s.status;
  out.type = s.type;
  out.url = urlValid ? `${ctx.publicUrl}/verify/${s.url_token}` : null;
  if (s.verification_flow) out.verification_flow = s.verification_flow;
  if (inc.verifiedOutputs) out.verified_outputs = presentVerifiedOutputs(s, inc.verifiedOutputs.report, inc.verifiedOutputs.sensitive);
  return out;
}

function presentOptions(s: Session): Record<string, unknown> {
  const o = s.options;
  const out: Record<string, unknown> = {};
  if (o.document) out.document = presentDocumentOptions(o.document);
  if (o.email) out.email = o.email;
  if (o.id_number) out.id_number = {};
  if (o.matching) out.matching = o.matching;
  if (o.phone) out.phone = o.phone;
  return out;
}

function presentDocumentOptions(d: NonNullable<Session['options']['document']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.allowed_types) out.allowed_types = d.allowed_types;
  if (d.require_id_number !== undefined) out.require_id_number = d.require_id_number;
  if (d.require_live_capture !== undefined) out.require_live_capture = d.require_live_capture;
  if (d.require_matching_selfie !== undefined) out.require_matching_selfie = d.require_matching_selfie;
  return out;
}

/** verified_outputs: what the last report proved, only once the session is verified. */
function presentVerifiedOutputs(s: Session, report: Report | undefined, sensitive: Set<string>): Record<string, unknown> | null {
  if (s.status !== 'verified' || !report) return null;
  const c: Checks = report.checks;
  const doc = c.document;
  const idn = c.id_number;
  const out: Record<string, unknown> = {
    address: doc?.address ?? null,
  };
  if (sensitive.has('dob')) out.dob = doc?.dob ?? idn?.dob ?? null;
  out.email = c.email?.email ?? null;
  out.first_name = doc?.first_name ?? idn?.first_name ?? null;
  if (sensitive.has('id_number')) out.id_number = idn?.id_number ?? null;
  out.id_number_type = idn?.id_number_type ?? null;
  out.last_name = doc?.last_name ?? idn?.last_name ?? null;
  out.phone = c.phone?.phone ?? null;
  if (sensitive.has('sex')) out.sex = doc?.sex ?? null;
  if (sensitive.has('unparsed_place_of_birth')) out.unparsed_place_of_birth = doc?.unparsed_place_of_birth ?? null;
  if (sensitive.has('unparsed_sex')) out.unparsed_sex = doc?.unparsed_sex ?? null;
  return out;
}

export function presentReport(r: Report, inc: ReportIncludes = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    object: 'identity.verification_report',
    client_reference_id: r.client_reference_id,
    created: r.created,
  };
  if (r.checks.document) out.document = presentDocumentCheck(r.checks.document, inc.document ?? new Set());
  if (r.checks.email) {
    const e = r.checks.email;
    out.email = { email: e.email, error: e.error, status: e.status };
  }
  if (r.checks.id_number) out.id_number = presentIdNumberCheck(r.checks.id_number, inc.id_number ?? new Set());
  out.livemode = r.livemode;
  out.options = r.options;
  if (r.checks.phone) {
    const ph = r.checks.phone;
    out.phone = { error: ph.error, phone: ph.phone, status: ph.status };
  }
  if (r.checks.selfie) {
    const sf = r.checks.selfie;
    out.selfie = { document: sf.document, error: sf.error, selfie: sf.selfie, status: sf.status };
  }
  out.type = r.type;
  if (r.verification_flow) out.verification_flow = r.verification_flow;
  out.verification_session = r.session_id;
  return out;
}

function presentDocumentCheck(d: DocumentCheck, inc: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { address: d.address };
  if (inc.has('dob')) out.dob = d.dob;
  out.error = d.error;
  if (inc.has('expiration_date')) out.expiration_date = d.expiration_date;
  out.files = d.files;
  out.first_name = d.first_name;
  out.issued_date = d.issued_date;
  out.issuing_country = d.issuing_country;
  out.last_name = d.last_name;
  if (inc.has('number')) out.number = d.number;
  if (inc.has('sex')) out.sex = d.sex;
  out.status = d.status;
  out.type = d.type;
  if (inc.has('unparsed_place_of_birth')) out.unparsed_place_of_birth = d.unparsed_place_of_birth;
  if (inc.has('unparsed_sex')) out.unparsed_sex = d.unparsed_sex;
  return out;
}

function presentIdNumberCheck(d: IdNumberCheck, inc: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (inc.has('dob')) out.dob = d.dob;
  out.error = d.error;
  out.first_name = d.first_name;
  if (inc.has('id_number')) out.id_number = d.id_number;
  out.id_number_type = d.id_number_type;
  out.last_name = d.last_name;
  out.status = d.status;
  return out;
}

export function presentEvent(e: EventRecord): Record<string, unknown> {
  return {
    id: e.id,
    object: 'event',
    api_version: e.api_version,
    created: e.created,
    data: e.data,
    livemode: e.livemode,
    pending_webhooks: e.pending_webhooks,
    request: { id: e.request_id, idempotency_key: e.idempotency_key },
    type: e.type,
  };
}
