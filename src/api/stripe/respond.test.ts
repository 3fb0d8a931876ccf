import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseHeaders, writtenHeaders } from './respond.js';

// What the headers were before the fixed part was written once: every header lower-cased, trimmed, sorted.
function reference(method: string, body: string, headers: Record<string, string>): [string, string][] {
  const lower: Record<string, string> = {};
  for (const k in headers) lower[k.toLowerCase()] = headers[k].replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const out: Record<string, string> = {};
  for (const k of Object.keys(lower).sort()) out[k] = lower[k];
  if (method !== 'HEAD') out['Content-Length'] = String(Buffer.byteLength(body));
  return Object.entries(out);
}

const BASE = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, no-store', 'Access-Control-Max-Age': '300', Vary: ' Origin\t' };

describe('responseHeaders', () => {
  const cases: [string, Record<string, string>][] = [
    ['no headers of its own', {}],
    ['the usual ones', { 'Request-Id': 'req_1', 'Stripe-Version': '2026-10-28.endive' }],
    ['names before, between and after the fixed ones', { 'A-First': '1', 'Content-Xyz': '2', 'Zz-Last': '3', 'Idempotency-Key': 'k' }],
    ['a fixed header replaced, in another case', { 'content-type': 'text/plain', 'CACHE-CONTROL': 'x' }],
    ['names equal once lower-cased: the last stands', { 'Stripe-Should-Retry': 'true', 'stripe-should-retry': 'false' }],
    ['values trimmed of HTTP whitespace only', { 'Original-Request': ' \treq_2\r\n', 'X-Inner': 'a  b', 'X-Nbsp': '\u00a0v\u00a0', 'X-Empty': '' }],
  ];
  for (const [name, extra] of cases) {
    it(`writes ${name} as before, in the same order`, () => {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const body = '{"id":"vs_ü"}';
        assert.deepEqual(Object.entries(responseHeaders(method, body, writtenHeaders(BASE), extra)), reference(method, body, { ...BASE, ...extra }));
      }
    });
  }
});
