import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PERMISSIONS, createKey, recordFor } from '../../domain/keys.js';
import { type OpenedDb, migrate, openDatabase } from '../../store/db.js';
import { createSealer } from '../../store/sealer.js';
import { type ApiKeyRecord, Store } from '../../store/store.js';
import { type AuthedKey, KeyRing, authorize, sensitiveAccess } from './auth.js';
import { MSG, StripeError } from './errors.js';

const NOW_S = 1_800_000_000;
const NOW_MS = NOW_S * 1000;

async function refused(p: unknown): Promise<StripeError> {
  try {
    const out = await p;
    assert.fail(`expected a StripeError, got ${JSON.stringify(out)}`);
  } catch (e) {
    if (e instanceof StripeError) return e;
    throw e;
  }
}

const summary = (e: StripeError) => ({ status: e.status, type: e.type, code: e.code, message: e.message });

describe('KeyRing.authenticate', () => {
  let opened: OpenedDb;
  let store: Store;
  let ring: KeyRing;
  let secret: string;
  let publishable: string;
  before(async () => {
    opened = openDatabase({ sqlitePath: ':memory:' });
    await migrate(opened);
    store = Store.from(opened, createSealer(crypto.randomBytes(32)));
    ring = new KeyRing(store);
    secret = (await createKey(store, { kind: 'secret', livemode: false, now: NOW_S })).key;
    publishable = (await createKey(store, { kind: 'publishable', livemode: false, now: NOW_S })).key;
  });
  after(() => opened.close());

  const basic = (user: string) => `Basic ${Buffer.from(user).toString('base64')}`;

  it('accepts a known key as Bearer, whatever the scheme\'s case', async () => {
    for (const h of [`Bearer ${secret}`, `bearer ${secret}`, `  Bearer   ${secret}  `]) {
      const k = await ring.authenticate(h, NOW_MS);
      assert.equal(k.raw, secret, h);
      assert.equal(k.record.kind, 'secret');
      assert.equal(k.record.livemode, false);
    }
  });

  it('accepts a known key as the Basic username, ignoring any password', async () => {
    for (const user of [`${secret}:`, `${secret}:whatever`, secret]) {
      const k = await ring.authenticate(basic(user), NOW_MS);
      assert.equal(k.raw, secret, user);
    }
  });

  it('a missing or blank header is "You did not provide an API key"', async () => {
    for (const h of [undefined, '', '   ']) {
      assert.deepEqual(summary(await refused(ring.authenticate(h, NOW_MS))), { status: 401, type: 'invalid_request_error', code: undefined, message: MSG.noApiKey });
    }
  });

  it('Basic with an empty username is a missing key', async () => {
    assert.equal((await refused(ring.authenticate(basic(':pw'), NOW_MS))).message, MSG.noApiKey);
  });

  it('a value that is no key at all names what was sent', async () => {
    assert.equal((await refused(ring.authenticate('Bearer null', NOW_MS))).message, MSG.malformedAuth('null'));
    assert.equal((await refused(ring.authenticate('Bearer undefined', NOW_MS))).message, MSG.malformedAuth('undefined'));
    assert.equal((await refused(ring.authenticate('Token abc', NOW_MS))).message, MSG.malformedAuth('Token abc'));
  });

  it('a malformed value that looks like a key is not echoed in full', async () => {
    const e = await refused(ring.authenticate(`Bearer ${secret} trailing`, NOW_MS));
    assert.equal(e.status, 401);
    assert.ok(e.message.startsWith('You did not provide an API key, though you did set your Authorization header to'), e.message);
    assert.ok(!e.message.includes(secret.slice(8)), e.message);
  });

  it('a publishable key is refused with secret_key_required, known or not', async () => {
    for (const k of [publishable, 'pk_test_unknown1234']) {
      assert.deepEqual(summary(await refused(ring.authenticate(`Bearer ${k}`, NOW_MS))), {
        status: 401,
        type: 'invalid_request_error',
        code: 'secret_key_required',
        message: MSG.secretKeyRequired,
      });
    }
  });

  it('an unknown key is "Invalid API Key provided", masked', async () => {
    const unknown = 'sk_test_doesnotexist9999';
    assert.deepEqual(summary(await refused(ring.authenticate(`Bearer ${unknown}`, NOW_MS))), {
      status: 401,
      type: 'invalid_request_error',
      code: undefined,
      message: MSG.invalidApiKey(unknown),
    });
  });

  it('a key past its expiry is refused with api_key_expired, even when it was cached while valid', async () => {
    const key = 'sk_test_' + crypto.randomBytes(16).toString('hex');
    await store.insertKey({ ...recordFor(key, { created: NOW_S }), expires_at: NOW_S + 5 });
    assert.equal((await ring.authenticate(`Bearer ${key}`, NOW_MS)).raw, key);
    const e = await refused(ring.authenticate(`Bearer ${key}`, NOW_MS + 5000));
    assert.deepEqual(summary(e), { status: 401, type: 'invalid_request_error', code: 'api_key_expired', message: MSG.expiredApiKey(key) });
  });
});

/** A fresh migrated in-memory store for one test, closed after it. */
async function withStore(f: (store: Store) => Promise<void>): Promise<void> {
  const opened = openDatabase({ sqlitePath: ':memory:' });
  try {
    await migrate(opened);
    await f(Store.from(opened, createSealer(crypto.randomBytes(32))));
  } finally {
    await opened.close();
  }
}

