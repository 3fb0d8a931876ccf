// The hosted verification page's server side: which session a link opens and in what state, and what the
// person collects for the current attempt (consent, document, images, ID number, one-time codes) until
// submission hands it to the verification pipeline. HTTP lives in src/web/api; this module has none.
//
// The collection is one sealed JSON document per session (session_collection), written with a version
// check inside a transaction that re-reads the link and the session, so nothing is collected for a session
// that was submitted, canceled or redacted in the meantime. A new attempt (after requires_input) starts from
// an empty collection: src/domain/sessions.ts deletes it when it mints the new links.
import crypto from 'node:crypto';
import { StripeError } from '../api/stripe/errors.js';
import type { Deps } from '../deps.js';
import type { Store } from '../store/store.js';
import { PROCESS_JOB, runTestOutcome } from '../verification/pipeline.js';
import { type CollectedForPipeline, codeApplies, defaultFailureCode } from '../verification/testmode.js';
import { MSG, PageError } from '../web/api/errors.js';
import { nowSec } from './clock.js';
import { randomBytes } from './ids.js';
import { type IdNumberType, idNumberValid, normaliseIdNumber } from './id-numbers.js';
import { LAST_ERROR_REASONS } from './last-errors.js';
import { AUTOMATIC, failBeforeSubmission, submitSession } from './sessions.js';
import { DOCUMENT_TYPES, type DateParts, type DocumentType, type LastErrorCode, type Session } from './types.js';

export type LinkState = 'active' | 'unknown' | 'expired' | 'submitted' | 'canceled';
export type ImageSide = 'front' | 'back' | 'selfie';
export type UploadMethod = 'auto_capture' | 'manual_capture' | 'file_upload';
export type OtpChannel = 'email' | 'phone';
export type TestOutcome = 'verified' | 'unverified' | 'verified_async' | 'unverified_async';

export const UPLOAD_METHODS: readonly UploadMethod[] = ['auto_capture', 'manual_capture', 'file_upload'];
export const TEST_OUTCOMES: readonly TestOutcome[] = ['verified', 'unverified', 'verified_async', 'unverified_async'];

/** Test mode accepts this one-time code without sending anything (as Stripe's test mode does). */
export const TEST_OTP_CODE = '000000';
/** How long a one-time code stays valid (the email says so). */
export const OTP_VALID_MINUTES = 10;
const OTP_TTL_S = OTP_VALID_MINUTES * 60;
const OTP_MAX_ATTEMPTS = 5;
// Tokens longer than any minted one are not looked up (hashing a megabyte of header for nothing).
const MAX_TOKEN_LENGTH = 200;

export interface CollectedImage {
  file: string;
  upload_method: UploadMethod;
}

interface OtpState {
  verified: boolean;
  code_hash: string | null;
  expires_at: number | null;
  attempts: number;
}

/** What the person entered for the current attempt (sealed at rest: it holds an ID number). */
export interface Collection {
  consent: { at: number; locale: string | null } | null;
  document_type: DocumentType | null;
  front: CollectedImage | null;
  back: CollectedImage | null;
  selfie: CollectedImage | null;
  id_number: { type: IdNumberType; number: string; dob: DateParts | null; first_name: string | null; last_name: string | null } | null;
  otp: { email: OtpState | null; phone: OtpState | null };
}

const emptyCollection = (): Collection => ({
  consent: null,
  document_type: null,
  front: null,
  back: null,
  selfie: null,
  id_number: null,
  otp: { email: null, phone: null },
});

/** The JSON the page renders from (GET /verify/api/session and every write's answer). */
export interface PageView {
  id: string;
  livemode: boolean;
  status: Session['status'];
  link: LinkState;
  business: { name: string; privacy_url: string | null; brand_color: string };
  type: 'document' | 'id_number';
  document: { allowed_types: DocumentType[]; require_live_capture: boolean; require_matching_selfie: boolean; require_id_number: boolean } | null;
  email: { required: boolean; to: string | null };
  phone: { required: boolean; to: string | null };
  return_url: string | null;
  last_error: Session['last_error'];
  requirements: { missing: string[] };
  collected: {
    consent: boolean;
    document_type: DocumentType | null;
    front: CollectedImage | null;
    back: CollectedImage | null;
    selfie: CollectedImage | null;
    id_number: boolean;
    email_otp: boolean;
    phone_otp: boolean;
  };
}

