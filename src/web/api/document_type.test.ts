import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, testImage, upload, urlToken } from './page-test-kit.js';

describe('POST /verify/api/document_type', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  it('records an allowed type; a passport needs no back', async () => {
    const s = await createSession(v);
    const dl = await expectJson(await api(v, 'POST', '/document_type', urlToken(s), { type: 'driving_license' }), 200);
    assert.equal(dl.collected.document_type, 'driving_license');
    assert.ok(dl.requirements.missing.includes('id_document_back'), show(dl));
    const pp = await expectJson(await api(v, 'POST', '/document_type', urlToken(s), { type: 'passport' }), 200);
    assert.equal(pp.collected.document_type, 'passport');
    assert.ok(!pp.requirements.missing.includes('id_document_back'), show(pp));
    assert.ok(!pp.requirements.missing.includes('id_document_type'), show(pp));
  });

  it('drops the images of the previous type when the type changes', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    await expectJson(await api(v, 'POST', '/document_type', token, { type: 'id_card' }), 200);
    await expectJson(await upload(v, token, { side: 'front', file: await testImage() }), 200);
    const same = await expectJson(await api(v, 'POST', '/document_type', token, { type: 'id_card' }), 200);
    assert.ok(same.collected.front, show(same));
    const other = await expectJson(await api(v, 'POST', '/document_type', token, { type: 'passport' }), 200);
    assert.equal(other.collected.front, null, show(other));
  });

  it('refuses a type outside allowed_types, an unknown type, and an id_number session', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { allowed_types: ['passport', 'id_card'] } } });
    await expectJson(await api(v, 'POST', '/document_type', urlToken(s), { type: 'driving_license' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/document_type', urlToken(s), { type: 'library_card' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/document_type', urlToken(s), {}), 400, 'invalid_request');
    const n = await createSession(v, { type: 'id_number' });
    await expectJson(await api(v, 'POST', '/document_type', urlToken(n), { type: 'passport' }), 400, 'invalid_request');
    const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
    assert.equal(view.collected.document_type, null, show(view));
  });
});