describe('KeyRing cache', () => {
  it('looks a key up once per header value within the cache time, and again after it', async () => {
    await withStore(async (store) => {
      const { key } = await createKey(store, { kind: 'secret', livemode: false, now: NOW_S });
      let lookups = 0;
      const counting = Object.create(store, { findKeyByHash: { value: (h: string) => (lookups++, store.findKeyByHash(h)) } }) as Store;
      const ring = new KeyRing(counting);
      for (let i = 0; i < 3; i++) assert.equal((await ring.authenticate(`Bearer ${key}`, NOW_MS + i)).raw, key);
      assert.equal(lookups, 1, 'one lookup for the same Authorization value');
      await ring.authenticate(`bearer ${key}`, NOW_MS);
      assert.equal(lookups, 2, 'another spelling is another entry');
      await ring.authenticate(`Bearer ${key}`, NOW_MS + 60_000);
      assert.equal(lookups, 3, 'looked up again once the entry is stale');
    });
  });

  it('hands a cached key back at once (no promise), but an expired one only as a rejection', async () => {
    await withStore(async (store) => {
      const ring = new KeyRing(store);
      const key = 'sk_test_' + crypto.randomBytes(16).toString('hex');
      await store.insertKey({ ...recordFor(key, { created: NOW_S }), expires_at: NOW_S + 5 });
      const first = ring.authenticate(`Bearer ${key}`, NOW_MS);
      assert.ok(first instanceof Promise, 'the first time it is looked up');
      await first;
      const cached = ring.authenticate(`Bearer ${key}`, NOW_MS + 1000);
      assert.ok(!(cached instanceof Promise));
      assert.equal(cached.raw, key);
      const late = ring.authenticate(`Bearer ${key}`, NOW_MS + 5000);
      assert.ok(late instanceof Promise);
      assert.equal((await refused(late)).code, 'api_key_expired');
    });
  });

  it('never caches a refusal: a key added after it was refused is accepted', async () => {
    await withStore(async (store) => {
      const ring = new KeyRing(store);
      const key = 'sk_test_' + crypto.randomBytes(16).toString('hex');
      await refused(ring.authenticate(`Bearer ${key}`, NOW_MS));
      await store.insertKey(recordFor(key, { created: NOW_S }));
      assert.equal((await ring.authenticate(`Bearer ${key}`, NOW_MS)).raw, key);
    });
  });
});

describe('authorize', () => {
  const keyOf = (kind: ApiKeyRecord['kind'], permissions: string[] = []): AuthedKey => {
    const raw = `${kind === 'secret' ? 'sk' : 'rk'}_test_abcdefgh1234`;
    return { raw, record: { ...recordFor(raw, { created: NOW_S, permissions }), kind, permissions } };
  };

  it('a secret key may do everything', () => {
    for (const a of ['identity_read', 'identity_write', 'events_read', 'test_helpers'] as const) authorize(keyOf('secret'), a);
  });

  it('write permission includes read', () => {
    authorize(keyOf('restricted', [PERMISSIONS.identityWrite]), 'identity_read');
    authorize(keyOf('restricted', [PERMISSIONS.identityWrite]), 'identity_write');
  });

  it('a read-only restricted key may read but not write, and the 403 names the write permission', () => {
    const k = keyOf('restricted', [PERMISSIONS.identityRead]);
    authorize(k, 'identity_read');
    assert.throws(() => authorize(k, 'identity_write'), (e: unknown) => {
      assert.ok(e instanceof StripeError);
      assert.deepEqual(summary(e), { status: 403, type: 'invalid_request_error', code: undefined, message: MSG.missingPermission(k.raw, PERMISSIONS.identityWrite) });
      return true;
    });
  });

  it('a restricted key without permissions is refused reading, naming the read permission', () => {
    const k = keyOf('restricted');
    assert.throws(() => authorize(k, 'identity_read'), (e: unknown) => e instanceof StripeError && e.message === MSG.missingPermission(k.raw, PERMISSIONS.identityRead));
    assert.throws(() => authorize(k, 'events_read'), (e: unknown) => e instanceof StripeError && e.message === MSG.missingPermission(k.raw, PERMISSIONS.eventsRead));
  });
});

describe('sensitiveAccess', () => {
  const rec = (kind: ApiKeyRecord['kind'], permissions: string[]): AuthedKey => ({
    raw: 'rk_test_x',
    record: { ...recordFor('rk_test_abcdefgh1234', { created: NOW_S, permissions }), kind, permissions },
  });

  it('a secret key sees no sensitive results', () => {
    assert.equal(sensitiveAccess(rec('secret', [])), 'none');
  });

  it('a restricted key sees what its permissions grant', () => {
    assert.equal(sensitiveAccess(rec('restricted', [PERMISSIONS.identityRead])), 'none');
    assert.equal(sensitiveAccess(rec('restricted', [PERMISSIONS.sensitiveRecent])), 'recent');
    assert.equal(sensitiveAccess(rec('restricted', [PERMISSIONS.sensitiveRecent, PERMISSIONS.sensitiveAll])), 'all');
  });
});
