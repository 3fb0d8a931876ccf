import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';

describe('a session through the stripe client', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
  });
  after(() => v.close());

  it('is created in requires_input with a client secret and a hosted url', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document' });
    assertSchema('session', s);
    assert.equal(s.status, 'requires_input');
    assert.match(s.client_secret ?? '', /^vs_[A-Za-z0-9]{24}_secret_test_[A-Za-z0-9]+$/);
    assert.ok(s.url?.startsWith(`${v.url}/verify/test_`), JSON.stringify(s));
  });

  it('is verified by the test helper and then carries a report', async () => {
    const stripe = v.stripe();
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${s.id}/verify`, {});
    const r = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
    assertSchema('session', r);
    assert.equal(r.status, 'verified', JSON.stringify(r));
    assert.equal((r.last_verification_report as { object: string }).object, 'identity.verification_report');
  });
});
