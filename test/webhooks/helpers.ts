// Shared pieces of the webhook suites: the endpoint object's shape, a log that records its lines, signature
// checks with the real stripe client, and moving the manual clock past a retry.
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import type { Logger } from '../../src/log.js';
import { Dispatcher } from '../../src/webhooks/delivery.js';
import type { Verity } from '../harness.js';
import { assertFieldOrder, show } from '../identity.js';
import type { Received } from './receiver.js';

export const ENDPOINT_KEYS = ['id', 'object', 'api_version', 'application', 'created', 'description', 'enabled_events', 'livemode', 'metadata', 'status', 'url'];
export const ENDPOINT_KEYS_WITH_SECRET = ['id', 'object', 'api_version', 'application', 'created', 'description', 'enabled_events', 'livemode', 'metadata', 'secret', 'status', 'url'];

/** A webhook endpoint exactly as Stripe serialises it; `secret` only when `withSecret`. */
export function checkEndpoint(e: unknown, withSecret = false): void {
  const o = e as Record<string, unknown>;
  assert.deepEqual(Object.keys(o).filter((k) => k !== 'lastResponse'), withSecret ? ENDPOINT_KEYS_WITH_SECRET : ENDPOINT_KEYS, `endpoint fields:\n${show(e)}`);
  assertFieldOrder(JSON.parse(JSON.stringify(o)));
  assert.match(String(o.id), /^we_[A-Za-z0-9]+$/, show(e));
  assert.equal(o.object, 'webhook_endpoint', show(e));
  assert.equal(o.application, null, show(e));
  assert.ok(Number.isInteger(o.created), show(e));
  assert.ok(Array.isArray(o.enabled_events), show(e));
  assert.equal(typeof o.livemode, 'boolean', show(e));
  assert.ok(o.status === 'enabled' || o.status === 'disabled', show(e));
  if (withSecret) assert.match(String(o.secret), /^whsec_[A-Za-z0-9]{24,}$/, show(e));
}

export interface CapturedLog extends Logger {
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
}

/** A logger that keeps every line (including debug) for assertions. */
export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const rec = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, info: rec('info'), error: rec('error'), debug: rec('debug') };
}

/** Verifies a received request with stripe-node's own constructEvent; fails with the whole request. */
export function verified(r: Received, secret: string): Stripe.Event {
  try {
    return Stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature'] ?? ''), secret);
  } catch (e) {
    assert.fail(`constructEvent refused a delivery: ${(e as Error).message}\n${show({ headers: r.headers, body: r.body.slice(0, 2000) })}`);
  }
}

export const eventOf = (r: Received): { id: string; type: string; livemode: boolean; data: { object: { id: string } } } => JSON.parse(r.body);

/** The `t=` of a Stripe-Signature header. */
export function signatureTime(r: Received): number {
  const m = /(?:^|,)t=(\d+)/.exec(String(r.headers['stripe-signature']));
  assert.ok(m, `no t= in ${show(r.headers)}`);
  return Number(m[1]);
}

/** Moves the manual clock past the (jittered, up to +15%) retry delay of `seconds` and delivers what is due. */
export async function afterRetryDelay(v: Verity, dispatcher: Dispatcher, seconds: number): Promise<number> {
  v.clock.advance(Math.ceil(seconds * 1000 * 1.16) + 1);
  return dispatcher.runDue();
}

export { Dispatcher };
