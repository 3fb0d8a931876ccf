// Small helpers the wire-rule suites share: catching an SDK error with the whole response in view, turning it
// back into the JSON body the server sent, patching a store method for fault injection, and a gate that
// holds a request until the test lets it go.
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { describeResponse } from '../harness.js';

export type SdkError = InstanceType<typeof Stripe.errors.StripeError>;

/** Awaits a call that must fail with a Stripe error; fails (printing what came back) if it succeeds. */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  let result: unknown;
  try {
    result = await call;
  } catch (e) {
    const err = e as SdkError;
    assert.ok(err && typeof err === 'object' && 'rawType' in err, `expected a Stripe error, got ${String(e)}`);
    return err;
  }
  assert.fail(`expected the call to fail, but it succeeded with ${JSON.stringify(result)}`);
}

/** The error body as the server sent it (the SDK adds headers, statusCode and requestId to `raw`). */
export function errorBody(err: SdkError): { error: Record<string, unknown> } {
  const { headers: _h, statusCode: _s, requestId: _r, ...error } = err.raw as Record<string, unknown>;
  return { error };
}

/** The whole of an SDK error for assertion messages. */
export function show(err: SdkError): string {
  return JSON.stringify({ class: err.type, statusCode: err.statusCode, requestId: err.requestId, raw: err.raw });
}

/** A raw form body: keys and values written as given (brackets raw unless the caller encodes them). */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/**
 * Replaces obj[name] with wrap(original) until the returned restore() is called. Use in try/finally.
 * The replacement is installed on the object given (e.g. Store.prototype, so transaction stores see it too).
 */
export function patch<T extends object, K extends keyof T>(
  obj: T,
  name: K,
  wrap: (original: T[K]) => T[K],
): () => void {
  const had = Object.prototype.hasOwnProperty.call(obj, name);
  const original = obj[name];
  obj[name] = wrap(original);
  return () => {
    if (had) obj[name] = original;
    else delete obj[name];
  };
}

/** A promise the test resolves when it chooses. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

/** A unique idempotency key per call, readable in failure output. */
let n = 0;
export function idemKey(label: string): string {
  n += 1;
  return `test-${label}-${process.pid}-${Date.now()}-${n}`;
}

/** A raw response read once: status, headers, text, parsed JSON (when it is JSON) and a printable form. */
export interface Got {
  status: number;
  headers: Headers;
  text: string;
  body: any;
  /** The whole response, for assertion messages. */
  desc: string;
}

export async function read(res: Response): Promise<Got> {
  const desc = await describeResponse(res);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body, desc };
}
