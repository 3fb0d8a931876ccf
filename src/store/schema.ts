// Table shapes as Kysely sees them. Booleans are stored as 0/1 and timestamps as Unix seconds, so one
// migration set and one set of queries serve SQLite and PostgreSQL alike. JSON columns are text.
import type { Generated } from 'kysely';
import type { FileTables } from './schema-files.js';
import type { VerificationTables } from './schema-verification.js';

export interface ApiKeyTable {
  id: string;
  secret_hash: string;
  kind: 'secret' | 'restricted' | 'publishable';
  livemode: number;
  permissions: string; // JSON array of permission names (restricted keys)
  last4: string;
  name: string | null;
  created: number;
  expires_at: number | null;
}

export interface SessionTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  status: string;
  type: string;
  client_reference_id: string | null;
  metadata: string; // JSON object
  options: string; // JSON object
  provided_details: string | null; // sealed JSON
  related_customer: string | null;
  related_customer_account: string | null;
  related_person: string | null; // JSON
  return_url: string | null;
  verification_flow: string | null;
  last_error: string | null; // JSON
  last_report_id: string | null;
  redaction_status: string | null;
  client_secret: string | null;
  client_secret_expires: number | null;
  url_token: string | null;
  url_expires: number | null;
  version: number; // optimistic concurrency: bumped on every write
}

export interface ReportTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  session_id: string;
  client_reference_id: string | null;
  type: string;
  verification_flow: string | null;
  options: string; // JSON
  checks: string; // sealed JSON: {document?, id_number?, selfie?, email?, phone?}
}

export interface EventTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  type: string;
  object_id: string;
  api_version: string | null;
  data: string; // sealed JSON {object}
  request_id: string | null;
  idempotency_key: string | null;
  pending_webhooks: number;
}

export interface IdempotencyTable {
  livemode: number;
  key: string;
  method: string;
  path: string;
  params_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  request_id: string;
  created: number;
  locked_at: number;
  object_id: string | null;
}

export interface JobTable {
  id: Generated<number>;
  kind: string;
  payload: string; // JSON
  run_at: number; // Unix milliseconds
  attempts: number;
  locked_until: number | null; // Unix milliseconds
  last_error: string | null;
  created: number;
}

export interface WebhookEndpointTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  url: string;
  enabled_events: string; // JSON array
  description: string | null;
  metadata: string; // JSON object
  api_version: string | null;
  status: 'enabled' | 'disabled';
  secret: string; // sealed: needed in plain to sign, so encrypted rather than hashed
  previous_secret: string | null; // sealed; signs beside `secret` until previous_secret_expires
  previous_secret_expires: number | null; // Unix seconds
  deleted: number;
  failing_since: number | null; // Unix ms of the first failure in the current run of failures
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  event_id: string;
  endpoint_id: string;
  livemode: number;
  state: 'pending' | 'succeeded' | 'failed' | 'canceled';
  attempts: number;
  next_attempt_at: number; // Unix ms
  locked_until: number | null; // Unix ms
  created_ms: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  at: number; // Unix ms
  status: number | null;
  duration_ms: number;
  error: string | null;
}

/** Every minted hosted-page token, by SHA-256 hash (migration 0006). */
export interface SessionLinkTable {
  token_hash: string;
  session_id: string;
  kind: 'url' | 'client_secret';
  created: number;
  expires_at: number;
  used_at: number | null;
}

/** What the person entered on the hosted page for the current attempt (migration 0006). */
export interface SessionCollectionTable {
  session_id: string;
  data: string; // sealed JSON
  updated: number;
  version: number;
}

export interface Database extends FileTables, VerificationTables {
  api_keys: ApiKeyTable;
  verification_sessions: SessionTable;
  verification_reports: ReportTable;
  events: EventTable;
  idempotency_keys: IdempotencyTable;
  jobs: JobTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  session_links: SessionLinkTable;
  session_collection: SessionCollectionTable;
}