/** Sends one-time codes in live mode. Issue 6 brings SMTP/SMS; until then nothing is configured. */
export interface OtpSender {
  send(m: { channel: OtpChannel; to: string; code: string; livemode: boolean }): Promise<void>;
}

export class OtpSenderNotConfigured extends Error {
  constructor() {
    super('No one-time-code sender is configured (email/SMS sending arrives with live verification).');
  }
}

export const unconfiguredOtpSender: OtpSender = {
  async send() {
    throw new OtpSenderNotConfigured();
  },
};

// ---- links ------------------------------------------------------------------------------------------

/**
 * The state of a hosted-page link (url token or client secret) and its session. A forged token and one
 * whose session is gone are both `unknown`, so the answer never reveals whether a session exists.
 */
export async function resolvePageLink(d: Deps, token: string): Promise<{ state: LinkState; session: Session | null }> {
  return resolveIn(d.store, nowSec(d.clock), token, false);
}

async function resolveIn(store: Store, now: number, token: string, forUpdate: boolean): Promise<{ state: LinkState; session: Session | null }> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return { state: 'unknown', session: null };
  let link = await store.page.findLink(token);
  if (!link) return { state: 'unknown', session: null };
  const row = forUpdate ? await store.findSessionForUpdate(link.session_id) : await store.findSession(link.session_id);
  if (!row) return { state: 'unknown', session: null };
  // Read again once the session is locked: a transition that held the lock meanwhile may have used the link
  // (PostgreSQL's READ COMMITTED shows its commit to the next statement, not to the one read before).
  if (forUpdate) link = (await store.page.findLink(token)) ?? link;
  // A client secret names its session; one that names another is not trusted, whatever the table says.
  if (link.kind === 'client_secret' && !token.startsWith(`${row.id}_secret_`)) return { state: 'unknown', session: null };
  const { seq: _seq, ...session } = row;
  if (session.status === 'canceled' || session.redaction_status !== null) return { state: 'canceled', session };
  if (link.used_at !== null || session.status === 'processing' || session.status === 'verified') return { state: 'submitted', session };
  if (link.expires_at <= now) return { state: 'expired', session };
  return { state: 'active', session };
}

function stateError(state: Exclude<LinkState, 'active'>): PageError {
  switch (state) {
    case 'unknown':
      return new PageError('link_invalid');
    case 'expired':
      return new PageError('link_expired');
    case 'submitted':
      return new PageError('session_submitted');
    case 'canceled':
      return new PageError('session_canceled');
  }
}

// ---- reading ----------------------------------------------------------------------------------------

/** The page's view of its session. A used link still answers, so the page can show progress and the result. */
export async function getPage(d: Deps, token: string): Promise<PageView> {
  const { state, session } = await resolvePageLink(d, token);
  if (state !== 'active' && state !== 'submitted') throw stateError(state);
  const c = await d.store.page.loadCollection<Collection>(session!.id);
  return presentPage(d, state, session!, c?.data ?? emptyCollection());
}

/** An active link's session and collection, for checks before costly work (such as storing an image). */
export async function requireActive(d: Deps, token: string): Promise<{ session: Session; collection: Collection }> {
  const { state, session } = await resolvePageLink(d, token);
  if (state !== 'active') throw stateError(state);
  const c = await d.store.page.loadCollection<Collection>(session!.id);
  return { session: session!, collection: c?.data ?? emptyCollection() };
}

function allowedTypes(s: Session): DocumentType[] {
  const a = s.options.document?.allowed_types;
  return a && a.length ? DOCUMENT_TYPES.filter((t) => a.includes(t)) : [...DOCUMENT_TYPES];
}

/** The chosen type, or the only one allowed (nothing to choose then). */
function documentType(s: Session, c: Collection): DocumentType | null {
  if (c.document_type) return c.document_type;
  const a = allowedTypes(s);
  return a.length === 1 ? a[0] : null;
}

const isDocumentSession = (s: Session) => s.type !== 'id_number';

function needsBack(s: Session, c: Collection): boolean {
  const t = documentType(s, c);
  if (t) return t !== 'passport';
  return allowedTypes(s).some((a) => a !== 'passport');
}

const needsSelfie = (s: Session) => isDocumentSession(s) && s.options.document?.require_matching_selfie === true;
const needsIdNumber = (s: Session) => s.type === 'id_number' || s.options.document?.require_id_number === true;
const needsOtp = (s: Session, ch: OtpChannel) => s.options[ch]?.require_verification === true;

