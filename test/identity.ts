// Shared assertions for the endpoint behaviour suites (src/api/**/*.test.ts): Stripe's schema, the field
// order Stripe serialises in, the fields newer than the 2023 schema, Stripe errors, and the test helpers.
// Every assertion prints the whole response it looked at.
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { AUTOMATIC, submitSession } from '../src/domain/sessions.js';
import { PROCESS_JOB } from '../src/verification/pipeline.js';
import type { Verity } from './harness.js';
import { assertSchema } from './openapi.js';

/** The whole value, for assertion messages. */
export function show(x: unknown): string {
  return JSON.stringify(x, null, 2);
}

export type Session = Stripe.Identity.VerificationSession;
export type Report = Stripe.Identity.VerificationReport;

/**
 * Stripe's order: `id` and `object` first, then the other keys alphabetically — at every level. Metadata keys
 * are the caller's and keep the caller's order, so they are not checked.
 */
export function assertFieldOrder(obj: unknown, whole: unknown = obj, at = '$'): void {
  if (Array.isArray(obj)) {
    obj.forEach((x, i) => assertFieldOrder(x, whole, `${at}[${i}]`));
    return;
  }
  if (obj === null || typeof obj !== 'object') return;
  const keys = Object.keys(obj);
  const rest = keys.filter((k) => k !== 'id' && k !== 'object');
  const expected = [...(keys.includes('id') ? ['id'] : []), ...(keys.includes('object') ? ['object'] : []), ...[...rest].sort()];
  assert.deepEqual(keys, expected, `keys of ${at} are not in Stripe's order (id, object, then alphabetical):\n${show(whole)}`);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata') continue;
    assertFieldOrder(v, whole, `${at}.${k}`);
  }
}

/** The session fields Stripe added after the 2023 schema the validator knows. */
export function assertNewerSessionFields(s: unknown): void {
  const o = s as Record<string, unknown>;
  for (const k of ['client_reference_id', 'provided_details', 'related_customer', 'related_customer_account'])
    assert.ok(Object.hasOwn(o, k), `session lacks ${k}:\n${show(s)}`);
  assert.ok(o.client_reference_id === null || typeof o.client_reference_id === 'string', `client_reference_id:\n${show(s)}`);
  assert.ok(o.related_customer === null || typeof o.related_customer === 'string', `related_customer:\n${show(s)}`);
  assert.ok(o.related_customer_account === null || typeof o.related_customer_account === 'string', `related_customer_account:\n${show(s)}`);
  const pd = o.provided_details as Record<string, unknown> | null;
  assert.ok(pd === null || (typeof pd === 'object' && Object.keys(pd).every((k) => k === 'email' || k === 'phone')), `provided_details:\n${show(s)}`);
  if (Object.hasOwn(o, 'related_person')) {
    const rp = o.related_person as Record<string, unknown>;
    assert.deepEqual(Object.keys(rp ?? {}), ['account', 'person'], `related_person:\n${show(s)}`);
  }
  assert.ok(['document', 'id_number', 'verification_flow'].includes(o.type as string), `type must be set:\n${show(s)}`);
}

/** A session as Stripe would send it: schema, newer fields, field order. */
export function checkSession(s: unknown): void {
  assertSchema('session', s);
  assertNewerSessionFields(s);
  assertFieldOrder(s);
  const rep = (s as { last_verification_report?: unknown }).last_verification_report;
  if (rep && typeof rep === 'object') checkReport(rep);
}

/** A report as Stripe would send it. */
export function checkReport(r: unknown): void {
  assertSchema('report', r);
  const o = r as Record<string, unknown>;
  assert.ok(Object.hasOwn(o, 'client_reference_id'), `report lacks client_reference_id:\n${show(r)}`);
  assert.ok(typeof o.verification_session === 'string', `report lacks verification_session:\n${show(r)}`);
  assertFieldOrder(r);
}

function assertEnvelope(l: unknown, url: string): void {
  const o = l as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['object', 'data', 'has_more', 'url'], `list envelope:\n${show(l)}`);
  assert.equal(o.object, 'list', show(l));
  assert.equal(o.url, url, show(l));
  assert.equal(typeof o.has_more, 'boolean', show(l));
}

export function checkSessionList(l: unknown): void {
  assertSchema('sessionList', l);
  assertEnvelope(l, '/v1/identity/verification_sessions');
  for (const s of (l as { data: unknown[] }).data) checkSession(s);
}

export function checkReportList(l: unknown): void {
  assertSchema('reportList', l);
  assertEnvelope(l, '/v1/identity/verification_reports');
  for (const r of (l as { data: unknown[] }).data) checkReport(r);
}

/** An event as Stripe sends it: fixed fields, field order, a session snapshot without includable fields. */
export function checkEvent(e: unknown): void {
  const o = e as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(o),
    ['id', 'object', 'api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type'],
    `event fields:\n${show(e)}`,
  );
  assert.match(String(o.id), /^evt_[A-Za-z0-9]{24}$/, show(e));
  assert.equal(o.object, 'event', show(e));
  assertFieldOrder(e);
  const obj = (o.data as { object: Record<string, unknown> }).object;
  checkSession(obj);
  assert.ok(!Object.hasOwn(obj, 'verified_outputs'), `event snapshots carry no verified_outputs:\n${show(e)}`);
  assert.ok(typeof obj.last_verification_report !== 'object' || obj.last_verification_report === null, `event snapshots are not expanded:\n${show(e)}`);
}

