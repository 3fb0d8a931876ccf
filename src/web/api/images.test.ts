import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { readFileContents } from '../../domain/files.js';
import type { Verity } from '../../../test/harness.js';
import { show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, testImage, upload, urlToken } from './page-test-kit.js';

const MB = 1024 * 1024;

/** A raw HTTP POST (node:http), so the body can be declared larger than what is sent, or streamed chunked. */
function rawPost(v: Verity, token: string, headers: Record<string, string>, write: (req: http.ClientRequest) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${v.url}/verify/api/images`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    // The server may answer and close before the whole body is sent: that is the point of an early 413.
    req.on('error', (e) => reject(e));
    write(req);
  });
}

describe('POST /verify/api/images', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  const stored = (sessionId: string) => v.deps.store.files.listFileIdsOfSession(sessionId);

  it('stores a JPEG as the session\'s file, upright, at most 2160 px, re-encoded without EXIF', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    const photo = await testImage({ width: 3000, height: 2000, orientation: 6 });
    const view = await expectJson(await upload(v, token, { side: 'front', upload_method: 'auto_capture', file: photo }), 200);
    assert.match(view.collected.front?.file ?? '', /^file_/, show(view));
    assert.equal(view.collected.front.upload_method, 'auto_capture');
    assert.ok(!view.requirements.missing.includes('id_document_front'), show(view));
    const file = await v.deps.store.files.findFile(view.collected.front.file);
    assert.equal(file?.session_id, s.id, show(file));
    assert.equal(file?.purpose, 'identity_document_downloadable');
    assert.equal(file?.type, 'jpg');
    const meta = await sharp((await readFileContents(v.deps, file!.id))!).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.orientation, meta.exif], ['jpeg', 1440, 2160, undefined, undefined], show(meta));
  });

  it('accepts a PNG, and a selfie down to 300×300 stored with purpose selfie', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { require_matching_selfie: true } } });
    const token = urlToken(s);
    const back = await expectJson(await upload(v, token, { side: 'back', file: await testImage({ format: 'png' }), type: 'image/png' }), 200);
    assert.match(back.collected.back?.file ?? '', /^file_/, show(back));
    const view = await expectJson(await upload(v, token, { side: 'selfie', file: await testImage({ width: 300, height: 300 }) }), 200);
    const file = await v.deps.store.files.findFile(view.collected.selfie.file);
    assert.equal(file?.purpose, 'selfie', show(file));
  });

  it('replaces the image of a side uploaded again', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    const first = await expectJson(await upload(v, token, { side: 'front', file: await testImage() }), 200);
    const second = await expectJson(await upload(v, token, { side: 'front', file: await testImage() }), 200);
    assert.notEqual(first.collected.front.file, second.collected.front.file);
    const view = await expectJson(await api(v, 'GET', '/session', token), 200);
    assert.equal(view.collected.front.file, second.collected.front.file, show(view));
  });

  const rejected: [string, () => Promise<{ side?: string; upload_method?: string; file?: Buffer | null }>, number, string][] = [
    ['a text file', async () => ({ file: Buffer.from('not an image at all') }), 415, 'file_type_unsupported'],
    ['a PDF', async () => ({ file: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF') }), 415, 'file_type_unsupported'],
    ['a truncated JPEG', async () => { const j = await testImage(); return { file: j.subarray(0, Math.floor(j.length / 2)) }; }, 400, 'image_unreadable'],
    ['a JPEG header followed by garbage', async () => ({ file: Buffer.concat([(await testImage()).subarray(0, 30), Buffer.alloc(4096, 0x41)]) }), 400, 'image_unreadable'],
    ['an image smaller than 600×400', async () => ({ file: await testImage({ width: 800, height: 399 }) }), 400, 'image_too_small'],
    ['an empty file field', async () => ({ file: Buffer.alloc(0) }), 415, 'file_type_unsupported'],
    ['no file', async () => ({ file: null }), 400, 'invalid_request'],
    ['an unknown side', async () => ({ side: 'left', file: await testImage() }), 400, 'invalid_request'],
    ['an unknown upload method', async () => ({ upload_method: 'fax', file: await testImage() }), 400, 'invalid_request'],
    ['a selfie the session does not ask for', async () => ({ side: 'selfie', file: await testImage() }), 400, 'invalid_request'],
    ['a selfie smaller than 300×300', async () => ({ side: 'selfie', file: await testImage({ width: 299, height: 400 }) }), 400, 'image_too_small'],
  ];
  for (const [what, make, status, code] of rejected) {
    it(`refuses ${what} with ${status} ${code}, storing nothing`, async () => {
      const selfie = what.includes('300×300');
      const s = await createSession(v, { type: 'document', options: { document: { require_matching_selfie: selfie } } });
      const f = await make();
      await expectJson(await upload(v, urlToken(s), { side: f.side ?? 'front', upload_method: f.upload_method, file: f.file }), status, code);
      assert.deepEqual(await stored(s.id), []);
      const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
      assert.equal(view.collected.front, null, show(view));
    });
  }

  it('refuses a back image for a passport (allowed only, or chosen), and any image for an id_number session', async () => {
    const p = await createSession(v, { type: 'document', options: { document: { allowed_types: ['passport'] } } });
    await expectJson(await upload(v, urlToken(p), { side: 'back', file: await testImage() }), 400, 'invalid_request');
    const chosen = await createSession(v);
    await expectJson(await api(v, 'POST', '/document_type', urlToken(chosen), { type: 'passport' }), 200);
    await expectJson(await upload(v, urlToken(chosen), { side: 'back', file: await testImage() }), 400, 'invalid_request');
    assert.deepEqual(await stored(chosen.id), []);
    const n = await createSession(v, { type: 'id_number' });
    await expectJson(await upload(v, urlToken(n), { side: 'front', file: await testImage() }), 400, 'invalid_request');
    assert.deepEqual([...(await stored(p.id)), ...(await stored(n.id))], []);
  });

  it('refuses a file upload when live capture is required (403 upload_not_allowed), but takes a camera capture', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { require_live_capture: true } } });
    await expectJson(await upload(v, urlToken(s), { side: 'front', upload_method: 'file_upload', file: await testImage() }), 403, 'upload_not_allowed');
    assert.deepEqual(await stored(s.id), []);
    await expectJson(await upload(v, urlToken(s), { side: 'front', upload_method: 'manual_capture', file: await testImage() }), 200);
  });

  it('refuses an 11 MB image with 413 file_too_large', async () => {
    const s = await createSession(v);
    const big = Buffer.concat([await testImage(), Buffer.alloc(11 * MB)]);
    await expectJson(await upload(v, urlToken(s), { side: 'front', file: big }), 413, 'file_too_large');
    assert.deepEqual(await stored(s.id), []);
  });

  it('refuses a declared 50 MB body from its Content-Length, before reading it', async () => {
    const s = await createSession(v);
    const r = await rawPost(v, urlToken(s), { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * MB) }, (req) => {
      req.write('--x\r\n'); // a little of it, then nothing more: the answer must not wait for the rest
    });
    assert.equal(r.status, 413, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'file_too_large', r.body);
  });

  it('refuses a chunked 50 MB body once the bytes read pass the cap', async () => {
    const s = await createSession(v);
    const chunk = Buffer.alloc(MB, 0x61);
    const r = await rawPost(v, urlToken(s), { 'content-type': 'multipart/form-data; boundary=x', 'transfer-encoding': 'chunked' }, (req) => {
      let sent = 0;
      const pump = () => {
        while (sent < 50) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('error', () => {}); // the server may stop reading once it has answered
      pump();
    }).catch((e) => ({ status: -1, body: String(e) }));
    assert.equal(r.status, 413, r.body);
    assert.deepEqual(await stored(s.id), []);
  });

  it('refuses a JSON body: images are multipart/form-data', async () => {
    const s = await createSession(v);
    await expectJson(await api(v, 'POST', '/images', urlToken(s), { side: 'front' }), 400, 'invalid_request');
  });

  it('refuses an upload with a forged token (401) before reading it', async () => {
    await expectJson(await upload(v, 'test_' + 'Z'.repeat(32), { side: 'front', file: await testImage() }), 401, 'link_invalid');
  });
});
