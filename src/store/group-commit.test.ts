// Group commit on a real SQLite file, watched from a second connection (what another process would see).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { type OpenedDb, openDatabase } from './db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-group-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
let opened: OpenedDb;
let db: Kysely<any>;
let observer: SQLite.Database;

beforeEach(async () => {
  const file = path.join(dir, `db${n++}.sqlite`);
  // No age limit: a slow machine must not split the groups these tests look at.
  opened = openDatabase({ sqlitePath: file, groupCommit: { maxAgeMs: 60_000 } });
  db = opened.db as unknown as Kysely<any>;
  await sql`create table parent (id integer primary key)`.execute(db);
  await sql`create table item (id integer primary key, label text not null unique, parent integer references parent(id) deferrable initially deferred)`.execute(db);
  await opened.settled();
  observer = new SQLite(file, { readonly: true });
});

const visible = (): string[] => (observer.prepare('select label from item order by label').all() as { label: string }[]).map((r) => r.label);
const insert = (d: Kysely<any>, label: string, parent: number | null = null) => d.insertInto('item').values({ label, parent }).execute();

describe('SQLite group commit', () => {
  it('commits the transactions that finish in one turn together, and none is visible before settled()', async () => {
    const labels = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const done = labels.map((l) => db.transaction().execute((tx) => insert(tx, l)));
    await Promise.all(done);
    assert.deepEqual(visible(), [], 'committed to Kysely but not yet durable');
    await opened.settled();
    assert.deepEqual(visible(), labels);
  });

  it('keeps the savepoints\' statement journal in memory (a temp file once past 64 KiB cost every write file I/O)', async () => {
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
    assert.deepEqual(rows, [{ temp_store: 2 }]);
  });

  it('a transaction that fails undoes only its own writes, not the rest of its group', async () => {
    const ok = db.transaction().execute((tx) => insert(tx, 'kept'));
    const failed = db.transaction().execute(async (tx) => {
      await insert(tx, 'undone');
      throw new Error('handler failed');
    });
    await ok;
    await assert.rejects(failed, /handler failed/);
    await opened.settled();
    assert.deepEqual(visible(), ['kept']);
  });

  it('a statement that violates a constraint fails alone; the group still commits', async () => {
    await insert(db, 'a');
    await assert.rejects(insert(db, 'a'), /UNIQUE/);
    await insert(db, 'b');
    await opened.settled();
    assert.deepEqual(visible(), ['a', 'b']);
  });

  it('writes outside a transaction join the group and are durable once settled() resolves', async () => {
    await insert(db, 'loose');
    assert.deepEqual(visible(), []);
    await opened.settled();
    assert.deepEqual(visible(), ['loose']);
  });

  it('waits for a transaction that is still awaiting I/O before committing', async () => {
    const slow = db.transaction().execute(async (tx) => {
      await insert(tx, 'slow-1');
      await new Promise((r) => setTimeout(r, 30));
      await insert(tx, 'slow-2');
    });
    await insert(db, 'quick');
    await slow;
    await opened.settled();
    assert.deepEqual(visible(), ['quick', 'slow-1', 'slow-2']);
  });

  it('when the COMMIT itself fails, every member of the group is told and nothing of it is kept', async () => {
    // A deferred foreign key is checked at COMMIT: the one way to make SQLite refuse a commit on demand.
    const good = db.transaction().execute((tx) => insert(tx, 'good'));
    const dangling = db.transaction().execute((tx) => insert(tx, 'dangling', 999));
    await Promise.all([good, dangling]);
    await assert.rejects(opened.settled(), /FOREIGN KEY/);
    assert.deepEqual(visible(), []);
    // The connection is usable again afterwards.
    await insert(db, 'after');
    await opened.settled();
    assert.deepEqual(visible(), ['after']);
  });

  it('a read sees its own group’s writes at once (one connection)', async () => {
    await insert(db, 'mine');
    const rows = await db.selectFrom('item').select('label').execute();
    assert.deepEqual(rows, [{ label: 'mine' }]);
    await opened.settled();
  });

  it('a group that reaches its size limit commits at once', async () => {
    await opened.close();
    const file = path.join(dir, `db${n++}.sqlite`);
    opened = openDatabase({ sqlitePath: file, groupCommit: { maxMembers: 3, maxAgeMs: 60_000 } });
    db = opened.db as unknown as Kysely<any>;
    await sql`create table item (id integer primary key, label text not null unique, parent integer)`.execute(db);
    await opened.settled();
    observer = new SQLite(file, { readonly: true });
    await Promise.all(['a', 'b', 'c', 'd'].map((l) => db.transaction().execute((tx) => insert(tx, l))));
    assert.deepEqual(visible(), ['a', 'b', 'c']);
    await opened.settled();
    assert.deepEqual(visible(), ['a', 'b', 'c', 'd']);
  });

  it('calls beforeBegin once before each group begins, never inside one (the checkpointer\'s hand-over point)', async () => {
    await opened.close();
    let calls = 0;
    opened = openDatabase({ sqlitePath: ':memory:', groupCommit: { maxAgeMs: 60_000, beforeBegin: () => void calls++ } });
    db = opened.db as unknown as Kysely<any>;
    await sql`create table item (id integer primary key, label text not null unique, parent integer)`.execute(db);
    await opened.settled();
    calls = 0;
    await Promise.all(['a', 'b', 'c'].map((l) => db.transaction().execute((tx) => insert(tx, l))));
    const afterOneTurn = calls;
    await opened.settled();
    await insert(db, 'd');
    await opened.settled();
    assert.equal(afterOneTurn, 1, 'three transactions of one turn: one group, one call');
    assert.equal(calls, 2, 'a later write opens a second group');
  });

  it('close() commits what is pending', async () => {
    await insert(db, 'last');
    await opened.close();
    assert.deepEqual(visible(), ['last']);
    opened = openDatabase({ sqlitePath: ':memory:' }); // something for the next beforeEach's predecessor to close
  });
});
