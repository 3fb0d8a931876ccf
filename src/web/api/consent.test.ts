import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { eventsOf, show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

describe('POST /verify/api/consent', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  it('records consent, which then is no longer missing', async () => {
    const s = await createSession(v);
    const view = await expectJson(await api(v, 'POST', '/consent', urlToken(s), { accepted: true, locale: 'fr' }), 200);
    assert.equal(view.collected.consent, true, show(view));
    assert.ok(!view.requirements.missing.includes('biometric_consent'), show(view));
    assert.equal(view.status, 'requires_input');
  });

  it('declining ends the attempt: requires_input with consent_declined, a new link, the old one used', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    await expectJson(await api(v, 'POST', '/consent', token, { accepted: true }), 200);
    await expectJson(await api(v, 'POST', '/document_type', token, { type: 'passport' }), 200);
    const view = await expectJson(await api(v, 'POST', '/consent', token, { accepted: false }), 200);
    assert.equal(view.status, 'requires_input', show(view));
    assert.equal(view.link, 'submitted', show(view));
    assert.equal(view.last_error?.code, 'consent_declined', show(view));
    const after = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(after.status, 'requires_input');
    assert.equal(after.last_error?.code, 'consent_declined', show(after));
    assert.equal(after.last_verification_report, null);
    assert.notEqual(after.url, s.url);
    const evs = await eventsOf(v.stripe(), s.id);
    assert.deepEqual(evs.map((e) => e.type), ['identity.verification_session.created', 'identity.verification_session.requires_input'], show(evs));
    // The next attempt, through the new link, starts from nothing.
    const fresh = await expectJson(await api(v, 'GET', '/session', urlToken(after)), 200);
    assert.equal(fresh.link, 'active');
    assert.deepEqual(fresh.collected, { consent: false, document_type: null, front: null, back: null, selfie: null, id_number: false, email_otp: false, phone_otp: false }, show(fresh));
    // The old client secret is used up too.
    await expectJson(await api(v, 'POST', '/consent', s.client_secret!, { accepted: true }), 409, 'session_submitted');
  });

  it('declining twice (a double click) is one transition', async () => {
    const s = await createSession(v);
    const [a, b] = await Promise.all([api(v, 'POST', '/consent', urlToken(s), { accepted: false }), api(v, 'POST', '/consent', urlToken(s), { accepted: false })]);
    await expectJson(a, 200);
    await expectJson(b, 200);
    const evs = await eventsOf(v.stripe(), s.id);
    assert.equal(evs.filter((e) => e.type === 'identity.verification_session.requires_input').length, 1, show(evs));
  });

  it('refuses a body without a boolean accepted, or not JSON', async () => {
    const s = await createSession(v);
    await expectJson(await api(v, 'POST', '/consent', urlToken(s), { accepted: 'yes' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/consent', urlToken(s), [true]), 400, 'invalid_request');
    const res = await fetch(`${v.url}/verify/api/consent`, { method: 'POST', headers: { authorization: `Bearer ${urlToken(s)}`, 'content-type': 'application/json' }, body: '{"accepted":' });
    await expectJson(res, 400, 'invalid_request');
    const form = await fetch(`${v.url}/verify/api/consent`, { method: 'POST', headers: { authorization: `Bearer ${urlToken(s)}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'accepted=true' });
    await expectJson(form, 400, 'invalid_request');
    const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
    assert.equal(view.collected.consent, false, show(view));
  });
});