export interface StripeErr extends Error {
  type: string;
  rawType?: string;
  statusCode?: number;
  code?: string;
  param?: string;
  requestId?: string;
  raw?: unknown;
}

/** The error a stripe-node call fails with; fails the test with the whole response if it succeeded. */
export async function stripeError(p: Promise<unknown>): Promise<StripeErr> {
  let result: unknown;
  try {
    result = await p;
  } catch (e) {
    return e as StripeErr;
  }
  assert.fail(`expected the request to fail, but it returned:\n${show(result)}`);
}

/** Asserts a Stripe error's status and (when given) code, param, type and message. */
export function assertStripeError(
  err: StripeErr,
  want: { status: number; code?: string | null; param?: string | null; type?: string; message?: string | RegExp },
): void {
  const body = show({ statusCode: err.statusCode, raw: err.raw ?? err.message });
  assert.equal(err.statusCode, want.status, body);
  assert.equal(err.rawType ?? (err.raw as { type?: string } | undefined)?.type, want.type ?? 'invalid_request_error', body);
  if (want.code !== undefined) assert.equal(err.code ?? null, want.code, body);
  if (want.param !== undefined) assert.equal(err.param ?? null, want.param, body);
  if (want.message instanceof RegExp) assert.match(err.message, want.message, body);
  else if (want.message !== undefined) assert.equal(err.message, want.message, body);
}

type Check = (x: unknown) => void;

/** Wraps one resource's methods so every object they return is checked before the test sees it. */
function checkMethods(resource: object, one: Check, list: Check, methods: string[]): void {
  const r = resource as Record<string, unknown>;
  for (const m of [...methods, 'list']) {
    const orig = (r[m] as (...a: unknown[]) => Promise<unknown> & Record<string | symbol, unknown>).bind(resource);
    r[m] = (...args: unknown[]) => {
      const p = orig(...args);
      const checked = p.then((res) => {
        (m === 'list' ? list : one)(res);
        return res;
      }) as Promise<unknown> & Record<string | symbol, unknown>;
      checked.catch(() => {}); // a test that only auto-pages never awaits the first page itself
      if (m === 'list') {
        for (const k of Object.getOwnPropertyNames(p)) if (typeof p[k] === 'function') checked[k] = p[k];
        for (const k of Object.getOwnPropertySymbols(p)) checked[k] = p[k];
        const toArray = p.autoPagingToArray as (o: unknown) => Promise<unknown[]>;
        checked.autoPagingToArray = async (o: unknown) => {
          const items = await toArray(o);
          items.forEach(one);
          return items;
        };
      }
      return checked;
    };
  }
}

/**
 * Makes a stripe-node client check every session, report, event and list it receives: Stripe's schema, the
 * newer fields and Stripe's field order. Endpoint suites call it on each Verity they start.
 */
export function checkEveryResponse(v: Verity): Verity {
  const make = v.stripe.bind(v);
  v.stripe = (key?: string, opts?: Parameters<Verity['stripe']>[1]) => {
    const client = make(key, opts);
    checkMethods(client.identity.verificationSessions, checkSession, checkSessionList, ['create', 'retrieve', 'update', 'cancel', 'redact']);
    checkMethods(client.identity.verificationReports, checkReport, checkReportList, ['retrieve']);
    checkMethods(client.events, checkEvent, checkEventList, ['retrieve']);
    return client;
  };
  return v;
}

export function checkEventList(l: unknown): void {
  assertEnvelope(l, '/v1/events');
  for (const e of (l as { data: unknown[] }).data) checkEvent(e);
}

export type TestHelperParams = { simulate_delay?: boolean; last_error?: { code: string }; expand?: string[] };

/** The Verity test helpers (no stripe-node method): POST …/verify or …/unverify through rawRequest. */
export async function testHelper(
  stripe: Stripe,
  id: string,
  action: 'verify' | 'unverify',
  params: TestHelperParams = {},
): Promise<Stripe.Response<Session>> {
  const s = (await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${id}/${action}`, params)) as Stripe.Response<Session>;
  checkSession(s);
  return s;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Every event about one session, oldest first (the Events API lists newest first). */
export async function eventsOf(stripe: Stripe, sessionId: string): Promise<Stripe.Event[]> {
  const all = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
  return all.filter((e) => (e.data.object as { id?: string }).id === sessionId).reverse();
}

/**
 * A live-mode session with a report. Live mode has no test helpers, so this submits through the domain as the
 * hosted page would, and lets the worker process it (without live engines the checks come back unverified).
 */
export async function liveSessionWithReport(v: Verity): Promise<{ session: Session; reportId: string }> {
  const live = v.stripe(v.keys.live);
  const s = await live.identity.verificationSessions.create({ type: 'document' });
  await submitSession({ deps: v.deps, meta: AUTOMATIC }, s.id, true, { kind: PROCESS_JOB, payload: {}, delayMs: 0 });
  await v.runJobs();
  const session = await live.identity.verificationSessions.retrieve(s.id);
  assert.equal(typeof session.last_verification_report, 'string', `the live submission produced no report:\n${show(session)}`);
  return { session, reportId: session.last_verification_report as string };
}
