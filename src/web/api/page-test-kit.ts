// Shared by the page API tests (not a test file itself): a running Verity, sessions created through the
// stripe client, page API calls with the link token, and small generated images.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type Stripe from 'stripe';
import { type Verity, describeResponse, startVerity } from '../../../test/harness.js';
import { checkEveryResponse } from '../../../test/identity.js';

export type Session = Stripe.Identity.VerificationSession;
export type Params = Stripe.Identity.VerificationSessionCreateParams;

export async function startPageVerity(): Promise<Verity> {
  return checkEveryResponse(await startVerity());
}

/** The url token: the path after /verify/ in the session's url. */
export function urlToken(s: Session): string {
  const u = new URL(s.url!);
  assert.match(u.pathname, /^\/verify\/[^/]+$/, s.url ?? 'no url');
  return u.pathname.slice('/verify/'.length);
}

export async function createSession(v: Verity, params: Params = { type: 'document' }, key?: string): Promise<Session> {
  return v.stripe(key).identity.verificationSessions.create(params);
}

/** A page API call authorised by `token`; JSON in, the Response out. */
export async function api(v: Verity, method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${v.url}/verify/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The JSON of a response with the expected status; the whole response in the message otherwise. */
export async function expectJson(res: Response, status: number, code?: string): Promise<any> {
  const text = await describeResponse(res);
  assert.equal(res.status, status, text);
  assert.equal(res.headers.get('cache-control'), 'no-store', text);
  const body = await res.json();
  if (code !== undefined) assert.equal(body.error?.code, code, text);
  return body;
}

export async function upload(
  v: Verity,
  token: string,
  fields: { side: string; upload_method?: string; file?: Buffer | null; filename?: string; type?: string },
): Promise<Response> {
  const form = new FormData();
  form.set('side', fields.side);
  form.set('upload_method', fields.upload_method ?? 'manual_capture');
  if (fields.file) form.set('file', new Blob([new Uint8Array(fields.file)], { type: fields.type ?? 'image/jpeg' }), fields.filename ?? 'photo.jpg');
  return fetch(`${v.url}/verify/api/images`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

/** A small, valid photo: a JPEG (with an EXIF orientation, like a phone's) or a PNG. */
export async function testImage(opts: { width?: number; height?: number; format?: 'jpeg' | 'png'; orientation?: number } = {}): Promise<Buffer> {
  const img = sharp({ create: { width: opts.width ?? 1200, height: opts.height ?? 800, channels: 3, background: '#5a7bb5' } });
  if ((opts.format ?? 'jpeg') === 'png') return img.png().toBuffer();
  return img.jpeg({ quality: 80 }).withMetadata({ orientation: opts.orientation ?? 1 }).toBuffer();
}

/** Walks every step a session needs, up to (not including) submit. Returns the last view. */
export async function completeSteps(v: Verity, token: string, opts: { documentType?: string; selfie?: boolean; idNumber?: boolean } = {}): Promise<any> {
  await expectJson(await api(v, 'POST', '/consent', token, { accepted: true, locale: 'en' }), 200);
  let view = await expectJson(await api(v, 'GET', '/session', token), 200);
  if (view.type === 'document') {
    await expectJson(await api(v, 'POST', '/document_type', token, { type: opts.documentType ?? 'driving_license' }), 200);
    const img = await testImage();
    view = await expectJson(await upload(v, token, { side: 'front', file: img }), 200);
    if (view.requirements.missing.includes('id_document_back')) view = await expectJson(await upload(v, token, { side: 'back', file: img }), 200);
    if (view.requirements.missing.includes('face')) view = await expectJson(await upload(v, token, { side: 'selfie', file: await testImage({ width: 600, height: 600 }) }), 200);
  }
  if (view.requirements.missing.includes('id_number'))
    view = await expectJson(await api(v, 'POST', '/id_number', token, { id_number_type: 'us_ssn', id_number: '000-00-0000', first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 1, year: 1990 } }), 200);
  return view;
}
