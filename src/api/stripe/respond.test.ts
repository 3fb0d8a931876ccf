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

  it('builds each response from its own values when the same names come again (the record is compiled once)', () => {
    const base = writtenHeaders(BASE);
    for (const id of ['req_1', 'req_2', ' req_3 ']) {
      const extra = { 'Request-Id': id, 'Stripe-Version': `v-${id}`, 'content-type': `t-${id}` };
      assert.deepEqual(Object.entries(responseHeaders('GET', id, base, extra)), reference('GET', id, { ...BASE, ...extra }));
    }
  });

  it('stays right past the number of name lists it keeps compiled', () => {
    const base = writtenHeaders(BASE);
    for (let round = 0; round < 2; round++)
      for (let n = 0; n < 250; n++) {
        const extra = { [`X-${n}`]: `v${n}-${round}`, 'Request-Id': `req_${n}` };
        assert.deepEqual(Object.entries(responseHeaders('POST', 'b', base, extra)), reference('POST', 'b', { ...BASE, ...extra }));
      }
  });
});
