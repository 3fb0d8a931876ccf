// The VerificationSession state machine. Every change to a session commits in one transaction with the
// event it causes and the jobs it needs, so a crash leaves either all of it or none of it.
//
//   create ─► requires_input ─submit─► processing ─► verified
//                 ▲    │                   └────────► requires_input + last_error
//                 │    ├─cancel─► canceled
//                 │    └─redact─► canceled + redaction
//
import { MSG, StripeError, errors } from '../api/stripe/errors.js';
import type { Deps } from '../deps.js';
import { nowSec } from './clock.js';
import { newId, orderedSecret } from './ids.js';
import { presentSession } from './present.js';
import type { Store } from '../store/store.js';
import { subscribes } from '../webhooks/subscriptions.js';
import { redactDetails } from './placeholders.js';
import type {
  Checks,
  DocumentOptions,
  EventType,
  LastError,
  Report,
  RequestMeta,
  Session,
} from './types.js';

const CLIENT_SECRET_TTL = 24 * 3600;
const URL_TTL = 48 * 3600;

export interface CreateSessionInput {
  type?: 'document' | 'id_number';
  verification_flow?: string;
  client_reference_id?: string;
  metadata?: Record<string, string | null> | null;
  options?: { document?: DocumentOptions | null } | null;
  provided_details?: { email?: string; phone?: string } | null;
  related_customer?: string;
  related_customer_account?: string;
  related_person?: { account?: string; person?: string };
  return_url?: string;
}

export interface UpdateSessionInput {
  type?: 'document' | 'id_number';
  metadata?: Record<string, string | null> | null;
  options?: { document?: DocumentOptions | null } | null;
  provided_details?: { email?: string | null; phone?: string | null } | null;
}

type Ctx = { deps: Deps; meta: RequestMeta };

export async function createSession({ deps: d, meta }: Ctx, livemode: boolean, input: CreateSessionInput): Promise<Session> {
  const now = nowSec(d.clock);
  const id = newId.session();
  const s: Session = {
    id,
    livemode,
    created: now,
    status: 'requires_input',
    type: input.verification_flow ? 'verification_flow' : (input.type ?? 'document'),
    client_reference_id: input.client_reference_id ?? null,
    metadata: mergeMetadata({}, input.metadata),
    options: sessionOptions(input.verification_flow ? 'verification_flow' : (input.type ?? 'document'), input.options?.document),
    provided_details: cleanDetails(input.provided_details),
    related_customer: input.related_customer ?? null,
    related_customer_account: input.related_customer_account ?? null,
    related_person:
      input.related_person?.account && input.related_person.person
        ? { account: input.related_person.account, person: input.related_person.person }
        : null,
    return_url: input.return_url ?? null,
    verification_flow: input.verification_flow ?? null,
    last_error: null,
    last_report_id: null,
    redaction_status: null,
    client_secret: null,
    client_secret_expires: null,
    url_token: null,
    url_expires: null,
    version: 0,
  };
  mintSecrets(s, now);
  await d.store.transaction(async (tx) => {
    await tx.insertSession(s);
    await rememberSecrets(tx, s, now);
    await recordEvent(tx, d, meta, s, 'identity.verification_session.created');
  });
  return s;
}

/** Options as Stripe shows them: a document session always has `options.document`, an id_number one `options.id_number`. */
function sessionOptions(type: Session['type'], document: DocumentOptions | null | undefined): Session['options'] {
  if (type === 'id_number') return { id_number: {} };
  return { document: document ? { ...document } : {} };
}

function cleanDetails(p: { email?: string | null; phone?: string | null } | null | undefined): Session['provided_details'] {
  if (!p) return null;
  const out: { email?: string; phone?: string } = {};
  if (p.email) out.email = p.email;
  if (p.phone) out.phone = p.phone;
  return Object.keys(out).length ? out : null;
}

