import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { eventsOf, show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

describe('POST /verify/api/device_not_supported', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  it('ends the attempt with device_not_supported, without processing or a report', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { require_live_capture: true } } });
    const view = await expectJson(await api(v, 'POST', '/device_not_supported', urlToken(s), {}), 200);
    assert.equal(view.status, 'requires_input', show(view));
    assert.equal(view.last_error.code, 'device_not_supported', show(view));
    const after = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(after.last_error?.code, 'device_not_supported', show(after));
    assert.equal(after.last_verification_report, null);
    const evs = await eventsOf(v.stripe(), s.id);
    assert.deepEqual(evs.map((e) => e.type), ['identity.verification_session.created', 'identity.verification_session.requires_input'], show(evs));
  });

  it('works without a body too, and not for a canceled session', async () => {
    const s = await createSession(v);
    await expectJson(await api(v, 'POST', '/device_not_supported', urlToken(s)), 200);
    const c = await createSession(v);
    await v.stripe().identity.verificationSessions.cancel(c.id);
    await expectJson(await api(v, 'POST', '/device_not_supported', urlToken(c)), 409, 'session_canceled');
  });
});