/** What this session still needs, in the order the page asks for it. */
export function missingRequirements(s: Session, c: Collection): string[] {
  const out: string[] = [];
  if (!c.consent) out.push('biometric_consent');
  if (isDocumentSession(s)) {
    if (!documentType(s, c)) out.push('id_document_type');
    if (!c.front) out.push('id_document_front');
    if (needsBack(s, c) && !c.back) out.push('id_document_back');
    if (needsSelfie(s) && !c.selfie) out.push('face');
  }
  if (needsIdNumber(s) && !c.id_number) out.push('id_number');
  if (needsOtp(s, 'email') && !c.otp.email?.verified) out.push('email_otp');
  if (needsOtp(s, 'phone') && !c.otp.phone?.verified) out.push('phone_otp');
  return out;
}

function maskEmail(e: string | undefined): string | null {
  if (!e) return null;
  const at = e.lastIndexOf('@');
  if (at < 1) return '***';
  return `${e[0]}***${e.slice(at)}`;
}

function maskPhone(p: string | undefined): string | null {
  if (!p) return null;
  return `***${p.replace(/\D/g, '').slice(-2)}`;
}

export function presentPage(d: Deps, state: LinkState, s: Session, c: Collection): PageView {
  const doc = s.options.document ?? {};
  const needsBackNow = isDocumentSession(s) && needsBack(s, c);
  return {
    id: s.id,
    livemode: s.livemode,
    status: s.status,
    link: state,
    business: { name: d.config.page.businessName, privacy_url: d.config.page.privacyUrl, brand_color: d.config.page.brandColor },
    type: s.type === 'id_number' ? 'id_number' : 'document',
    document: isDocumentSession(s)
      ? {
          allowed_types: allowedTypes(s),
          require_live_capture: doc.require_live_capture === true,
          require_matching_selfie: doc.require_matching_selfie === true,
          require_id_number: doc.require_id_number === true,
        }
      : null,
    email: { required: needsOtp(s, 'email'), to: needsOtp(s, 'email') ? maskEmail(s.provided_details?.email) : null },
    phone: { required: needsOtp(s, 'phone'), to: needsOtp(s, 'phone') ? maskPhone(s.provided_details?.phone) : null },
    return_url: s.return_url,
    last_error: s.last_error,
    requirements: { missing: state === 'active' ? missingRequirements(s, c) : [] },
    collected: {
      consent: c.consent !== null,
      document_type: isDocumentSession(s) ? documentType(s, c) : null,
      front: c.front,
      back: needsBackNow ? c.back : null,
      selfie: c.selfie,
      id_number: c.id_number !== null,
      email_otp: c.otp.email?.verified === true,
      phone_otp: c.otp.phone?.verified === true,
    },
  };
}

// ---- collecting -------------------------------------------------------------------------------------

/**
 * Changes the collection of an active link. `fn` may return an error to raise after the change is saved
 * (a wrong one-time code still counts as an attempt). A concurrent change makes the version check fail;
 * the change is then tried once more on what the other one wrote.
 */
async function collect(
  d: Deps,
  token: string,
  fn: (s: Session, c: Collection) => PageError | void,
): Promise<PageView> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const now = nowSec(d.clock);
    const out = await d.store.transaction(async (tx) => {
      const { state, session } = await resolveIn(tx, now, token, true);
      if (state !== 'active') throw stateError(state);
      const cur = await tx.page.loadCollection<Collection>(session!.id);
      const c = cur?.data ?? emptyCollection();
      const after = fn(session!, c);
      if (!(await tx.page.saveCollection(session!.id, c, cur?.version ?? 0, now))) return null;
      return { view: presentPage(d, state, session!, c), after };
    });
    if (out) {
      if (out.after) throw out.after;
      return out.view;
    }
  }
  throw new PageError('busy');
}

export async function acceptConsent(d: Deps, token: string, locale: string | null): Promise<PageView> {
  return collect(d, token, (_s, c) => {
    c.consent = { at: nowSec(d.clock), locale };
  });
}

export async function chooseDocumentType(d: Deps, token: string, type: DocumentType): Promise<PageView> {
  return collect(d, token, (s, c) => {
    if (!isDocumentSession(s) || !allowedTypes(s).includes(type)) throw new PageError('invalid_request', MSG.typeNotAllowed);
    // Images of another document do not belong to this one.
    if (c.document_type !== type) {
      c.front = null;
      c.back = null;
    }
    c.document_type = type;
  });
}