/** Stripe's metadata merge: a key set to "" (null here) is removed; `metadata=""` (null) removes all. */
export function mergeMetadata(current: Record<string, string>, patch: Record<string, string | null> | null | undefined): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  const out = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function mintSecrets(s: Session, now: number): void {
  const mode = s.livemode ? 'live' : 'test';
  s.client_secret = `${s.id}_secret_${mode}_${orderedSecret()}`;
  s.client_secret_expires = now + CLIENT_SECRET_TTL;
  s.url_token = `${mode}_${orderedSecret()}`;
  s.url_expires = now + URL_TTL;
}

/**
 * The hosted page knows a link by its hash only (session_links): the session row keeps just the current
 * secrets, but a used, superseded or expired link must still get its own screen rather than "unknown".
 */
async function rememberSecrets(tx: Store, s: Session, now: number): Promise<void> {
  const links: { token: string; kind: 'url' | 'client_secret'; expires_at: number }[] = [];
  if (s.url_token && s.url_expires) links.push({ token: s.url_token, kind: 'url', expires_at: s.url_expires });
  if (s.client_secret && s.client_secret_expires) links.push({ token: s.client_secret, kind: 'client_secret', expires_at: s.client_secret_expires });
  await tx.page.rememberLinks(s.id, links, now);
}

/** A new attempt after requires_input: the old links are used up and the page starts from an empty collection. */
async function startNewAttempt(tx: Store, s: Session, now: number): Promise<void> {
  await tx.page.markLinksUsed(s.id, now);
  await tx.page.deleteCollection(s.id);
  mintSecrets(s, now);
  await rememberSecrets(tx, s, now);
}

function clearSecrets(s: Session): void {
  s.client_secret = null;
  s.client_secret_expires = null;
  s.url_token = null;
  s.url_expires = null;
}

/** Loads a session of the caller's mode, or throws Stripe's 404 (with the other-mode hint). */
export async function loadSession(store: Store, id: string, livemode: boolean, param = 'id', forUpdate = false): Promise<Session> {
  const s = forUpdate ? await store.findSessionForUpdate(id) : await store.findSession(id);
  if (!s) throw errors.notFound('verification_session', id, param);
  if (s.livemode !== livemode) throw errors.notFound('verification_session', id, param, s.livemode ? 'live' : 'test');
  return s;
}

/** Retrieve: the session, with a fresh client_secret/url when the current ones have expired. */
export async function retrieveSession({ deps: d }: Ctx, id: string, livemode: boolean): Promise<Session> {
  const s = await loadSession(d.store, id, livemode);
  const now = nowSec(d.clock);
  if (
    s.status === 'requires_input' &&
    s.redaction_status === null &&
    ((s.client_secret_expires ?? 0) <= now || (s.url_expires ?? 0) <= now)
  ) {
    return mutate(d, id, livemode, async (tx, cur) => {
      if (cur.status === 'requires_input' && cur.redaction_status === null) {
        mintSecrets(cur, now);
        await rememberSecrets(tx, cur, now);
      }
      return cur;
    });
  }
  return s;
}

/**
 * Read-modify-write of one session inside a transaction. A concurrent writer (another process) makes the
 * version check fail; the client then gets Stripe's retryable lock_timeout.
 */
async function mutate(
  d: Deps,
  id: string,
  livemode: boolean,
  fn: (tx: Store, s: Session) => Promise<Session>,
): Promise<Session> {
  return d.store.transaction(async (tx) => {
    const s = await loadSession(tx, id, livemode, 'id', true);
    const out = await fn(tx, s);
    if (!(await tx.updateSession(out))) throw lockTimeout();
    return out;
  });
}

function lockTimeout(): StripeError {
  return new StripeError({
    status: 429,
    code: 'lock_timeout',
    message:
      'This object cannot be accessed right now because another API request or Verity process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
    headers: { 'Stripe-Should-Retry': 'true' },
  });
}

