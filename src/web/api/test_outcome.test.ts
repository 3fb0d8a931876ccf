import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LAST_ERROR_REASONS } from '../../domain/last-errors.js';
import type { Verity } from '../../../test/harness.js';
import { type Report, eventsOf, show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

const CREATED = 'identity.verification_session.created';
const PROCESSING = 'identity.verification_session.processing';
const VERIFIED = 'identity.verification_session.verified';
const REQUIRES_INPUT = 'identity.verification_session.requires_input';

describe('POST /verify/api/test_outcome', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  const retrieve = (id: string) => v.stripe().identity.verificationSessions.retrieve(id, { expand: ['last_verification_report'] });
  const types = async (id: string) => (await eventsOf(v.stripe(), id)).map((e) => e.type);

  it('verified: verified at once, with the test report', async () => {
    const s = await createSession(v);
    const view = await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'verified' }), 200);
    assert.equal(view.status, 'verified', show(view));
    const done = await retrieve(s.id);
    assert.equal(done.status, 'verified');
    assert.equal((done.last_verification_report as Report).document?.status, 'verified', show(done));
    assert.deepEqual(await types(s.id), [CREATED, PROCESSING, VERIFIED]);
  });

  it('unverified without a code: requires_input with the default failure', async () => {
    const s = await createSession(v);
    const view = await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'unverified' }), 200);
    assert.equal(view.status, 'requires_input', show(view));
    assert.equal(view.last_error.code, 'document_unverified_other', show(view));
    assert.deepEqual(await types(s.id), [CREATED, PROCESSING, REQUIRES_INPUT]);
  });

  it('unverified with a chosen last_error code (document_expired): the report\'s document check shows it', async () => {
    const s = await createSession(v);
    await expectJson(await api(v, 'POST', '/test_outcome', s.client_secret!, { outcome: 'unverified', last_error_code: 'document_expired' }), 200);
    const done = await retrieve(s.id);
    assert.deepEqual(done.last_error, { code: 'document_expired', reason: LAST_ERROR_REASONS.document_expired }, show(done));
    assert.equal((done.last_verification_report as Report).document?.error?.code, 'document_expired', show(done));
  });

  it('verified_async and unverified_async: processing until the simulated delay has passed', async () => {
    const ok = await createSession(v);
    const bad = await createSession(v, { type: 'document', options: { document: { require_matching_selfie: true } } });
    assert.equal((await expectJson(await api(v, 'POST', '/test_outcome', urlToken(ok), { outcome: 'verified_async' }), 200)).status, 'processing');
    assert.equal(
      (await expectJson(await api(v, 'POST', '/test_outcome', urlToken(bad), { outcome: 'unverified_async', last_error_code: 'selfie_face_mismatch' }), 200)).status,
      'processing',
    );
    await v.runJobs();
    assert.equal((await retrieve(ok.id)).status, 'processing');
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    assert.equal((await retrieve(ok.id)).status, 'verified');
    const failed = await retrieve(bad.id);
    assert.equal(failed.last_error?.code, 'selfie_face_mismatch', show(failed));
    assert.equal((failed.last_verification_report as Report).selfie?.status, 'unverified', show(failed));
    assert.deepEqual(await types(bad.id), [CREATED, PROCESSING, REQUIRES_INPUT]);
  });

  it('a session-level code (consent_declined) goes straight back to requires_input, without processing', async () => {
    const s = await createSession(v);
    const view = await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'unverified', last_error_code: 'consent_declined' }), 200);
    assert.equal(view.last_error.code, 'consent_declined', show(view));
    assert.deepEqual(await types(s.id), [CREATED, REQUIRES_INPUT]);
  });

  it('refuses a code that does not apply, an unknown outcome or code, and a live session (403 test_mode_only)', async () => {
    const s = await createSession(v);
    await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'unverified', last_error_code: 'selfie_face_mismatch' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'maybe' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/test_outcome', urlToken(s), { outcome: 'unverified', last_error_code: 'nope' }), 400, 'invalid_request');
    assert.deepEqual(await types(s.id), [CREATED]);
    const live = await createSession(v, { type: 'document' }, v.keys.live);
    await expectJson(await api(v, 'POST', '/test_outcome', urlToken(live), { outcome: 'verified' }), 403, 'test_mode_only');
    assert.equal((await v.stripe(v.keys.live).identity.verificationSessions.retrieve(live.id)).status, 'requires_input');
  });
});
