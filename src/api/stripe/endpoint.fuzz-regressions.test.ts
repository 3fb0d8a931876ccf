// Regressions found by test/fuzz.test.ts in the request pipeline, against a real server (and PostgreSQL when
// DATABASE_URL is set).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../../../test/harness.js';
import { MSG } from './errors.js';

describe('request pipeline regressions', () => {
  let v: Verity;
  const logged: string[] = [];
  before(async () => {
    v = await startVerity();
    v.deps.log.error = (msg, fields) => void logged.push(`${msg}: ${String(fields?.error)}`);
  });
  after(() => v.close());

  it('answers a path id holding a NUL with 404 "Unrecognized request URL" (it was a 500 on PostgreSQL)', async () => {
    for (const [method, path] of [
      ['GET', '/v1/identity/verification_sessions/%00'],
      ['GET', '/v1/events/evt_%00'],
      ['GET', '/v1/identity/verification_reports/vr_x%00y'],
      ['POST', '/v1/identity/verification_sessions/vs_%00/cancel'],
      ['POST', '/v1/test_helpers/identity/verification_sessions/%00/verify'],
    ] as const) {
      const res = await v.fetch(path, { method });
      const body = (await res.json()) as { error: { type: string; message: string } };
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(body.error, { type: 'invalid_request_error', message: MSG.unrecognizedUrl(method, path) });
      assert.match(res.headers.get('request-id') ?? '', /^req_/);
    }
    assert.deepEqual(logged, []);
  });

  it('treats an upload the client abandons as a client error: nothing logged as an unexpected (500) fault', async () => {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(v.port, '127.0.0.1', () => {
        s.end(
          `POST /v1/identity/verification_sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${v.keys.test}\r\n` +
            'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntype=doc',
        );
      });
      s.on('error', () => {});
      s.on('close', () => resolve());
      s.setTimeout(5000, () => reject(new Error('the server kept the connection open')));
      s.resume();
    });
    // The server notices the abort asynchronously; give it a moment, then make sure it still serves.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await v.fetch('/v1/identity/verification_sessions?limit=1')).status, 200);
    assert.deepEqual(logged, []);
  });
});