/** Whether this session takes an image for `side` by `method`; throws the page's error when not. */
export function checkImageAllowed(s: Session, side: ImageSide, method: UploadMethod, c: Collection): void {
  if (!isDocumentSession(s)) throw new PageError('invalid_request', MSG.sideNotNeeded(side));
  if (side === 'back' && !needsBack(s, c)) throw new PageError('invalid_request', MSG.sideNotNeeded(side));
  if (side === 'selfie' && !needsSelfie(s)) throw new PageError('invalid_request', MSG.sideNotNeeded(side));
  if (method === 'file_upload' && s.options.document?.require_live_capture === true) throw new PageError('upload_not_allowed');
}

/** Records a stored image (a File owned by the session) as this attempt's `side`; a new one replaces the old. */
export async function recordImage(d: Deps, token: string, side: ImageSide, method: UploadMethod, fileId: string): Promise<PageView> {
  return collect(d, token, (s, c) => {
    checkImageAllowed(s, side, method, c);
    c[side] = { file: fileId, upload_method: method };
  });
}

export async function recordIdNumber(
  d: Deps,
  token: string,
  input: { type: IdNumberType; number: string; dob: DateParts | null; first_name: string | null; last_name: string | null },
): Promise<PageView> {
  if (!idNumberValid(input.type, input.number)) throw new PageError('invalid_request', MSG.idNumberFormat(input.type));
  return collect(d, token, (s, c) => {
    if (!needsIdNumber(s)) throw new PageError('invalid_request', MSG.sideNotNeeded('ID number'));
    // Stripe's test number is accepted only in test mode; a live session gets the real rules.
    if (s.livemode && !idNumberValid(input.type, input.number, { livemode: true }))
      throw new PageError('invalid_request', MSG.idNumberFormat(input.type));
    c.id_number = { ...input, number: normaliseIdNumber(input.number) };
  });
}

function otpHash(sessionId: string, channel: OtpChannel, code: string): string {
  return crypto.createHash('sha256').update(`${sessionId}:${channel}:${code}`).digest('hex');
}

