import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { describeResponse, startVerity, type Verity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { MAX_FILE_BYTES } from '../../domain/files.js';
import { MSG } from '../stripe/errors.js';
import { SAMPLE, checkFile, fileKeys, upload } from './testkit.js';

describe('POST /v1/files (create)', () => {
  let v: Verity;
  let stripe: Stripe;
  let keys: Awaited<ReturnType<typeof fileKeys>>;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    keys = await fileKeys(v);
  });
  after(async () => {
    // The aborted uploads below leave server sockets closing after their answer; server.close() waits for
    // them with no timer of its own, and node's test runner reports a suite whose event loop went empty
    // while a promise was pending (seen 1 run in 3). A timer keeps the loop alive until close resolves.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await v.close();
    } finally {
      clearInterval(keepAlive);
    }
  });

  const count = async () => (await stripe.files.list({ limit: 100 })).data.length;

  it('stores a JPEG, a PNG and a PDF sent by stripe-node as multipart, typed by their contents', async () => {
    for (const [type, bytes] of Object.entries(SAMPLE)) {
      const f = await upload(stripe, 'identity_document', bytes, `doc.${type}`);
      checkFile(f);
      assert.equal(f.type, type, show(f));
      assert.equal(f.size, bytes.length, show(f));
      assert.equal(f.purpose, 'identity_document', show(f));
      assert.equal(f.filename, `doc.${type}`, show(f));
      assert.equal(f.title, null, show(f));
      assert.equal(f.expires_at, null, show(f));
      assert.equal(f.url, `${v.url}/v1/files/${f.id}/contents`, show(f));
      assert.deepEqual(f.links, { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${f.id}` }, show(f));
    }
  });

  it('accepts the identity purposes, and gives identity images no download url', async () => {
    for (const purpose of ['identity_document_downloadable', 'selfie']) {
      const f = await upload(stripe, purpose, SAMPLE.jpg);
      checkFile(f);
      assert.equal(f.purpose, purpose, show(f));
      assert.equal(f.url, null, show(f));
    }
  });

  it('decides the type by content, not by the name or the declared type', async () => {
    const f = await upload(stripe, 'identity_document', SAMPLE.png, 'photo.jpg', 'image/jpeg');
    assert.equal(f.type, 'png', show(f));
  });

  it('refuses bytes that are no image or PDF even under an image name, and stores nothing', async () => {
    const before = await count();
    const err = await stripeError(upload(stripe, 'identity_document', Buffer.from('GIF89a not accepted, nor is plain text'), 'id.jpg'));
    assertStripeError(err, { status: 400, param: 'file', message: MSG.fileTypeUnsupported('identity_document') });
    const html = await stripeError(upload(stripe, 'selfie', Buffer.from('<html><script>alert(1)</script>'), 'me.png', 'image/png'));
    assertStripeError(html, { status: 400, param: 'file' });
    assert.equal(await count(), before);
  });

  it('stores a truncated JPEG as it is: the Files API keeps what was sent (as Stripe does)', async () => {
    const truncated = SAMPLE.jpg.subarray(0, 40);
    const f = await upload(stripe, 'identity_document', truncated);
    assert.equal(f.type, 'jpg', show(f));
    assert.equal(f.size, 40, show(f));
  });

  it('refuses an empty file', async () => {
    const err = await stripeError(upload(stripe, 'identity_document', Buffer.alloc(0)));
    assertStripeError(err, { status: 400, param: 'file', message: MSG.fileEmpty });
  });

  it("refuses a purpose outside identity with Stripe's enum error", async () => {
    const before = await count();
    const err = await stripeError(upload(stripe, 'dispute_evidence', SAMPLE.jpg));
    assertStripeError(err, { status: 400, code: 'parameter_invalid', param: 'purpose', message: /^Invalid purpose: must be one of identity_document, identity_document_downloadable, or selfie$/ });
    assert.equal(await count(), before);
  });

  it('asks for the missing purpose and the missing file', async () => {
    const noPurpose = await stripeError(stripe.files.create({ file: { data: SAMPLE.jpg, name: 'a.jpg', type: 'image/jpeg' } } as never));
    assertStripeError(noPurpose, { status: 400, code: 'parameter_missing', param: 'purpose' });
    // stripe-node cannot send a request without a file (it fails before sending), so this one is raw.
    const form = new FormData();
    form.append('purpose', 'identity_document');
    const noFile = await v.fetch('/v1/files', { method: 'POST', body: form });
    assert.equal(noFile.status, 400, await describeResponse(noFile));
    const body = (await noFile.json()).error;
    assert.deepEqual([body.code, body.param, body.message], ['parameter_missing', 'file', MSG.missingParam('file')], show(body));
  });

  it('refuses a form-encoded file parameter: a file must be a multipart file part', async () => {
    const res = await v.fetch('/v1/files', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'purpose=selfie&file=abc' });
    assert.equal(res.status, 400, await describeResponse(res));
    assert.equal((await res.json()).error.param, 'file');
  });

  it('refuses another content type and a broken multipart body without a 500', async () => {
    const json = await v.fetch('/v1/files', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"purpose":"selfie"}' });
    assert.equal(json.status, 400, await describeResponse(json));
    const broken = await v.fetch('/v1/files', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nnot a part' });
    assert.equal(broken.status, 400, await describeResponse(broken));
  });

  it('takes a file of exactly 10 MB', async () => {
    const bytes = Buffer.alloc(MAX_FILE_BYTES, 1);
    SAMPLE.jpg.copy(bytes, 0, 0, 4);
    const f = await upload(stripe, 'identity_document', bytes);
    assert.equal(f.size, MAX_FILE_BYTES, show(f));
  });

  it('refuses an 11 MB file quickly with a 400 and stores nothing', async () => {
    const before = await count();
    const bytes = Buffer.alloc(11 * 1024 * 1024, 1);
    SAMPLE.jpg.copy(bytes, 0, 0, 4);
    const t = Date.now();
    const err = await stripeError(upload(stripe, 'identity_document', bytes));
    assertStripeError(err, { status: 400, param: 'file', message: MSG.fileTooLarge(MAX_FILE_BYTES) });
    assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
    assert.equal(await count(), before);
  });

  it('refuses a 50 MB body from its Content-Length before reading it', async () => {
    const before = await count();
    // Only the headers and a first chunk are sent: the answer must come without the rest of the body.
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${v.url}/v1/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${v.keys.test}`,
          'content-type': 'multipart/form-data; boundary=b',
          'content-length': String(50 * 1024 * 1024),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body });
          req.destroy(); // the rest of the body will never be sent: let the connection go
        });
      });
      req.on('error', reject);
      req.write('--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nselfie\r\n');
      setTimeout(() => reject(new Error('no answer within 5 s: the server waited for the body')), 5000).unref();
    });
    assert.equal(status.status, 400, show(status));
    assert.equal(JSON.parse(status.body).error.message, MSG.fileTooLarge(MAX_FILE_BYTES), show(status));
    assert.equal(await count(), before);
  });

  it('stops reading a 50 MB streamed body (no Content-Length) at the cap', async () => {
    const before = await count();
    let sent = 0;
    const chunk = Buffer.alloc(1 << 20, 0x41);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff'));
      },
      pull(c) {
        if (sent >= 50) return c.close();
        sent++;
        c.enqueue(chunk);
      },
    });
    const t = Date.now();
    const res = await v
      .fetch('/v1/files', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body, duplex: 'half' } as RequestInit)
      .catch((e: Error) => e);
    if (res instanceof Response) {
      assert.equal(res.status, 400, await describeResponse(res));
      assert.equal((await res.json()).error.param, 'file');
    } // else the server closed the connection once it had answered: acceptable, the check is what was stored
    assert.ok(sent < 50, `the server read all ${sent} MB`);
    assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
    assert.equal(await count(), before);
    const health = await v.fetch('/healthz', { key: null });
    assert.equal(health.status, 200);
  });

  it('seals the contents at rest: the stored blob does not hold the bytes sent', async () => {
    const marker = Buffer.concat([SAMPLE.jpg.subarray(0, 4), Buffer.from('PLAINTEXT-MARKER-'.repeat(20))]);
    const f = await upload(stripe, 'identity_document', marker);
    const blob = await v.deps.blobs.get(f.id);
    assert.ok(blob, 'no blob stored');
    assert.equal(blob.includes(Buffer.from('PLAINTEXT-MARKER')), false, 'the blob holds the plaintext');
  });

  it('refuses file_link_data for an identity_document (such files cannot be linked)', async () => {
    const err = await stripeError(
      stripe.files.create({ purpose: 'identity_document', file: { data: SAMPLE.pdf, name: 'a.pdf', type: 'application/pdf' }, file_link_data: { create: true } }),
    );
    assertStripeError(err, { status: 400, param: 'file', message: MSG.fileLinkPurpose('identity_document') });
  });

  it('creates a short link with an identity image when the key may see sensitive results', async () => {
    const f = await v.stripe(keys.filesSensitive).files.create({
      purpose: 'selfie',
      file: { data: SAMPLE.jpg, name: 'me.jpg', type: 'image/jpeg' },
      file_link_data: { create: true, expires_at: Math.floor(v.clock.nowMs() / 1000) + 20, metadata: { k: 'v' } },
    });
    checkFile(f);
    assert.equal(f.links?.data.length, 1, show(f));
    assert.deepEqual(f.links?.data[0].metadata, { k: 'v' }, show(f));
  });

  it('needs the Files write permission on a restricted key', async () => {
    const err = await stripeError(upload(v.stripe(v.keys.restrictedSensitive), 'selfie', SAMPLE.jpg));
    assertStripeError(err, { status: 403, message: /'rak_file_write' permission/ });
    const ok = await upload(v.stripe(keys.filesWrite), 'selfie', SAMPLE.jpg);
    checkFile(ok);
    const readOnly = await stripeError(upload(v.stripe(keys.filesRead), 'selfie', SAMPLE.jpg));
    assertStripeError(readOnly, { status: 403 });
  });

  it('replays an idempotent upload, and refuses the same key with another file', async () => {
    const opts = { idempotencyKey: `files-${Date.now()}` };
    const a = await stripe.files.create({ purpose: 'selfie', file: { data: SAMPLE.jpg, name: 'a.jpg', type: 'image/jpeg' } }, opts);
    const b = await stripe.files.create({ purpose: 'selfie', file: { data: SAMPLE.jpg, name: 'a.jpg', type: 'image/jpeg' } }, opts);
    assert.equal(b.id, a.id, show({ a, b }));
    const err = await stripeError(stripe.files.create({ purpose: 'selfie', file: { data: SAMPLE.png, name: 'a.jpg', type: 'image/jpeg' } }, opts));
    assertStripeError(err, { status: 400, type: 'idempotency_error' });
  });
});
