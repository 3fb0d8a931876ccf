// The hosted page's storage (SQLite; the PostgreSQL paths run through the page API suites): links by hash,
// the versioned collection, and migration 0006 remembering the links of sessions that existed before it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { openDatabase } from './db.js';
import * as m0001 from './migrations/0001_init.js';
import * as m0002 from './migrations/0002_webhooks.js';
import * as m0003 from './migrations/0003_idempotency_object.js';
import * as m0004 from './migrations/0004_long_text_indexes.js';
import * as m0006 from './migrations/0006_hosted_page.js';
import { linkKey } from './page-store.js';
import { createSealer } from './sealer.js';
import { Store } from './store.js';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function storeBefore0006() {
  const opened = openDatabase({ sqlitePath: ':memory:' });
  for (const m of [m0001, m0002, m0003, m0004]) await m.up(opened.db, 'sqlite');
  return { opened, store: Store.from(opened, createSealer(crypto.randomBytes(32))) };
}

describe('page store', () => {
  it('keys links minted later after earlier ones, and keeps the plain hash for tokens of the earlier shape', () => {
    const t1 = `test_1Vc72s60${'a'.repeat(32)}`;
    const t2 = `test_1Vc72s61${'a'.repeat(32)}`;
    const secret = `vs_1Vc72s5abcdefghijklmnop_secret_live_1Vc72s62${'b'.repeat(32)}`;
    assert.ok(linkKey(t1) < linkKey(t2) && linkKey(t2) < linkKey(secret), [t1, t2, secret].map(linkKey).join('\n'));
    assert.equal(linkKey(t1), `Vc72s60${sha256(t1)}`);
    const old = 'test_' + 'A'.repeat(32);
    assert.equal(linkKey(old), sha256(old), 'a url token without clock digits');
    const oldSecret = `vs_${'x'.repeat(24)}_secret_test_${'y'.repeat(24)}`;
    assert.equal(linkKey(oldSecret), sha256(oldSecret), 'a client secret without clock digits');
  });

  it('migration 0006 remembers the current links of existing sessions, and only by hash', async () => {
    const { opened, store } = await storeBefore0006();
    const row = {
      id: 'vs_old', livemode: 0, created: 1000, status: 'requires_input', type: 'document', client_reference_id: null,
      metadata: '{}', options: '{}', provided_details: null, related_customer: null, related_customer_account: null,
      related_person: null, return_url: null, verification_flow: null, last_error: null, last_report_id: null,
      redaction_status: null, client_secret: 'vs_old_secret_test_abc', client_secret_expires: 2000, url_token: 'test_xyz', url_expires: 3000, version: 0,
    };
    await opened.db.insertInto('verification_sessions').values(row as never).execute();
    await m0006.up(opened.db);
    assert.deepEqual(await store.page.findLink('test_xyz'), { session_id: 'vs_old', kind: 'url', created: 1000, expires_at: 3000, used_at: null });
    assert.equal((await store.page.findLink('vs_old_secret_test_abc'))?.kind, 'client_secret');
    const stored = await opened.db.selectFrom('session_links').select('token_hash').execute();
    assert.deepEqual(stored.map((r) => r.token_hash).sort(), [linkKey('test_xyz'), linkKey('vs_old_secret_test_abc')].sort());
    await opened.close();
  });

  it('marks a session\'s links used once, and writes the collection only over the version it read', async () => {
    const { opened, store } = await storeBefore0006();
    await m0006.up(opened.db);
    await store.page.rememberLinks('vs_1', [{ token: 'a', kind: 'url', expires_at: 50 }], 10);
    await store.page.markLinksUsed('vs_1', 20);
    await store.page.markLinksUsed('vs_1', 30);
    assert.equal((await store.page.findLink('a'))?.used_at, 20);
    assert.equal(await store.page.saveCollection('vs_1', { n: 1 }, 0, 10), true);
    assert.equal(await store.page.saveCollection('vs_1', { n: 2 }, 0, 10), false, 'a second first write loses');
    assert.equal(await store.page.saveCollection('vs_1', { n: 2 }, 1, 11), true);
    assert.equal(await store.page.saveCollection('vs_1', { n: 3 }, 1, 12), false, 'a stale version loses');
    assert.deepEqual(await store.page.loadCollection('vs_1'), { data: { n: 2 }, version: 2 });
    const sealed = await opened.db.selectFrom('session_collection').select('data').executeTakeFirst();
    assert.ok(!sealed?.data.includes('"n"'), 'sealed at rest');
    await store.page.deleteCollection('vs_1');
    assert.equal(await store.page.loadCollection('vs_1'), undefined);
    await opened.close();
  });
});
