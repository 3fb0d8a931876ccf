import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { type Report, eventsOf, show } from '../../../test/identity.js';
import { api, completeSteps, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

describe('POST /verify/api/submit', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  const finishProcessing = async () => {
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
  };

  it('refuses with requirements_missing (naming them) until everything is collected, changing nothing', async () => {
    const s = await createSession(v);
    const body = await expectJson(await api(v, 'POST', '/submit', urlToken(s), {}), 400, 'requirements_missing');
    assert.match(body.error.message, /biometric_consent, id_document_type, id_document_front, id_document_back/, show(body));
    const after = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(after.status, 'requires_input', show(after));
  });

  it('walking the real flow in test mode: processing, then verified with a report naming the uploaded files', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { require_matching_selfie: true, require_id_number: true } } });
    const token = urlToken(s);
    const ready = await completeSteps(v, token, { documentType: 'id_card' });
    assert.deepEqual(ready.requirements.missing, [], show(ready));
    const view = await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    assert.equal(view.status, 'processing', show(view));
    assert.equal(view.link, 'submitted', show(view));
    await finishProcessing();
    const done = await v.stripe().identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
    assert.equal(done.status, 'verified', show(done));
    const rep = done.last_verification_report as Report;
    assert.deepEqual(rep.document?.files, [ready.collected.front.file, ready.collected.back.file], show(rep));
    assert.equal(rep.document?.type, 'id_card', show(rep));
    assert.deepEqual([rep.selfie?.document, rep.selfie?.selfie], [ready.collected.front.file, ready.collected.selfie.file], show(rep));
    assert.equal(rep.selfie?.status, 'verified');
    assert.equal(rep.id_number?.status, 'verified');
    const evs = await eventsOf(v.stripe(), s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.processing', 'identity.verification_session.verified'],
      show(evs),
    );
    // The page keeps answering the used link with the result.
    const result = await expectJson(await api(v, 'GET', '/session', token), 200);
    assert.equal(result.status, 'verified', show(result));
  });

  it('a passport report names only the front', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    const ready = await completeSteps(v, token, { documentType: 'passport' });
    await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    await finishProcessing();
    const done = await v.stripe().identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
    assert.deepEqual((done.last_verification_report as Report).document?.files, [ready.collected.front.file], show(done));
  });

  it('an id_number session walks consent and number only', async () => {
    const s = await createSession(v, { type: 'id_number' });
    const token = urlToken(s);
    await completeSteps(v, token);
    await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    await finishProcessing();
    const done = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(done.status, 'verified', show(done));
  });

  it('a double submit (two at once, then a third) is one transition; every answer is 200 with the current state', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    await completeSteps(v, token, { documentType: 'passport' });
    const answers = await Promise.all([api(v, 'POST', '/submit', token, {}), api(v, 'POST', '/submit', s.client_secret!, {})]);
    for (const a of answers) assert.equal((await expectJson(a, 200)).status, 'processing');
    const third = await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    assert.equal(third.link, 'submitted', show(third));
    const evs = await eventsOf(v.stripe(), s.id);
    assert.equal(evs.filter((e) => e.type === 'identity.verification_session.processing').length, 1, show(evs));
  });

  it('a replayed token after submission cannot change anything', async () => {
    const s = await createSession(v);
    const token = urlToken(s);
    await completeSteps(v, token, { documentType: 'passport' });
    await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    for (const t of [token, s.client_secret!]) {
      await expectJson(await api(v, 'POST', '/consent', t, { accepted: true }), 409, 'session_submitted');
      await expectJson(await api(v, 'POST', '/document_type', t, { type: 'passport' }), 409, 'session_submitted');
      await expectJson(await api(v, 'POST', '/test_outcome', t, { outcome: 'verified' }), 200); // answered with the state, no new transition
    }
    await finishProcessing();
    const evs = await eventsOf(v.stripe(), s.id);
    assert.equal(evs.length, 3, show(evs));
  });

  it('live mode: processed by the live pipeline (which, for now, cannot verify), then a new attempt with an empty collection', async () => {
    const s = await createSession(v, { type: 'document' }, v.keys.live);
    const token = urlToken(s);
    await completeSteps(v, token, { documentType: 'passport' });
    const view = await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    assert.equal(view.status, 'processing', show(view));
    await v.runJobs();
    const done = await v.stripe(v.keys.live).identity.verificationSessions.retrieve(s.id);
    assert.equal(done.status, 'requires_input', show(done));
    assert.equal(done.last_error?.code, 'document_unverified_other', show(done));
    const old = await expectJson(await api(v, 'GET', '/session', token), 200);
    assert.equal(old.link, 'submitted', show(old));
    const fresh = await expectJson(await api(v, 'GET', '/session', urlToken(done)), 200);
    assert.equal(fresh.link, 'active', show(fresh));
    assert.equal(fresh.collected.front, null, show(fresh));
    assert.equal(fresh.collected.consent, false, show(fresh));
  });
});
