// Direct reads (OpenedDb.readNow) share one read transaction per turn of the event loop; writes on the same
// connection end it first. On a real SQLite file, with a second connection standing in for another process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from './db.js';
import { turnSnapshots } from './turn-snapshot.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-snapshot-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function fresh() {
  const file = path.join(dir, `db${n++}.sqlite`);
  const opened = openDatabase({ sqlitePath: file });
  const db = opened.db as unknown as Kysely<any>;
  await sql`create table item (id text primary key, label text)`.execute(db);
  await db.insertInto('item').values({ id: 'a', label: 'first' }).execute();
  await opened.settled();
  const label = () => (opened.readNow!('select label from item where id = ?', ['a']) as { label: string }[])[0]?.label;
  return { file, opened, db, label };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('direct reads share a read transaction per turn', () => {
  it('reads in one turn see one snapshot; the next turn sees what another connection committed meanwhile', async () => {
    const { file, opened, label } = await fresh();
    const other = new Database(file);
    try {
      assert.equal(label(), 'first');
      other.prepare('update item set label = ? where id = ?').run('second', 'a');
      assert.equal(label(), 'first', 'same turn: same snapshot');
      await nextTurn();
      assert.equal(label(), 'second', 'the snapshot ended with its turn');
    } finally {
      other.close();
      await opened.close();
    }
  });

  it('a write transaction in the same turn ends the snapshot first, and later reads see the write', async () => {
    const { opened, db, label } = await fresh();
    try {
      assert.equal(label(), 'first');
      // Without the snapshot ending first, the commit group's BEGIN IMMEDIATE would fail inside a transaction.
      await db.transaction().execute((tx) => tx.updateTable('item').set({ label: 'written' }).where('id', '=', 'a').execute());
      assert.equal(label(), 'written');
      await opened.settled();
      await nextTurn();
      assert.equal(label(), 'written');
    } finally {
      await opened.close();
    }
  });

  it('a write outside any transaction in the same turn also ends it', async () => {
    const { opened, db, label } = await fresh();
    try {
      assert.equal(label(), 'first');
      await db.insertInto('item').values({ id: 'b', label: 'autocommit' }).execute();
      await opened.settled();
      assert.deepEqual(opened.readNow!('select label from item where id = ?', ['b']), [{ label: 'autocommit' }]);
    } finally {
      await opened.close();
    }
  });
});

describe('the read version (what caches of reads check)', () => {
  it('stays the same while nothing is written, across turns', async () => {
    const { opened, label } = await fresh();
    try {
      const v = opened.readVersion!();
      assert.equal(label(), 'first');
      await nextTurn();
      assert.equal(opened.readVersion!(), v);
    } finally {
      await opened.close();
    }
  });

  it('moves when this connection writes, and is undefined until that write is committed', async () => {
    const { opened, db } = await fresh();
    try {
      const v = opened.readVersion!();
      const writing = db.updateTable('item').set({ label: 'mine' }).where('id', '=', 'a').execute();
      await writing;
      assert.equal(opened.readVersion!(), undefined, 'a read now would see a write that may still be rolled back');
      await opened.settled();
      const after = opened.readVersion!();
      assert.notEqual(after, undefined);
      assert.notEqual(after, v);
    } finally {
      await opened.close();
    }
  });

  it('moves when another connection commits, from the next turn (the snapshot that shows it)', async () => {
    const { file, opened } = await fresh();
    const other = new Database(file);
    try {
      const v = opened.readVersion!();
      other.prepare('update item set label = ? where id = ?').run('theirs', 'a');
      assert.equal(opened.readVersion!(), v, 'same turn: same snapshot, same version');
      await nextTurn();
      assert.notEqual(opened.readVersion!(), v);
    } finally {
      other.close();
      await opened.close();
    }
  });

  it('moves when a transaction is rolled back', async () => {
    const { opened, db } = await fresh();
    try {
      const v = opened.readVersion!();
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          await tx.updateTable('item').set({ label: 'undone' }).where('id', '=', 'a').execute();
          throw new Error('changed my mind');
        }),
      );
      await opened.settled();
      assert.notEqual(opened.readVersion!(), v);
    } finally {
      await opened.close();
    }
  });
});

describe('turnSnapshots', () => {
  it('begins one read transaction until the scheduled end, hidden from the commit-group layer', () => {
    const sqlite = new Database(':memory:');
    try {
      const ends: (() => void)[] = [];
      const s = turnSnapshots(sqlite, (f) => ends.push(f));
      s.enter();
      s.enter();
      assert.equal(ends.length, 1, 'one snapshot per turn');
      assert.equal(sqlite.inTransaction, true);
      assert.equal(s.raw.inTransaction, false, 'the commit-group layer sees no transaction of its own');
      ends[0]();
      assert.equal(sqlite.inTransaction, false);
      ends[0](); // a second end is harmless
    } finally {
      sqlite.close();
    }
  });

  it('does not open a snapshot inside a transaction already open, nor end that transaction', () => {
    const sqlite = new Database(':memory:');
    try {
      const ends: (() => void)[] = [];
      const s = turnSnapshots(sqlite, (f) => ends.push(f));
      s.raw.exec('BEGIN IMMEDIATE');
      s.enter();
      assert.equal(ends.length, 0);
      assert.equal(s.raw.inTransaction, true, 'the commit group still sees its own transaction');
      s.raw.exec('COMMIT');
    } finally {
      sqlite.close();
    }
  });
});
