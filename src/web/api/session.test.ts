import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

describe('GET /verify/api/session', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  it('shows a new document session with everything still to collect, by url token and by client secret', async () => {
    const s = await createSession(v, { type: 'document', return_url: 'https://example.com/done' });
    for (const token of [urlToken(s), s.client_secret!]) {
      const view = await expectJson(await api(v, 'GET', '/session', token), 200);
      assert.equal(view.id, s.id, show(view));
      assert.equal(view.livemode, false);
      assert.equal(view.status, 'requires_input');
      assert.equal(view.link, 'active');
      assert.equal(view.type, 'document');
      assert.equal(view.return_url, 'https://example.com/done');
      assert.deepEqual(view.business, { name: v.deps.config.page.businessName, privacy_url: v.deps.config.page.privacyUrl, brand_color: v.deps.config.page.brandColor });
      assert.deepEqual(view.document, { allowed_types: ['driving_license', 'id_card', 'passport'], require_live_capture: false, require_matching_selfie: false, require_id_number: false });
      assert.deepEqual(view.requirements.missing, ['biometric_consent', 'id_document_type', 'id_document_front', 'id_document_back'], show(view));
      assert.deepEqual(view.collected, { consent: false, document_type: null, front: null, back: null, selfie: null, id_number: false, email_otp: false, phone_otp: false });
    }
  });

  it('asks for the selfie and the ID number when the options require them, and no back when only passports are allowed', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { allowed_types: ['passport'], require_matching_selfie: true, require_id_number: true } } });
    const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
    assert.deepEqual(view.requirements.missing, ['biometric_consent', 'id_document_front', 'face', 'id_number'], show(view));
    assert.equal(view.collected.document_type, 'passport', show(view));
  });

  it('asks an id_number session for consent and the number only', async () => {
    const s = await createSession(v, { type: 'id_number' });
    const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
    assert.equal(view.type, 'id_number');
    assert.equal(view.document, null);
    assert.deepEqual(view.requirements.missing, ['biometric_consent', 'id_number'], show(view));
  });

  it('answers 401 link_invalid without a token, with a forged one, or with an API key', async () => {
    const s = await createSession(v);
    const forged = [null, 'test_' + 'A'.repeat(32), `${s.id}_secret_test_${'B'.repeat(24)}`, v.keys.test, 'x'.repeat(5000)];
    for (const t of forged) await expectJson(await api(v, 'GET', '/session', t), 401, 'link_invalid');
  });

  it('answers 404 not_found in its own shape for an unknown route', async () => {
    await expectJson(await api(v, 'GET', '/nope', 'whatever'), 404, 'not_found');
  });

  describe('link states', () => {
    it('shows an expired client secret as 410 link_expired while the 48-hour url still works', async () => {
      const s = await createSession(v);
      v.clock.advance(25 * 3600 * 1000);
      await expectJson(await api(v, 'GET', '/session', s.client_secret!), 410, 'link_expired');
      await expectJson(await api(v, 'POST', '/consent', s.client_secret!, { accepted: true }), 410, 'link_expired');
      await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
      v.clock.advance(24 * 3600 * 1000);
      await expectJson(await api(v, 'GET', '/session', urlToken(s)), 410, 'link_expired');
    });

    it('keeps an expired link expired when retrieving the session mints new ones, and the new ones work', async () => {
      const s = await createSession(v);
      v.clock.advance(49 * 3600 * 1000);
      const again = await v.stripe().identity.verificationSessions.retrieve(s.id);
      assert.notEqual(again.url, s.url);
      await expectJson(await api(v, 'GET', '/session', urlToken(s)), 410, 'link_expired');
      const view = await expectJson(await api(v, 'GET', '/session', urlToken(again)), 200);
      assert.equal(view.link, 'active');
    });

    it('shows a canceled session as 409 session_canceled, by either token', async () => {
      const s = await createSession(v);
      await v.stripe().identity.verificationSessions.cancel(s.id);
      for (const t of [urlToken(s), s.client_secret!]) {
        await expectJson(await api(v, 'GET', '/session', t), 409, 'session_canceled');
        await expectJson(await api(v, 'POST', '/consent', t, { accepted: true }), 409, 'session_canceled');
      }
    });

    it('shows a redacted session as canceled', async () => {
      const s = await createSession(v);
      await v.stripe().identity.verificationSessions.redact(s.id);
      await expectJson(await api(v, 'GET', '/session', urlToken(s)), 409, 'session_canceled');
    });

    it('still answers a submitted link (so the page can show progress), but refuses changes with 409 session_submitted', async () => {
      const s = await createSession(v);
      const token = urlToken(s);
      await expectJson(await api(v, 'POST', '/test_outcome', token, { outcome: 'verified_async' }), 200);
      const view = await expectJson(await api(v, 'GET', '/session', s.client_secret!), 200);
      assert.equal(view.link, 'submitted', show(view));
      assert.equal(view.status, 'processing', show(view));
      assert.deepEqual(view.requirements.missing, [], show(view));
      await expectJson(await api(v, 'POST', '/consent', token, { accepted: true }), 409, 'session_submitted');
      await expectJson(await api(v, 'POST', '/document_type', token, { type: 'passport' }), 409, 'session_submitted');
    });

    it('lets a client secret drive only its own session: another session id in front of it is unknown', async () => {
      const a = await createSession(v);
      const b = await createSession(v);
      const view = await expectJson(await api(v, 'GET', '/session', a.client_secret!), 200);
      assert.equal(view.id, a.id);
      const spliced = a.client_secret!.replace(a.id, b.id);
      await expectJson(await api(v, 'GET', '/session', spliced), 401, 'link_invalid');
      await expectJson(await api(v, 'POST', '/consent', spliced, { accepted: true }), 401, 'link_invalid');
      const bView = await expectJson(await api(v, 'GET', '/session', b.client_secret!), 200);
      assert.equal(bView.collected.consent, false, show(bView));
    });

    it('treats a live session\'s link like a test one', async () => {
      const s = await createSession(v, { type: 'document' }, v.keys.live);
      const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
      assert.equal(view.livemode, true, show(view));
    });
  });
});