function newOtpCode(): string {
  return String(randomBytes(4).readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** Sends a code (live mode) or arms the fixed test code (test mode); a new code resets the attempts. */
export async function sendOtp(d: Deps, token: string, channel: OtpChannel, sender: OtpSender): Promise<PageView> {
  const code = newOtpCode();
  let to = '';
  let livemode = false;
  const view = await collect(d, token, (s, c) => {
    if (!needsOtp(s, channel)) throw new PageError('invalid_request', MSG.otpNotRequired(channel));
    to = s.provided_details?.[channel] ?? '';
    if (!to) throw new PageError('invalid_request', MSG.otpNoDestination(channel));
    livemode = s.livemode;
    if (c.otp[channel]?.verified) return;
    c.otp[channel] = {
      verified: false,
      code_hash: s.livemode ? otpHash(s.id, channel, code) : null,
      expires_at: nowSec(d.clock) + OTP_TTL_S,
      attempts: 0,
    };
  });
  if (!livemode || view.collected[channel === 'email' ? 'email_otp' : 'phone_otp']) return view;
  // Sent after the commit: no database lock is held across a network call.
  try {
    await sender.send({ channel, to, code, livemode });
  } catch (e) {
    // The sender's message may name the address: only its kind is logged.
    if (!(e instanceof OtpSenderNotConfigured)) d.log.error('otp send failed', { channel, error: (e as Error)?.name ?? 'unknown' });
    throw new PageError('otp_unavailable');
  }
  return view;
}

export async function verifyOtp(d: Deps, token: string, channel: OtpChannel, code: string): Promise<PageView> {
  return collect(d, token, (s, c) => {
    if (!needsOtp(s, channel)) throw new PageError('invalid_request', MSG.otpNotRequired(channel));
    const st: OtpState = c.otp[channel] ?? { verified: false, code_hash: null, expires_at: null, attempts: 0 };
    c.otp[channel] = st;
    if (st.verified) return;
    if (st.attempts >= OTP_MAX_ATTEMPTS) return new PageError('otp_attempts_exceeded');
    st.attempts += 1;
    const now = nowSec(d.clock);
    if (s.livemode) {
      if (!st.code_hash || (st.expires_at ?? 0) <= now) return new PageError('otp_invalid', MSG.otpExpired);
      if (!crypto.timingSafeEqual(Buffer.from(st.code_hash), Buffer.from(otpHash(s.id, channel, code)))) return wrongCode(st);
    } else if (code !== TEST_OTP_CODE) {
      return wrongCode(st);
    }
    st.verified = true;
    st.code_hash = null;
  });
}

function wrongCode(st: OtpState): PageError {
  return st.attempts >= OTP_MAX_ATTEMPTS ? new PageError('otp_attempts_exceeded') : new PageError('otp_invalid');
}

// ---- ending the attempt ---------------------------------------------------------------------------------

/**
 * Runs a transition that ends the attempt (submission, decline, test outcome) in one transaction with a
 * fresh look at the link, the session row locked: two at once (a double click) make one transition, and the
 * second — like any later one on the used link — is answered with the current state rather than an error.
 */
async function endAttempt(d: Deps, token: string, run: (tx: Deps, s: Session, c: Collection) => Promise<unknown>): Promise<PageView> {
  try {
    await d.store.transaction(async (tx) => {
      const { state, session } = await resolveIn(tx, nowSec(d.clock), token, true);
      if (state === 'submitted') return;
      if (state !== 'active') throw stateError(state);
      const c = (await tx.page.loadCollection<Collection>(session!.id))?.data ?? emptyCollection();
      // The domain calls join this transaction through the store they are given.
      await run({ ...d, store: tx }, session!, c);
    });
  } catch (e) {
    // A concurrent writer (another process) won the version check: show what it did if it ended the attempt.
    if (!(e instanceof StripeError)) throw e;
    const again = await resolvePageLink(d, token);
    if (again.state === 'submitted') return getPage(d, token);
    if (again.state !== 'active') throw stateError(again.state);
    throw new PageError('busy');
  }
  return getPage(d, token);
}

/** Declined consent, or no usable camera: back to requires_input with that last_error, no report. */
export async function failAttempt(d: Deps, token: string, code: 'consent_declined' | 'device_not_supported'): Promise<PageView> {
  return endAttempt(d, token, (tx, s) =>
    failBeforeSubmission({ deps: tx, meta: AUTOMATIC }, s.id, s.livemode, { code, reason: LAST_ERROR_REASONS[code] }),
  );
}

/** What the pipeline is told about the collection (file ids and choices; no personal data in the job row). */
function forPipeline(s: Session, c: Collection): CollectedForPipeline {
  return {
    document_type: isDocumentSession(s) ? documentType(s, c) : null,
    front: c.front?.file ?? null,
    back: isDocumentSession(s) && needsBack(s, c) ? (c.back?.file ?? null) : null,
    selfie: c.selfie?.file ?? null,
    id_number_type: c.id_number?.type ?? null,
  };
}

/** The person submits: processing, with the job that verifies what was collected (test mode: verified after the simulated delay). */
export async function submitPage(d: Deps, token: string): Promise<PageView> {
  return endAttempt(d, token, async (tx, s, c) => {
    const missing = missingRequirements(s, c);
    if (missing.length) throw new PageError('requirements_missing', MSG.missing(missing));
    const payload: Record<string, unknown> = { collected: forPipeline(s, c) };
    if (!s.livemode) payload.outcome = { kind: 'verify' };
    await submitSession({ deps: tx, meta: AUTOMATIC }, s.id, s.livemode, {
      kind: PROCESS_JOB,
      payload,
      delayMs: s.livemode ? 0 : d.config.simulatedProcessingMs,
    });
  });
}

/** The test-mode panel: exactly the test helpers' domain call. */
export async function chooseTestOutcome(d: Deps, token: string, outcome: TestOutcome, code: LastErrorCode | null): Promise<PageView> {
  return endAttempt(d, token, async (tx, s) => {
    if (s.livemode) throw new PageError('test_mode_only');
    const async = outcome === 'verified_async' || outcome === 'unverified_async';
    if (outcome === 'verified' || outcome === 'verified_async') {
      await runTestOutcome(tx, AUTOMATIC, s.id, false, { kind: 'verify' }, async);
      return;
    }
    const c = code ?? defaultFailureCode(s);
    if (!codeApplies(s, c)) throw new PageError('invalid_request', MSG.outcomeCodeNotApplicable);
    await runTestOutcome(tx, AUTOMATIC, s.id, false, { kind: 'unverify', code: c }, async);
  });
}