export async function updateSession({ deps: d }: Ctx, id: string, livemode: boolean, input: UpdateSessionInput): Promise<Session> {
  return mutate(d, id, livemode, async (_tx, s) => {
    if (s.redaction_status !== null) throw errors.invalidState(MSG.sessionRedacted);
    const changesChecks = input.type !== undefined || input.options !== undefined || input.provided_details !== undefined;
    // Metadata can change in any status (as on other Stripe objects); what is verified only while requires_input.
    if (changesChecks && s.status !== 'requires_input') throw errors.invalidState(MSG.sessionInvalidState('update', s.status));
    if (input.type !== undefined && s.type === 'verification_flow')
      throw errors.invalid('type', 'You cannot change the type of a VerificationSession created from a verification flow.');
    s.metadata = mergeMetadata(s.metadata, input.metadata);
    if (input.type !== undefined && input.type !== s.type) {
      s.type = input.type;
      s.options = sessionOptions(s.type, input.options?.document ?? s.options.document);
    }
    if (input.options !== undefined && s.type !== 'id_number') {
      s.options = { ...s.options, document: input.options?.document ? { ...input.options.document } : {} };
    }
    if (input.provided_details !== undefined) {
      const merged = { ...(s.provided_details ?? {}) } as Record<string, string | null | undefined>;
      for (const [k, v] of Object.entries(input.provided_details ?? { email: null, phone: null })) merged[k] = v;
      s.provided_details = cleanDetails(merged);
    }
    return s;
  });
}

export async function cancelSession({ deps: d, meta }: Ctx, id: string, livemode: boolean): Promise<Session> {
  return mutate(d, id, livemode, async (tx, s) => {
    if (s.redaction_status !== null) throw errors.invalidState(MSG.sessionRedacted);
    if (s.status !== 'requires_input') throw errors.invalidState(MSG.sessionInvalidState('cancel', s.status));
    s.status = 'canceled';
    clearSecrets(s);
    await recordEvent(tx, d, meta, s, 'identity.verification_session.canceled');
    return s;
  });
}

export async function redactSession({ deps: d, meta }: Ctx, id: string, livemode: boolean): Promise<Session> {
  return mutate(d, id, livemode, async (tx, s) => {
    if (s.redaction_status !== null) return s; // asking twice changes nothing
    if (s.status === 'processing') throw errors.invalidState(MSG.sessionInvalidState('redact', s.status));
    const wasOpen = s.status === 'requires_input';
    if (wasOpen) s.status = 'canceled';
    // The session itself is redacted at once ("processing" means its related objects are still being done).
    s.redaction_status = 'processing';
    await tx.page.deleteCollection(s.id);
    s.metadata = {};
    s.provided_details = redactDetails(s.provided_details);
    clearSecrets(s);
    if (wasOpen) await recordEvent(tx, d, meta, s, 'identity.verification_session.canceled');
    const now = d.clock.nowMs();
    await tx.enqueueJob('redaction.complete', { session_id: s.id }, now + d.config.redactionDelayMs, nowSec(d.clock));
    return s;
  });
}

/**
 * Submission: the person finished collection (hosted page) or a test helper stands in for them. The session
 * goes to processing, and the job that decides the outcome is enqueued in the same transaction.
 */
export async function submitSession(
  { deps: d, meta }: Ctx,
  id: string,
  livemode: boolean,
  job: { kind: string; payload: Record<string, unknown>; delayMs: number },
): Promise<Session> {
  return mutate(d, id, livemode, async (tx, s) => {
    if (s.redaction_status !== null) throw errors.invalidState(MSG.sessionRedacted);
    if (s.status !== 'requires_input') throw errors.invalidState(MSG.sessionInvalidState('submit', s.status));
    s.status = 'processing';
    s.last_error = null;
    // Single use: once submitted, the links of this attempt show "submitted", even after a later failure.
    await tx.page.markLinksUsed(s.id, nowSec(d.clock));
    clearSecrets(s);
    await recordEvent(tx, d, meta, s, 'identity.verification_session.processing');
    // The report the session had when submitted names this attempt: every attempt ends in a new report, so a job
    // left over from an earlier attempt (completed at once by a test helper) cannot decide this one.
    await tx.enqueueJob(
      job.kind,
      { ...job.payload, session_id: s.id, attempt_after_report: s.last_report_id },
      d.clock.nowMs() + job.delayMs,
      nowSec(d.clock),
    );
    return s;
  });
}

