// Regressions found by test/fuzz.test.ts in the store, on SQLite and (with DATABASE_URL) PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../../test/harness.js';

describe('created filters beyond 32 bits (the API takes up to 15 digits)', () => {
  let v: Verity;
  let created: number;
  before(async () => {
    v = await startVerity();
    created = (await v.stripe().identity.verificationSessions.create({ type: 'document' })).created;
  });
  after(() => v.close());

  // PostgreSQL typed the bound as the integer column and failed ("out of range for type integer"): a 500.
  it('compares instead of failing, for sessions, reports and events', async () => {
    const big = 999_999_999_999_999;
    const store = v.deps.store;
    const page = { limit: 10 };
    const sessions = (f: object) => store.listSessions({ livemode: false, created: f }, page).then((p) => p.items.length);
    assert.equal(await sessions({ gte: big }), 0);
    assert.equal(await sessions({ gt: 2 ** 31 }), 0);
    assert.equal(await sessions({ eq: -big }), 0);
    assert.equal(await sessions({ lte: big }), 1);
    assert.equal(await sessions({ gt: -big, lt: big }), 1);
    assert.equal(await sessions({ eq: created }), 1);
    assert.equal((await store.listReports({ livemode: false, created: { lt: -(2 ** 31) - 1 } }, page)).items.length, 0);
    assert.equal((await store.listEvents({ livemode: false, created: { gte: 2 ** 31 } }, page)).items.length, 0);
  });

  it('answers the list endpoints with 200 for such bounds', async () => {
    for (const q of ['created[gte]=999999999999999', 'created=-999999999999999', 'created[lt]=2147483648&created[gt]=-2147483649']) {
      for (const path of ['/v1/identity/verification_sessions', '/v1/identity/verification_reports', '/v1/events']) {
        const res = await v.fetch(`${path}?${q}`);
        assert.equal(res.status, 200, `${path}?${q}: ${await res.text()}`);
      }
    }
  });
});
