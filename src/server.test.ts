import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../test/harness.js';
import { MSG } from './api/stripe/errors.js';

/** Sends raw bytes and reads until the server closes the connection. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (b) => (out += b));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => reject(new Error(`no answer; got so far: ${out}`)));
  });
}

describe('requests the HTTP parser refuses', () => {
  let v: Verity;
  before(async () => (v = await startVerity()));
  after(() => v.close());

  it('a control character in a header gets 400 with the Stripe error envelope', async () => {
    const res = await raw(v.port, 'GET /v1/identity/verification_sessions HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n');
    assert.match(res, /^HTTP\/1\.1 400 /, res);
    const body = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(body, { error: { message: MSG.unparseableRequest, type: 'invalid_request_error' } }, res);
    assert.match(res, /\r\nRequest-Id: req_[A-Za-z0-9]+\r\n/, res);
  });

  it('headers over the size limit get 431 with the Stripe error envelope', async () => {
    const res = await raw(v.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(res, /^HTTP\/1\.1 431 /, res.slice(0, 300));
    const body = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.message, MSG.headersTooLarge, res.slice(0, 500));
  });

  it('broken chunked framing gets 400 with the Stripe error envelope', async () => {
    const res = await raw(v.port, 'POST /v1/identity/verification_sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n');
    assert.match(res, /^HTTP\/1\.1 400 /, res);
    assert.equal(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)).error.type, 'invalid_request_error', res);
  });
});