/** A failure before submission (consent declined, no camera, …): straight back to requires_input, no report. */
export async function failBeforeSubmission({ deps: d, meta }: Ctx, id: string, livemode: boolean, lastError: LastError): Promise<Session> {
  return mutate(d, id, livemode, async (tx, s) => {
    if (s.redaction_status !== null) throw errors.invalidState(MSG.sessionRedacted);
    if (s.status !== 'requires_input') throw errors.invalidState(MSG.sessionInvalidState('submit', s.status));
    s.last_error = lastError;
    await startNewAttempt(tx, s, nowSec(d.clock));
    await recordEvent(tx, d, meta, s, 'identity.verification_session.requires_input');
    return s;
  });
}

/**
 * The end of processing: writes the report and moves the session to verified, or back to requires_input
 * with last_error (and a fresh link for the retry). Called by the worker; a session no longer processing
 * (redacted, or completed by another worker) is left alone.
 */
export async function completeVerification(
  { deps: d, meta }: Ctx,
  id: string,
  result: { checks: Checks; lastError: LastError | null; audit?: unknown },
): Promise<Session | undefined> {
  return d.store.transaction(async (tx) => {
    const s = await tx.findSessionForUpdate(id);
    if (!s || s.status !== 'processing') return undefined;
    const now = nowSec(d.clock);
    const report: Report = {
      id: newId.report(),
      livemode: s.livemode,
      created: now,
      session_id: s.id,
      client_reference_id: s.client_reference_id,
      type: s.type,
      verification_flow: s.verification_flow,
      options: reportOptions(s),
      checks: result.checks,
    };
    await tx.insertReport(report);
    if (result.audit !== undefined) await tx.verification.saveAudit(report.id, s.id, now, result.audit);
    s.last_report_id = report.id;
    if (result.lastError) {
      s.status = 'requires_input';
      s.last_error = result.lastError;
      await startNewAttempt(tx, s, now);
    } else {
      s.status = 'verified';
      s.last_error = null;
    }
    if (!(await tx.updateSession(s))) throw lockTimeout();
    await recordEvent(
      tx,
      d,
      meta,
      s,
      s.status === 'verified' ? 'identity.verification_session.verified' : 'identity.verification_session.requires_input',
    );
    return s;
  });
}

function reportOptions(s: Session): Report['options'] {
  const out: Report['options'] = {};
  if (s.type !== 'id_number') out.document = { ...(s.options.document ?? {}) };
  if (s.type === 'id_number' || s.options.document?.require_id_number) out.id_number = {};
  return out;
}

export async function recordEvent(tx: Store, d: Deps, meta: RequestMeta, s: Session, type: EventType): Promise<void> {
  const created = nowSec(d.clock);
  const id = newId.event();
  // Fan out to the subscribed endpoints in the same transaction: the event and its deliveries exist together.
  const targets = (await tx.webhooks.enabledEndpoints(s.livemode)).filter((e) => subscribes(e.enabled_events, type));
  await tx.insertEvent({
    id,
    livemode: s.livemode,
    created,
    type,
    object_id: s.id,
    api_version: meta.apiVersion ?? d.config.defaultApiVersion,
    // The snapshot after the change, without includable fields (Stripe's rule for event payloads).
    data: { object: presentSession(s, { publicUrl: d.config.publicUrl, now: created }) },
    request_id: meta.requestId,
    idempotency_key: meta.idempotencyKey,
    pending_webhooks: targets.length,
  });
  const nowMs = d.clock.nowMs();
  await tx.webhooks.insertDeliveries(targets.map((e) => ({ event_id: id, endpoint_id: e.id, livemode: s.livemode, now_ms: nowMs })));
}

export const AUTOMATIC: RequestMeta = { requestId: null, idempotencyKey: null, apiVersion: null };
