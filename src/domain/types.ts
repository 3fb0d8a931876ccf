// The records the domain works with: plain data, no HTTP and no SQL.

export type SessionStatus = 'requires_input' | 'processing' | 'verified' | 'canceled';
export type SessionType = 'document' | 'id_number' | 'verification_flow';
export type DocumentType = 'driving_license' | 'id_card' | 'passport';
export type RedactionStatus = 'processing' | 'redacted' | 'validated';

export const SESSION_STATUSES = ['canceled', 'processing', 'requires_input', 'verified'] as const;
export const DOCUMENT_TYPES = ['driving_license', 'id_card', 'passport'] as const;

export const LAST_ERROR_CODES = [
  'abandoned',
  'consent_declined',
  'country_not_supported',
  'device_not_supported',
  'document_expired',
  'document_type_not_supported',
  'document_unverified_other',
  'email_unverified_other',
  'email_verification_declined',
  'id_number_insufficient_document_data',
  'id_number_mismatch',
  'id_number_unverified_other',
  'phone_unverified_other',
  'phone_verification_declined',
  'selfie_document_missing_photo',
  'selfie_face_mismatch',
  'selfie_manipulated',
  'selfie_unverified_other',
  'under_supported_age',
] as const;
export type LastErrorCode = (typeof LAST_ERROR_CODES)[number];

export interface DocumentOptions {
  allowed_types?: DocumentType[];
  require_id_number?: boolean;
  require_live_capture?: boolean;
  require_matching_selfie?: boolean;
}

export interface SessionOptions {
  document?: DocumentOptions;
  email?: { require_verification?: boolean };
  id_number?: Record<string, never>;
  matching?: { dob?: 'none' | 'similar'; name?: 'none' | 'similar' };
  phone?: { require_verification?: boolean };
}

export interface LastError {
  code: LastErrorCode | null;
  reason: string | null;
}

export interface Session {
  id: string;
  livemode: boolean;
  created: number;
  status: SessionStatus;
  type: SessionType;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  options: SessionOptions;
  provided_details: { email?: string; phone?: string } | null;
  related_customer: string | null;
  related_customer_account: string | null;
  related_person: { account: string; person: string } | null;
  return_url: string | null;
  verification_flow: string | null;
  last_error: LastError | null;
  last_report_id: string | null;
  redaction_status: RedactionStatus | null;
  client_secret: string | null;
  client_secret_expires: number | null;
  url_token: string | null;
  url_expires: number | null;
  version: number;
}

export interface DateParts {
  day: number | null;
  month: number | null;
  year: number | null;
}

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface CheckError<C extends string = string> {
  code: C | null;
  reason: string | null;
}

export interface DocumentCheck {
  status: 'verified' | 'unverified';
  error: CheckError | null;
  address: Address | null;
  dob: DateParts | null;
  expiration_date: DateParts | null;
  files: string[] | null;
  first_name: string | null;
  issued_date: DateParts | null;
  issuing_country: string | null;
  last_name: string | null;
  number: string | null;
  sex: 'female' | 'male' | 'unknown' | '[redacted]' | null;
  type: DocumentType | null;
  unparsed_place_of_birth: string | null;
  unparsed_sex: string | null;
}

export interface IdNumberCheck {
  status: 'verified' | 'unverified';
  error: CheckError | null;
  dob: DateParts | null;
  first_name: string | null;
  id_number: string | null;
  id_number_type: 'br_cpf' | 'sg_nric' | 'us_ssn' | null;
  last_name: string | null;
}

export interface SelfieCheck {
  status: 'verified' | 'unverified';
  error: CheckError | null;
  document: string | null;
  selfie: string | null;
}

export interface EmailCheck {
  status: 'verified' | 'unverified';
  error: CheckError | null;
  email: string | null;
}

export interface PhoneCheck {
  status: 'verified' | 'unverified';
  error: CheckError | null;
  phone: string | null;
}

export interface Checks {
  document?: DocumentCheck;
  id_number?: IdNumberCheck;
  selfie?: SelfieCheck;
  email?: EmailCheck;
  phone?: PhoneCheck;
}

export interface Report {
  id: string;
  livemode: boolean;
  created: number;
  session_id: string;
  client_reference_id: string | null;
  type: SessionType;
  verification_flow: string | null;
  options: { document?: DocumentOptions; id_number?: Record<string, never> };
  checks: Checks;
}

export const EVENT_TYPES = [
  'identity.verification_session.canceled',
  'identity.verification_session.created',
  'identity.verification_session.processing',
  'identity.verification_session.redacted',
  'identity.verification_session.requires_input',
  'identity.verification_session.verified',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventRecord {
  id: string;
  livemode: boolean;
  created: number;
  type: EventType;
  object_id: string;
  api_version: string | null;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request_id: string | null;
  idempotency_key: string | null;
  pending_webhooks: number;
}

/** Who asked: carried from the HTTP layer into domain calls so events can name their request. */
export interface RequestMeta {
  requestId: string | null;
  idempotencyKey: string | null;
  apiVersion: string | null;
}
