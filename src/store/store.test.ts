// Store conformance: every method of the storage port, called directly, against SQLite always and against
// PostgreSQL when DATABASE_URL is set (each test starts from an empty, migrated database).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Checks, EventRecord, EventType, Report, Session } from '../domain/types.js';
import { sessionRow } from '../../test/fixtures/sessions.js';
import { newId } from '../domain/ids.js';
import { type Dialect, migrate, type OpenedDb, openDatabase } from './db.js';
import { createSealer, type Sealer } from './sealer.js';
import { type ApiKeyRecord, type Page, type PageRequest, type SessionFilter, Store } from './store.js';

// ---- fixtures ------------------------------------------------------------------------------------

interface Fixture {
  store: Store;
  opened: OpenedDb;
  sealer: Sealer;
}

interface Backend {
  dialect: Dialect;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A migrated, empty database. */
  fresh(): Promise<Fixture & { close(): Promise<void> }>;
  /** An empty database nobody has migrated yet; `open` gives another connection pool to it. */
  unmigrated(): Promise<{ open(): OpenedDb; close(): Promise<void> }>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function pgUrl(name: string): string {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${name}`;
  return u.toString();
}

const pgName = () => `verity_st_${crypto.randomBytes(6).toString('hex')}`;

function withStore(opened: OpenedDb): Fixture {
  const sealer = createSealer(crypto.randomBytes(32));
  return { store: Store.from(opened, sealer), opened, sealer };
}

const sqliteBackend: Backend = {
  dialect: 'sqlite',
  async setup() {},
  async teardown() {},
  async fresh() {
    const opened = openDatabase({ sqlitePath: ':memory:' });
    await migrate(opened);
    return { ...withStore(opened), close: () => opened.close() };
  },
  async unmigrated() {
    const opened = openDatabase({ sqlitePath: ':memory:' });
    return { open: () => opened, close: () => opened.close() };
  },
};

function postgresBackend(): Backend {
  // One migrated database for the whole file; each test starts from emptied tables (creating a database per
  // test costs half a second on a busy machine).
  const name = pgName();
  let opened: OpenedDb | undefined;
  return {
    dialect: 'postgres',
    async setup() {
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      opened = openDatabase({ databaseUrl: pgUrl(name), poolSize: 5 });
      await migrate(opened);
    },
    async teardown() {
      await opened?.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
    async fresh() {
      const tables = (await opened!.db.introspection.getTables()).map((t) => `"${t.name}"`);
      await sql.raw(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`).execute(opened!.db);
      return { ...withStore(opened!), close: async () => {} };
    },
    async unmigrated() {
      const name = pgName();
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      const pools: OpenedDb[] = [];
      return {
        open() {
          const o = openDatabase({ databaseUrl: pgUrl(name), poolSize: 2 });
          pools.push(o);
          return o;
        },
        async close() {
          for (const o of pools) await o.close();
          await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        },
      };
    },
  };
}

const T0 = 1_700_000_000;

function key(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: newId.key(),
    secret_hash: crypto.randomBytes(32).toString('hex'),
    kind: 'secret',
    livemode: false,
    permissions: [],
    last4: 'abcd',
    name: null,
    created: T0,
    expires_at: null,
    ...over,
  };
}

const session = (over: Partial<Session> = {}): Session => sessionRow({ created: T0, ...over });

/** A session with every optional field set, so a round trip covers every column. */
function fullSession(): Session {
  const id = newId.session();
  return session({
    id,
    livemode: true,
    status: 'processing',
    type: 'id_number',
    client_reference_id: 'ref-full',
    metadata: { order: '42', note: 'ünïcödé' },
    options: { document: { allowed_types: ['passport'], require_matching_selfie: true }, email: { require_verification: true } },
    provided_details: { email: 'jenny.rosen@example.com', phone: '+15555550100' },
    related_customer: 'cus_full',
    related_customer_account: 'acct_full',
    related_person: { account: 'acct_p', person: 'person_p' },
    return_url: 'https://example.com/back',
    verification_flow: 'vf_full',
    last_error: { code: 'document_expired', reason: 'The document is expired.' },
    last_report_id: 'vr_full',
    redaction_status: 'processing',
    client_secret: `${id}_secret_test_abc`,
    client_secret_expires: T0 + 86_400,
    url_token: `test_${crypto.randomBytes(8).toString('hex')}`,
    url_expires: T0 + 3600,
    version: 3,
  });
}

const PLAIN_DOC_NUMBER = 'PLAINTEXT-DOC-4471';

function checks(firstName = 'Jenny'): Checks {
  return {
    document: {
      status: 'verified',
      error: null,
      address: { city: 'Springfield', country: 'US', line1: '1 Main St', line2: null, postal_code: '12345', state: 'IL' },
      dob: { day: 1, month: 2, year: 1990 },
      expiration_date: { day: 1, month: 1, year: 2030 },
      files: ['file_a', 'file_b'],
      first_name: firstName,
      issued_date: { day: 1, month: 1, year: 2020 },
      issuing_country: 'US',
      last_name: 'Rosen',
      number: PLAIN_DOC_NUMBER,
      sex: null,
      type: 'driving_license',
      unparsed_place_of_birth: null,
      unparsed_sex: null,
    },
  };
}

function report(sessionId: string, over: Partial<Report> = {}): Report {
  return {
    id: newId.report(),
    livemode: false,
    created: T0,
    session_id: sessionId,
    client_reference_id: null,
    type: 'document',
    verification_flow: null,
    options: { document: { require_id_number: false } },
    checks: checks(),
    ...over,
  };
}

function event(over: Partial<EventRecord> = {}): EventRecord {
  return {
    id: newId.event(),
    livemode: false,
    created: T0,
    type: 'identity.verification_session.created',
    object_id: 'vs_obj',
    api_version: '2024-06-20',
    data: { object: { id: 'vs_obj', provided_details: { email: 'plain.event@example.com' } } },
    request_id: 'req_abc',
    idempotency_key: null,
    pending_webhooks: 1,
    ...over,
  };
}

/** The migrations recorded as applied, by name. */
async function appliedMigrations(opened: OpenedDb): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened.db);
  return rows.map((r) => r.name);
}

const ids = (p: { items: { id: string }[] }) => p.items.map((x) => x.id);
const show = (v: unknown) => JSON.stringify(v, null, 1);

/** Walks every page forwards (starting_after) and returns the pages. */
async function walkForward<T extends { id: string; created: number; seq: number }>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let req: PageRequest = { limit };
  for (let i = 0; i < 100; i++) {
    const p = await list(req);
    pages.push(p);
    if (!p.hasMore) return pages;
    const last = p.items[p.items.length - 1];
    req = { limit, startingAfter: { created: last.created, seq: last.seq } };
  }
  throw new Error(`pagination did not end: ${show(pages.map(ids))}`);
}

// ---- the suite -------------------------------------------------------------------------------------

const backends: Backend[] = [sqliteBackend, ...(process.env.DATABASE_URL ? [postgresBackend()] : [])];

for (const backend of backends) {
  describe(`Store on ${backend.dialect}`, () => {
    before(() => backend.setup());
    after(() => backend.teardown());

    /** Defines a test that gets a fresh migrated store. */
    const test = (name: string, fn: (f: Fixture) => Promise<void>, opts: { skip?: string | false } = {}) =>
      it(name, { skip: opts.skip || undefined }, async () => {
        const f = await backend.fresh();
        try {
          await fn(f);
        } finally {
          await f.close();
        }
      });
    const pgOnly = backend.dialect === 'postgres' ? false : 'row locks and concurrent workers only exist on PostgreSQL';

    describe('api keys', () => {
      test('finds an inserted key by its hash with mode and permissions as stored', async ({ store }) => {
        const k = key({ kind: 'restricted', livemode: true, permissions: ['rak_a', 'rak_b'], name: 'ops', expires_at: T0 + 10 });
        await store.insertKey(k);
        assert.deepEqual(await store.findKeyByHash(k.secret_hash), k);
      });

      test('ignores a second key with the same secret hash and keeps the first', async ({ store }) => {
        const first = key({ name: 'first' });
        await store.insertKey(first);
        await store.insertKey(key({ secret_hash: first.secret_hash, name: 'second' }));
        const found = await store.findKeyByHash(first.secret_hash);
        assert.equal(found?.name, 'first', show(found));
        assert.equal(await store.countKeys(), 1);
      });

      test('finds no key for an unknown hash', async ({ store }) => {
        await store.insertKey(key());
        assert.equal(await store.findKeyByHash('0'.repeat(64)), undefined);
      });

      test('lists keys oldest first', async ({ store }) => {
        const late = key({ created: T0 + 5, name: 'late' });
        const early = key({ created: T0 + 1, livemode: true, name: 'early' });
        await store.insertKey(late);
        await store.insertKey(early);
        assert.deepEqual(await store.listKeys(), [early, late]);
      });

      test('counts keys as a number', async ({ store }) => {
        assert.equal(await store.countKeys(), 0);
        for (let i = 0; i < 3; i++) await store.insertKey(key());
        const n = await store.countKeys();
        assert.equal(n, 3, `countKeys returned ${show(n)} (${typeof n})`);
      });
    });

    describe('sessions', () => {
      test('round-trips every field of an inserted session', async ({ store }) => {
        const s = fullSession();
        await store.insertSession(s);
        const found = await store.findSession(s.id);
        assert.ok(found, 'session not found');
        const { seq, ...rest } = found;
        assert.equal(typeof seq, 'number', `seq is ${show(seq)}`);
        assert.deepEqual(rest, s);
      });

      test('round-trips a session whose optional fields are all null', async ({ store }) => {
        const s = session();
        await store.insertSession(s);
        const { seq: _seq, ...rest } = (await store.findSession(s.id))!;
        assert.deepEqual(rest, s);
      });

      test('finds no session for an unknown id', async ({ store }) => {
        await store.insertSession(session());
        assert.equal(await store.findSession('vs_missing'), undefined);
      });

      test('gives sessions increasing sequence numbers in insertion order', async ({ store }) => {
        const a = session();
        const b = session();
        await store.insertSession(a);
        await store.insertSession(b);
        const sa = (await store.findSession(a.id))!.seq;
        const sb = (await store.findSession(b.id))!.seq;
        assert.ok(sb > sa, `seq ${show(sa)} then ${show(sb)}`);
      });

      test('finds a session for update inside a transaction', async ({ store }) => {
        const s = fullSession();
        await store.insertSession(s);
        const found = await store.transaction((tx) => tx.findSessionForUpdate(s.id));
        assert.equal(found?.id, s.id, show(found));
        assert.deepEqual(found?.provided_details, s.provided_details);
        assert.equal(await store.transaction((tx) => tx.findSessionForUpdate('vs_missing')), undefined);
      });

      test(
        'holds a row lock from findSessionForUpdate until the transaction ends',
        async ({ store }) => {
          const s = session();
          await store.insertSession(s);
          let secondGotIt = false;
          let second: Promise<unknown> | undefined;
          await store.transaction(async (tx) => {
            await tx.findSessionForUpdate(s.id);
            second = store.transaction(async (tx2) => {
              await tx2.findSessionForUpdate(s.id);
              secondGotIt = true;
            });
            await new Promise((r) => setTimeout(r, 200));
            assert.equal(secondGotIt, false, 'a second transaction locked the same session while the first held it');
          });
          await second;
          assert.equal(secondGotIt, true);
        },
        { skip: pgOnly },
      );

      test('finds a session by its url token', async ({ store }) => {
        const s = fullSession();
        await store.insertSession(session());
        await store.insertSession(s);
        const found = await store.findSessionByUrlToken(s.url_token!);
        assert.equal(found?.id, s.id, show(found));
        assert.equal(await store.findSessionByUrlToken('test_nope'), undefined);
      });

      test('updates a session read at the current version and bumps the version', async ({ store }) => {
        const s = session();
        await store.insertSession(s);
        const read = (await store.findSession(s.id))!;
        read.status = 'verified';
        read.provided_details = { email: 'later@example.com' };
        assert.equal(await store.updateSession(read), true);
        assert.equal(read.version, 1, 'the caller’s copy carries the new version');
        const after = (await store.findSession(s.id))!;
        assert.equal(after.status, 'verified', show(after));
        assert.equal(after.version, 1, show(after));
        assert.deepEqual(after.provided_details, { email: 'later@example.com' });
      });

      test('refuses an update from a stale version and leaves the row as the winner wrote it', async ({ store }) => {
        const s = session();
        await store.insertSession(s);
        const a = (await store.findSession(s.id))!;
        const b = (await store.findSession(s.id))!;
        a.status = 'verified';
        assert.equal(await store.updateSession(a), true);
        b.status = 'canceled';
        const ok = await store.updateSession(b);
        assert.equal(ok, false, 'the stale update was accepted');
        assert.equal(b.version, 0, 'a refused update must not bump the caller’s version');
        const now = (await store.findSession(s.id))!;
        assert.equal(now.status, 'verified', show(now));
        assert.equal(now.version, 1);
      });

      test('refuses an update of a session that does not exist', async ({ store }) => {
        assert.equal(await store.updateSession(session()), false);
      });

      describe('list filters', () => {
        const rows = () => [
          session({ created: T0 + 1, status: 'verified', client_reference_id: 'ref-1', related_customer: 'cus_1', related_customer_account: 'acct_1' }),
          session({ created: T0 + 2, status: 'requires_input', client_reference_id: 'ref-2', related_customer: 'cus_2', related_customer_account: 'acct_2' }),
          session({ created: T0 + 3, status: 'verified', client_reference_id: 'ref-1', related_customer: 'cus_2', related_customer_account: 'acct_1' }),
          session({ created: T0 + 4, livemode: true, status: 'verified', client_reference_id: 'ref-1', related_customer: 'cus_1', related_customer_account: 'acct_1' }),
        ];
        const cases: [string, Omit<SessionFilter, 'livemode'> & { livemode?: boolean }, number[]][] = [
          ['keeps only the requested mode (test)', {}, [2, 1, 0]],
          ['keeps only the requested mode (live)', { livemode: true }, [3]],
          ['filters by status', { status: 'verified' }, [2, 0]],
          ['filters by client_reference_id', { client_reference_id: 'ref-1' }, [2, 0]],
          ['filters by related_customer', { related_customer: 'cus_2' }, [2, 1]],
          ['filters by related_customer_account', { related_customer_account: 'acct_2' }, [1]],
          ['combines filters', { status: 'verified', related_customer: 'cus_1' }, [0]],
          ['filters by created eq', { created: { eq: T0 + 2 } }, [1]],
          ['filters by created gt', { created: { gt: T0 + 1 } }, [2, 1]],
          ['filters by created gte', { created: { gte: T0 + 2 } }, [2, 1]],
          ['filters by created lt', { created: { lt: T0 + 3 } }, [1, 0]],
          ['filters by created lte', { created: { lte: T0 + 2 } }, [1, 0]],
          ['filters by a created range with both ends', { created: { gt: T0 + 1, lt: T0 + 3 } }, [1]],
        ];
        for (const [name, filter, expected] of cases) {
          test(name, async ({ store }) => {
            const all = rows();
            for (const s of all) await store.insertSession(s);
            const page = await store.listSessions({ livemode: false, ...filter }, { limit: 10 });
            assert.deepEqual(ids(page), expected.map((i) => all[i].id), `filter ${show(filter)} gave ${show(page.items.map((s) => [s.id, s.created, s.status]))}`);
            assert.equal(page.hasMore, false);
          });
        }
      });

      for (const [index, column, value] of [
        ['vs_customer', 'related_customer', 'cus_2'],
        ['vs_customer_account', 'related_customer_account', 'acct_2'],
        ['vs_client_ref', 'client_reference_id', 'ref-2'],
      ] as const) {
        test(`the ${column} filter is answered from ${index}, which holds only rows that have a value`, async ({ store, opened }) => {
          await store.insertSession(session({ created: T0 + 1, client_reference_id: 'ref-2', related_customer: 'cus_2', related_customer_account: 'acct_2' }));
          await store.insertSession(session({ created: T0 + 2 }));
          const postgres = backend.dialect === 'postgres';
          const plan = await opened.db.connection().execute(async (c) => {
            if (postgres) await sql`SET enable_seqscan = off`.execute(c);
            // The shape of Store.listSessions' query (whereLongText on PostgreSQL).
            const match = postgres ? sql`md5(${sql.ref(column)}) = md5(${value}) AND ${sql.ref(column)} = ${value}` : sql`${sql.ref(column)} = ${value}`;
            const explain = postgres ? sql`EXPLAIN` : sql`EXPLAIN QUERY PLAN`;
            const { rows: out } = await sql<Record<string, unknown>>`${explain} SELECT seq FROM verification_sessions WHERE livemode = 0 AND ${match} ORDER BY created DESC, seq DESC LIMIT 11`.execute(c);
            if (postgres) await sql`RESET enable_seqscan`.execute(c);
            return JSON.stringify(out);
          });
          const def = postgres
            ? await sql<{ d: string }>`SELECT indexdef AS d FROM pg_indexes WHERE indexname = ${index}`.execute(opened.db)
            : await sql<{ d: string }>`SELECT sql AS d FROM sqlite_master WHERE name = ${index}`.execute(opened.db);
          assert.match(def.rows[0]?.d ?? '', /WHERE .*IS NOT NULL/i, `definition of ${index}`);
          assert.match(plan, new RegExp(index), `plan: ${plan}`);
        });
      }

      test('compares created bounds beyond 32 bits instead of failing', async ({ store }) => {
        const s = session({ created: T0 });
        await store.insertSession(s);
        const big = 999_999_999_999_999;
        const count = async (created: object) => (await store.listSessions({ livemode: false, created }, { limit: 10 })).items.length;
        const got = { lte: await count({ lte: big }), gt: await count({ gt: 2 ** 31 }), eq: await count({ eq: -big }), range: await count({ gt: -big, lt: big }) };
        assert.deepEqual(got, { lte: 1, gt: 0, eq: 0, range: 1 });
      });

      describe('keyset pagination', () => {
        // Several sessions share a `created` second, so the order is decided by seq.
        const createds = [T0 + 1, T0 + 2, T0 + 2, T0 + 2, T0 + 3, T0 + 2, T0 + 1];
        async function seed(store: Store) {
          for (const c of createds) await store.insertSession(session({ created: c }));
          const all = await store.listSessions({ livemode: false }, { limit: 100 });
          return all.items;
        }

        test('lists newest first, equal created ordered by seq descending', async ({ store }) => {
          const items = await seed(store);
          const keys = items.map((s) => [s.created, s.seq]);
          const sorted = [...keys].sort((a, b) => b[0] - a[0] || b[1] - a[1]);
          assert.deepEqual(keys, sorted);
          assert.equal(items.length, createds.length);
        });

        test('walks forwards with starting_after through equal created values without gaps or repeats', async ({ store }) => {
          const all = await seed(store);
          const pages = await walkForward((p) => store.listSessions({ livemode: false }, p), 2);
          assert.deepEqual(pages.flatMap(ids), all.map((s) => s.id), `pages: ${show(pages.map(ids))}`);
          assert.deepEqual(
            pages.map((p) => p.hasMore),
            [true, true, true, false],
          );
        });

        test('walks backwards with ending_before through equal created values, each page newest first', async ({ store }) => {
          const all = await seed(store);
          const expected = all.map((s) => s.id);
          const oldest = all[all.length - 1];
          const got: string[][] = [];
          let before = { created: oldest.created, seq: oldest.seq };
          for (let i = 0; i < 10; i++) {
            const p = await store.listSessions({ livemode: false }, { limit: 2, endingBefore: before });
            got.unshift(ids(p));
            if (!p.hasMore) break;
            before = { created: p.items[0].created, seq: p.items[0].seq };
          }
          assert.deepEqual(got.flat(), expected.slice(0, -1), `pages: ${show(got)}`);
          assert.deepEqual(got[got.length - 1], expected.slice(-3, -1));
        });

        test('says there is nothing more on the last page', async ({ store }) => {
          const all = await seed(store);
          const p = await store.listSessions({ livemode: false }, { limit: all.length });
          assert.equal(p.hasMore, false);
          const q = await store.listSessions({ livemode: false }, { limit: all.length - 1 });
          assert.equal(q.hasMore, true);
          const newest = all[0];
          const none = await store.listSessions({ livemode: false }, { limit: 3, endingBefore: { created: newest.created, seq: newest.seq } });
          assert.deepEqual(none, { items: [], hasMore: false });
        });
      });

      test('looks up a session cursor only in its own mode, as numbers', async ({ store }) => {
        const s = session({ created: T0 + 7 });
        await store.insertSession(s);
        const seq = (await store.findSession(s.id))!.seq;
        assert.deepEqual(await store.sessionCursor(s.id, false), { created: T0 + 7, seq });
        assert.equal(await store.sessionCursor(s.id, true), undefined);
        assert.equal(await store.sessionCursor('vs_missing', false), undefined);
      });
    });

    describe('reports', () => {
      test('round-trips an inserted report', async ({ store }) => {
        const r = report('vs_1', { livemode: true, client_reference_id: 'ref', verification_flow: 'vf_1', type: 'verification_flow' });
        await store.insertReport(r);
        const found = await store.findReport(r.id);
        assert.ok(found, 'report not found');
        const { seq, ...rest } = found;
        assert.equal(typeof seq, 'number', `seq is ${show(seq)}`);
        assert.deepEqual(rest, r);
        assert.equal(await store.findReport('vr_missing'), undefined);
      });

      test('finds several reports by id at once', async ({ store }) => {
        const a = report('vs_1');
        const b = report('vs_2');
        await store.insertReport(a);
        await store.insertReport(b);
        await store.insertReport(report('vs_3'));
        const m = await store.findReports([a.id, b.id, 'vr_missing']);
        assert.deepEqual([...m.keys()].sort(), [a.id, b.id].sort());
        assert.deepEqual(m.get(b.id)?.checks, b.checks);
        assert.equal((await store.findReports([])).size, 0);
      });

      test('lists the reports of one session', async ({ store }) => {
        const a = report('vs_1');
        const b = report('vs_1', { created: T0 + 1 });
        await store.insertReport(a);
        await store.insertReport(report('vs_2'));
        await store.insertReport(b);
        const got = await store.listReportsOfSession('vs_1');
        assert.deepEqual(got.map((r) => r.id).sort(), [a.id, b.id].sort());
      });

      test('replaces a report’s checks', async ({ store }) => {
        const r = report('vs_1');
        await store.insertReport(r);
        await store.updateReportChecks(r.id, checks('Redacted'));
        const found = await store.findReport(r.id);
        assert.equal(found?.checks.document?.first_name, 'Redacted', show(found?.checks));
      });

      describe('list filters', () => {
        const rows = () => [
          report('vs_a', { created: T0 + 1, type: 'document', client_reference_id: 'ref-1' }),
          report('vs_b', { created: T0 + 2, type: 'id_number', client_reference_id: 'ref-2' }),
          report('vs_a', { created: T0 + 3, type: 'document', client_reference_id: 'ref-2' }),
          report('vs_a', { created: T0 + 4, livemode: true }),
        ];
        const cases: [string, object, number[]][] = [
          ['keeps only the requested mode', {}, [2, 1, 0]],
          ['filters by type', { type: 'document' }, [2, 0]],
          ['filters by client_reference_id', { client_reference_id: 'ref-2' }, [2, 1]],
          ['filters by verification_session', { verification_session: 'vs_a' }, [2, 0]],
          ['filters by a created range', { created: { gte: T0 + 2, lte: T0 + 3 } }, [2, 1]],
        ];
        for (const [name, filter, expected] of cases) {
          test(name, async ({ store }) => {
            const all = rows();
            for (const r of all) await store.insertReport(r);
            const page = await store.listReports({ livemode: false, ...filter }, { limit: 10 });
            assert.deepEqual(ids(page), expected.map((i) => all[i].id), `filter ${show(filter)} gave ${show(page.items.map((r) => [r.id, r.created, r.type]))}`);
          });
        }
      });

      test('pages through reports with equal created values', async ({ store }) => {
        for (const c of [T0, T0, T0, T0 + 1, T0]) await store.insertReport(report('vs_1', { created: c }));
        const all = await store.listReports({ livemode: false }, { limit: 100 });
        const pages = await walkForward((p) => store.listReports({ livemode: false }, p), 2);
        assert.deepEqual(pages.flatMap(ids), ids(all), `pages: ${show(pages.map(ids))}`);
      });

      test('looks up a report cursor only in its own mode', async ({ store }) => {
        const r = report('vs_1', { livemode: true, created: T0 + 9 });
        await store.insertReport(r);
        const seq = (await store.findReport(r.id))!.seq;
        assert.deepEqual(await store.reportCursor(r.id, true), { created: T0 + 9, seq });
        assert.equal(await store.reportCursor(r.id, false), undefined);
      });
    });

    describe('events', () => {
      test('round-trips an inserted event', async ({ store }) => {
        const e = event({ livemode: true, idempotency_key: 'idem-1' });
        e.data.previous_attributes = { status: 'requires_input' };
        await store.insertEvent(e);
        const found = await store.findEvent(e.id);
        assert.ok(found, 'event not found');
        const { seq, ...rest } = found;
        assert.equal(typeof seq, 'number', `seq is ${show(seq)}`);
        assert.deepEqual(rest, e);
        assert.equal(await store.findEvent('evt_missing'), undefined);
      });

      test('lists the events of one object in insertion order', async ({ store }) => {
        const a = event({ object_id: 'vs_1', created: T0 + 5 });
        const b = event({ object_id: 'vs_1', created: T0 + 1, type: 'identity.verification_session.verified' });
        await store.insertEvent(a);
        await store.insertEvent(event({ object_id: 'vs_2' }));
        await store.insertEvent(b);
        assert.deepEqual(
          (await store.listEventsOfObject('vs_1')).map((e) => e.id),
          [a.id, b.id],
        );
      });

      test('replaces an event’s data', async ({ store }) => {
        const e = event();
        await store.insertEvent(e);
        await store.updateEventData(e.id, { object: { id: 'vs_obj', provided_details: null } });
        assert.deepEqual((await store.findEvent(e.id))?.data, { object: { id: 'vs_obj', provided_details: null } });
      });

      test('filters events by a list of types', async ({ store }) => {
        const a = event({ type: 'identity.verification_session.created', created: T0 + 1 });
        const b = event({ type: 'identity.verification_session.verified', created: T0 + 2 });
        const c = event({ type: 'identity.verification_session.canceled', created: T0 + 3 });
        for (const e of [a, b, c]) await store.insertEvent(e);
        const page = await store.listEvents(
          { livemode: false, types: ['identity.verification_session.created', 'identity.verification_session.canceled'] },
          { limit: 10 },
        );
        assert.deepEqual(ids(page), [c.id, a.id], show(page.items.map((e) => e.type)));
      });

      test('filters events by a type prefix', async ({ store }) => {
        const a = event({ type: 'identity.verification_session.created', created: T0 + 1 });
        const b = event({ type: 'identity.verification_session.verified', created: T0 + 2 });
        const other = event({ type: 'identity.verification_report.created' as EventType, created: T0 + 3 });
        for (const e of [a, b, other]) await store.insertEvent(e);
        const page = await store.listEvents({ livemode: false, typePrefix: 'identity.verification_session.' }, { limit: 10 });
        assert.deepEqual(ids(page), [b.id, a.id], show(page.items.map((e) => e.type)));
      });

      test('treats _ in a type prefix literally, not as a one-character wildcard', async ({ store }) => {
        const real = event({ type: 'identity.verification_session.created', created: T0 + 1 });
        const lookalike = event({ type: 'identity.verificationXsession.created' as EventType, created: T0 + 2 });
        for (const e of [real, lookalike]) await store.insertEvent(e);
        const page = await store.listEvents({ livemode: false, typePrefix: 'identity.verification_session.' }, { limit: 10 });
        assert.deepEqual(ids(page), [real.id], show(page.items.map((e) => e.type)));
      });

      test('treats % in a type prefix literally, not as a wildcard', async ({ store }) => {
        const real = event({ type: 'identity.verification_session.created', created: T0 + 1 });
        const percent = event({ type: 'identity.%.created' as EventType, created: T0 + 2 });
        for (const e of [real, percent]) await store.insertEvent(e);
        const page = await store.listEvents({ livemode: false, typePrefix: 'identity.%' }, { limit: 10 });
        assert.deepEqual(ids(page), [percent.id], show(page.items.map((e) => e.type)));
      });

      test('keeps events created at or after createdAfter', async ({ store }) => {
        const old = event({ created: T0 - 1 });
        const edge = event({ created: T0 });
        const recent = event({ created: T0 + 1 });
        for (const e of [old, edge, recent]) await store.insertEvent(e);
        const page = await store.listEvents({ livemode: false, createdAfter: T0 }, { limit: 10 });
        assert.deepEqual(ids(page), [recent.id, edge.id], show(page.items.map((e) => e.created)));
      });

      test('keeps only the requested mode and created range', async ({ store }) => {
        const live = event({ livemode: true, created: T0 + 2 });
        const a = event({ created: T0 + 1 });
        const b = event({ created: T0 + 2 });
        const c = event({ created: T0 + 3 });
        for (const e of [live, a, b, c]) await store.insertEvent(e);
        assert.deepEqual(ids(await store.listEvents({ livemode: true }, { limit: 10 })), [live.id]);
        assert.deepEqual(ids(await store.listEvents({ livemode: false, created: { gt: T0 + 1 } }, { limit: 10 })), [c.id, b.id]);
      });

      test('pages through events with equal created values', async ({ store }) => {
        for (const c of [T0, T0 + 1, T0, T0, T0 + 1, T0]) await store.insertEvent(event({ created: c }));
        const all = await store.listEvents({ livemode: false }, { limit: 100 });
        const pages = await walkForward((p) => store.listEvents({ livemode: false }, p), 2);
        assert.deepEqual(pages.flatMap(ids), ids(all), `pages: ${show(pages.map(ids))}`);
        assert.equal(all.items.length, 6);
      });

      test('lists the events of a mode recorded after a sequence number, oldest first, up to a limit', async ({ store }) => {
        const evs = [event(), event({ livemode: true }), event(), event(), event()];
        for (const e of evs) await store.insertEvent(e);
        const seqOf = async (e: EventRecord) => (await store.findEvent(e.id))!.seq;
        const got = await store.listEventsAfter(false, await seqOf(evs[0]), 2);
        assert.deepEqual(got.map((e) => e.id), [evs[2].id, evs[3].id], show(got.map((e) => [e.id, e.seq, e.livemode])));
        assert.equal(typeof got[0].seq, 'number');
        assert.deepEqual((await store.listEventsAfter(true, 0, 10)).map((e) => e.id), [evs[1].id]);
      });

      test('reports the last event sequence number, 0 when there is none', async ({ store }) => {
        assert.equal(await store.lastEventSeq(), 0);
        const a = event();
        const b = event({ livemode: true });
        await store.insertEvent(a);
        await store.insertEvent(b);
        const last = await store.lastEventSeq();
        assert.equal(last, (await store.findEvent(b.id))!.seq, `lastEventSeq returned ${show(last)} (${typeof last})`);
      });

      test('decrements pending webhooks one at a time and never below zero', async ({ store }) => {
        const e = event({ pending_webhooks: 2 });
        const other = event({ pending_webhooks: 2 });
        await store.insertEvent(e);
        await store.insertEvent(other);
        const pending = async (x: EventRecord) => (await store.findEvent(x.id))!.pending_webhooks;
        await store.decrementPendingWebhooks(e.id);
        assert.equal(await pending(e), 1);
        await store.decrementPendingWebhooks(e.id);
        await store.decrementPendingWebhooks(e.id);
        assert.equal(await pending(e), 0);
        assert.equal(await pending(other), 2, 'another event was decremented');
      });

      test('looks up an event cursor only in its own mode', async ({ store }) => {
        const e = event({ created: T0 + 4 });
        await store.insertEvent(e);
        const seq = (await store.findEvent(e.id))!.seq;
        assert.deepEqual(await store.eventCursor(e.id, false), { created: T0 + 4, seq });
        assert.equal(await store.eventCursor(e.id, true), undefined);
      });
    });

    describe('idempotency keys', () => {
      const req = (over: Partial<{ method: string; path: string; params_hash: string; request_id: string; now: number }> = {}) => ({
        method: 'POST',
        path: '/v1/identity/verification_sessions',
        params_hash: 'h1',
        request_id: 'req_1',
        now: T0,
        ...over,
      });

      test('lets the first request claim a new key', async ({ store }) => {
        assert.equal(await store.claimIdempotencyKey(false, 'k1', req()), undefined);
      });

      test('returns the existing record to a second claim of the same key', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        const existing = await store.claimIdempotencyKey(false, 'k1', req({ request_id: 'req_2', params_hash: 'h2', now: T0 + 5 }));
        assert.deepEqual(existing, {
          method: 'POST',
          path: '/v1/identity/verification_sessions',
          params_hash: 'h1',
          state: 'in_flight',
          response_status: null,
          response_body: null,
          request_id: 'req_1',
          created: T0,
          locked_at: T0,
        });
      });

      test('lets exactly one of two concurrent claims of a new key own it', async ({ store }) => {
        const results = await Promise.all([
          store.claimIdempotencyKey(false, 'k1', req({ request_id: 'req_a' })),
          store.claimIdempotencyKey(false, 'k1', req({ request_id: 'req_b' })),
        ]);
        const owners = results.filter((r) => r === undefined).length;
        assert.equal(owners, 1, `claims returned ${show(results)}`);
      });

      test('scopes keys by mode', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        assert.equal(await store.claimIdempotencyKey(true, 'k1', req()), undefined);
      });

      test('stores the completed response and returns it to later claims', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.completeIdempotencyKey(false, 'k1', 402, '{"error":{}}');
        const existing = await store.claimIdempotencyKey(false, 'k1', req({ request_id: 'req_2' }));
        assert.equal(existing?.state, 'done', show(existing));
        assert.equal(existing?.response_status, 402);
        assert.equal(existing?.response_body, '{"error":{}}');
      });

      test('retakes a stale in-flight key only when locked_at still matches', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        assert.equal(await store.retakeIdempotencyKey(false, 'k1', T0 + 1, 'req_wrong', T0 + 100), false, 'retook with a wrong locked_at');
        assert.equal(await store.retakeIdempotencyKey(false, 'k1', T0, 'req_new', T0 + 100), true);
        const rec = await store.claimIdempotencyKey(false, 'k1', req());
        assert.equal(rec?.locked_at, T0 + 100, show(rec));
        assert.equal(rec?.request_id, 'req_new', show(rec));
      });

      test('lets only one of two retakes with the same locked_at win', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        const results = await Promise.all([
          store.retakeIdempotencyKey(false, 'k1', T0, 'req_a', T0 + 100),
          store.retakeIdempotencyKey(false, 'k1', T0, 'req_b', T0 + 100),
        ]);
        assert.deepEqual(results.sort(), [false, true]);
      });

      test('does not retake a completed key', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.completeIdempotencyKey(false, 'k1', 200, '{}');
        assert.equal(await store.retakeIdempotencyKey(false, 'k1', T0, 'req_new', T0 + 100), false);
      });

      test('releases an in-flight key so it can be claimed afresh', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.releaseIdempotencyKey(false, 'k1');
        assert.equal(await store.claimIdempotencyKey(false, 'k1', req({ request_id: 'req_2' })), undefined);
      });

      test('does not release a completed key', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.completeIdempotencyKey(false, 'k1', 200, '{}');
        await store.releaseIdempotencyKey(false, 'k1');
        const existing = await store.claimIdempotencyKey(false, 'k1', req());
        assert.equal(existing?.state, 'done', show(existing));
      });

      test('expires a key created before the cutoff', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.completeIdempotencyKey(false, 'k1', 200, '{}');
        await store.expireIdempotencyKey(false, 'k1', T0 + 1);
        assert.equal(await store.claimIdempotencyKey(false, 'k1', req({ now: T0 + 2 })), undefined);
      });

      test('keeps a key created at or after the expiry cutoff', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'k1', req());
        await store.expireIdempotencyKey(false, 'k1', T0);
        assert.notEqual(await store.claimIdempotencyKey(false, 'k1', req()), undefined);
      });

      test('purges keys older than the cutoff and says how many', async ({ store }) => {
        await store.claimIdempotencyKey(false, 'old1', req({ now: T0 - 10 }));
        await store.claimIdempotencyKey(true, 'old2', req({ now: T0 - 1 }));
        await store.claimIdempotencyKey(false, 'new', req({ now: T0 }));
        const n = await store.purgeIdempotencyKeys(T0);
        assert.equal(n, 2, `purge returned ${show(n)}`);
        assert.equal(await store.claimIdempotencyKey(false, 'old1', req()), undefined, 'old1 survived the purge');
        assert.notEqual(await store.claimIdempotencyKey(false, 'new', req()), undefined, 'new was purged');
      });
    });

    describe('jobs', () => {
      const NOW = T0 * 1000;
      const LEASE = 30_000;

      test('claims a due job with its payload and counts the attempt', async ({ store }) => {
        await store.enqueueJob('verify', { session: 'vs_1', n: 2 }, NOW, T0);
        const got = await store.claimJobs(NOW, LEASE, 10);
        assert.equal(got.length, 1, show(got));
        assert.equal(typeof got[0].id, 'number', show(got));
        assert.deepEqual({ ...got[0], id: 0 }, { id: 0, kind: 'verify', payload: { session: 'vs_1', n: 2 }, attempts: 1 });
      });

      test('says a job is due only from its run_at, and not while it is leased', async ({ store }) => {
        assert.equal(await store.anyJobDue(NOW), false, 'no job');
        await store.enqueueJob('verify', {}, NOW, T0);
        assert.equal(await store.anyJobDue(NOW - 1), false, 'before run_at');
        assert.equal(await store.anyJobDue(NOW), true);
        await store.claimJobs(NOW, LEASE, 10);
        assert.equal(await store.anyJobDue(NOW), false, 'leased');
        assert.equal(await store.anyJobDue(NOW + LEASE), true, 'the lease ran out');
      });

      test('does not claim a job before its run_at', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW + 1, T0);
        assert.deepEqual(await store.claimJobs(NOW, LEASE, 10), []);
      });

      test('claims at most limit jobs, earliest run_at first', async ({ store }) => {
        await store.enqueueJob('c', {}, NOW - 1, T0);
        await store.enqueueJob('a', {}, NOW - 3, T0);
        await store.enqueueJob('b', {}, NOW - 2, T0);
        const got = await store.claimJobs(NOW, LEASE, 2);
        assert.deepEqual(got.map((j) => j.kind), ['a', 'b']);
      });

      test('does not claim a leased job again before its lease expires', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW, T0);
        assert.equal((await store.claimJobs(NOW, LEASE, 10)).length, 1);
        const again = await store.claimJobs(NOW + LEASE - 1, LEASE, 10);
        assert.deepEqual(again, [], 'the job was claimed twice within its lease');
      });

      test('claims a leased job again once its lease has expired', async ({ store }) => {
        await store.enqueueJob('verify', { x: 1 }, NOW, T0);
        const [first] = await store.claimJobs(NOW, LEASE, 10);
        const again = await store.claimJobs(NOW + LEASE, LEASE, 10);
        assert.deepEqual(again, [{ ...first, attempts: 2 }]);
      });

      test('runs a retried job again at its new run_at, not before', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW, T0);
        const [job] = await store.claimJobs(NOW, LEASE, 10);
        await store.retryJob(job.id, NOW + 5000, 'boom');
        assert.deepEqual(await store.claimJobs(NOW + 4999, LEASE, 10), []);
        const again = await store.claimJobs(NOW + 5000, LEASE, 10);
        assert.deepEqual(again.map((j) => [j.id, j.attempts]), [[job.id, 2]]);
        const row = await store.db.selectFrom('jobs').select(['last_error', 'locked_until']).where('id', '=', job.id).executeTakeFirst();
        assert.equal(row?.last_error, 'boom', show(row));
      });

      test('accepts fractional millisecond times (a backoff with jitter) and keeps whole milliseconds', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW + 0.4, T0);
        assert.equal(await store.nextJobDue(), NOW);
        const [job] = await store.claimJobs(NOW + 0.5, LEASE + 0.25, 10);
        await store.retryJob(job.id, NOW + 1234.5678, 'boom');
        const next = await store.nextJobDue();
        assert.ok(next === NOW + 1234 || next === NOW + 1235, `nextJobDue returned ${show(next)}`);
        assert.deepEqual(await store.claimJobs(NOW + 1233, LEASE, 10), []);
        assert.equal((await store.claimJobs(NOW + 1235, LEASE, 10)).length, 1);
      });

      test('truncates a retried job’s error to 2000 characters', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW, T0);
        const [job] = await store.claimJobs(NOW, LEASE, 10);
        await store.retryJob(job.id, NOW, 'x'.repeat(5000));
        const row = await store.db.selectFrom('jobs').select('last_error').where('id', '=', job.id).executeTakeFirst();
        assert.equal(row?.last_error?.length, 2000);
      });

      test('removes a completed job for good', async ({ store }) => {
        await store.enqueueJob('verify', {}, NOW, T0);
        const [job] = await store.claimJobs(NOW, LEASE, 10);
        await store.completeJob(job.id);
        assert.deepEqual(await store.claimJobs(NOW + LEASE * 10, LEASE, 10), []);
        assert.equal(await store.nextJobDue(), undefined);
      });

      test('reports the earliest run_at as the next job due, as a number', async ({ store }) => {
        assert.equal(await store.nextJobDue(), undefined);
        await store.enqueueJob('b', {}, NOW + 3000, T0);
        await store.enqueueJob('a', {}, NOW + 1000, T0);
        const next = await store.nextJobDue();
        assert.equal(next, NOW + 1000, `nextJobDue returned ${show(next)} (${typeof next})`);
      });

      test('never hands the same job to two concurrent claimers', async ({ store }) => {
        for (let i = 0; i < 20; i++) await store.enqueueJob('verify', { i }, NOW, T0);
        const batches = await Promise.all([1, 2, 3, 4].map(() => store.claimJobs(NOW, LEASE, 20)));
        const all = batches.flat().map((j) => j.id);
        assert.equal(new Set(all).size, all.length, `a job was claimed twice: ${show(batches.map((b) => b.map((j) => j.id)))}`);
        assert.equal(all.length, 20, `claimed ${all.length} of 20`);
      });
    });

    describe('sealing', () => {
      test('stores provided details sealed, not in plain text', async ({ store, sealer }) => {
        const s = fullSession();
        await store.insertSession(s);
        const raw = await store.db.selectFrom('verification_sessions').select('provided_details').where('id', '=', s.id).executeTakeFirstOrThrow();
        assert.ok(raw.provided_details && !raw.provided_details.includes('jenny.rosen@example.com'), `raw column: ${raw.provided_details}`);
        assert.ok(!raw.provided_details.includes('15555550100'), `raw column: ${raw.provided_details}`);
        assert.match(sealer.open(raw.provided_details), /jenny\.rosen@example\.com/);
      });

      test('stores report checks sealed, including after an update', async ({ store, sealer }) => {
        const r = report('vs_1');
        await store.insertReport(r);
        const read = async () =>
          (await store.db.selectFrom('verification_reports').select('checks').where('id', '=', r.id).executeTakeFirstOrThrow()).checks;
        const raw = await read();
        assert.ok(!raw.includes(PLAIN_DOC_NUMBER) && !raw.includes('Rosen'), `raw column: ${raw}`);
        assert.match(sealer.open(raw), new RegExp(PLAIN_DOC_NUMBER));
        await store.updateReportChecks(r.id, checks('Updated'));
        const raw2 = await read();
        assert.ok(!raw2.includes('Updated') && !raw2.includes(PLAIN_DOC_NUMBER), `raw column after update: ${raw2}`);
      });

      test('stores event data sealed, including after an update', async ({ store, sealer }) => {
        const e = event();
        await store.insertEvent(e);
        const read = async () => (await store.db.selectFrom('events').select('data').where('id', '=', e.id).executeTakeFirstOrThrow()).data;
        const raw = await read();
        assert.ok(!raw.includes('plain.event@example.com'), `raw column: ${raw}`);
        assert.match(sealer.open(raw), /plain\.event@example\.com/);
        await store.updateEventData(e.id, { object: { id: 'vs_obj', secret_note: 'updated-plain' } });
        const raw2 = await read();
        assert.ok(!raw2.includes('updated-plain'), `raw column after update: ${raw2}`);
      });

      test('stores a completed idempotent response sealed', async ({ store, sealer }) => {
        const body = '{"client_secret":"vs_x_secret_plain"}';
        await store.claimIdempotencyKey(false, 'k1', { method: 'POST', path: '/x', params_hash: 'h', request_id: 'req', now: T0 });
        await store.completeIdempotencyKey(false, 'k1', 200, body);
        const raw = await store.db.selectFrom('idempotency_keys').select('response_body').where('key', '=', 'k1').executeTakeFirstOrThrow();
        assert.ok(raw.response_body && !raw.response_body.includes('secret_plain'), `raw column: ${raw.response_body}`);
        assert.equal(sealer.open(raw.response_body), body);
      });

      test('cannot read a sealed value with another key', async ({ store, opened }) => {
        const s = fullSession();
        await store.insertSession(s);
        const other = Store.from(opened, createSealer(crypto.randomBytes(32)));
        await assert.rejects(() => other.findSession(s.id));
      });
    });

    describe('transactions', () => {
      test('commits every write of a transaction that returns', async ({ store }) => {
        const s = session();
        const out = await store.transaction(async (tx) => {
          await tx.insertSession(s);
          await tx.enqueueJob('verify', { id: s.id }, 1, T0);
          return 'done';
        });
        assert.equal(out, 'done');
        assert.equal((await store.findSession(s.id))?.id, s.id);
        assert.equal(await store.nextJobDue(), 1);
      });

      test('rolls back every write when the transaction throws', async ({ store }) => {
        const s = session();
        const r = report(s.id);
        const e = event({ object_id: s.id });
        const k = key();
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertKey(k);
            await tx.insertSession(s);
            await tx.insertReport(r);
            await tx.insertEvent(e);
            await tx.enqueueJob('verify', { id: s.id }, 1, T0);
            await tx.claimIdempotencyKey(false, 'k1', { method: 'POST', path: '/x', params_hash: 'h', request_id: 'req', now: T0 });
            assert.equal((await tx.findSession(s.id))?.id, s.id, 'the transaction does not see its own write');
            throw boom;
          }),
          (err) => err === boom,
        );
        const left = {
          key: await store.findKeyByHash(k.secret_hash),
          session: await store.findSession(s.id),
          report: await store.findReport(r.id),
          event: await store.findEvent(e.id),
          job: await store.nextJobDue(),
          idempotency: await store.claimIdempotencyKey(false, 'k1', { method: 'POST', path: '/x', params_hash: 'h', request_id: 'req2', now: T0 }),
        };
        assert.deepEqual(left, { key: undefined, session: undefined, report: undefined, event: undefined, job: undefined, idempotency: undefined }, show(left));
      });

      test('rolls back an optimistic update made in a failed transaction', async ({ store }) => {
        const s = session();
        await store.insertSession(s);
        await assert.rejects(
          store.transaction(async (tx) => {
            const read = (await tx.findSessionForUpdate(s.id))!;
            read.status = 'canceled';
            assert.equal(await tx.updateSession(read), true);
            throw new Error('boom');
          }),
        );
        const now = (await store.findSession(s.id))!;
        assert.deepEqual([now.status, now.version], ['requires_input', 0]);
      });

      test('joins a nested transaction to the outer one', async ({ store }) => {
        const inner = session();
        const outer = session();
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertSession(outer);
            await tx.transaction(async (tx2) => {
              assert.equal((await tx2.findSession(outer.id))?.id, outer.id, 'the nested transaction does not see the outer write');
              await tx2.insertSession(inner);
            });
            throw new Error('outer fails after the inner one finished');
          }),
          /outer fails/,
        );
        assert.equal(await store.findSession(inner.id), undefined, 'the nested transaction committed on its own');
        assert.equal(await store.findSession(outer.id), undefined);
      });

      test('keeps uncommitted writes invisible to other connections', async ({ store }) => {
        const s = session();
        await store.transaction(async (tx) => {
          await tx.insertSession(s);
          assert.equal(await store.findSession(s.id), undefined, 'another connection saw an uncommitted session');
        });
        assert.equal((await store.findSession(s.id))?.id, s.id);
      }, { skip: pgOnly });
    });

    describe('connections', () => {
      test(
        'survives the server closing an idle connection (restart, idle timeout) and reconnects',
        async ({ store }) => {
          await store.countKeys(); // leaves an idle connection in the pool
          const { rows } = await sql<{ db: string }>`select current_database() as db`.execute(store.db);
          const uncaught: unknown[] = [];
          const onUncaught = (e: unknown) => uncaught.push(e);
          process.on('uncaughtException', onUncaught);
          try {
            await admin(async (c) => {
              await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [rows[0].db]);
              for (let i = 0; i < 50; i++) {
                const left = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [rows[0].db]);
                if (left.rows[0].n === 0) break;
                await new Promise((r) => setTimeout(r, 20));
              }
            });
            await new Promise((r) => setTimeout(r, 200)); // let the pool see its connections die
          } finally {
            process.off('uncaughtException', onUncaught);
          }
          assert.deepEqual(uncaught.map(String), [], 'a dead idle connection raised an uncaught exception');
          assert.equal(await store.countKeys(), 0, 'the next query did not get a working connection');
        },
        { skip: backend.dialect === 'postgres' ? false : 'SQLite has no server to close connections' },
      );
    });

    describe('migrations', () => {
      it('applies the initial migration to an empty database, then nothing the second time', async () => {
        const db = await backend.unmigrated();
        try {
          const opened = db.open();
          const first = await migrate(opened);
          assert.equal(first[0], '0001_init', show(first));
          assert.deepEqual(first, await appliedMigrations(opened), 'migrate() did not report what it applied');
          const store = withStore(opened).store;
          await store.insertKey(key());
          assert.deepEqual(await migrate(opened), []);
          assert.equal(await store.countKeys(), 1, 'the second migrate lost data');
        } finally {
          await db.close();
        }
      });

      const concurrentSkip = backend.dialect === 'postgres' ? undefined : 'an in-memory SQLite database has one connection';
      it('lets two processes migrate a fresh database at the same time', { skip: concurrentSkip }, async () => {
        const db = await backend.unmigrated();
        try {
          const results = await Promise.allSettled([migrate(db.open()), migrate(db.open())]);
          const failed = results.filter((r) => r.status === 'rejected');
          assert.deepEqual(failed, [], `a concurrent migrate failed: ${failed.map((r) => String((r as PromiseRejectedResult).reason)).join('; ')}`);
          const applied = results.flatMap((r) => (r as PromiseFulfilledResult<string[]>).value).sort();
          const opened = db.open();
          assert.deepEqual(applied, await appliedMigrations(opened), 'each migration must run exactly once between the two');
          const store = withStore(opened).store;
          assert.equal(await store.countKeys(), 0);
        } finally {
          await db.close();
        }
      });
    });
  });
}
