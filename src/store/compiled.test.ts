// Compiled hot queries and SQLite's direct read (OpenedDb.readNow), on a real SQLite file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { runCompiled } from './compiled.js';
import { openDatabase } from './db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-compiled-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function fresh() {
  const opened = openDatabase({ sqlitePath: path.join(dir, `db${n++}.sqlite`) });
  const db = opened.db as unknown as Kysely<any>;
  await sql`create table item (id text primary key, label text)`.execute(db);
  await db.insertInto('item').values({ id: 'a', label: 'first' }).execute();
  await opened.settled();
  return { opened, db };
}

const byId = (db: Kysely<any>) => (v: readonly any[]) => db.selectFrom('item').select(['id', 'label']).where('id', '=', v[0]);

describe('runCompiled', () => {
  it('binds each call its own values into the query compiled once', async () => {
    const { opened, db } = await fresh();
    try {
      await db.insertInto('item').values({ id: 'b', label: 'second' }).execute();
      const run = (id: string) => runCompiled(db, 'sqlite', 'test:byId', [id], byId(db));
      assert.deepEqual((await run('a')).rows, [{ id: 'a', label: 'first' }]);
      assert.deepEqual((await run('b')).rows, [{ id: 'b', label: 'second' }]);
      assert.deepEqual((await run('zz')).rows, []);
    } finally {
      await opened.close();
    }
  });

  it('refuses a query that leaves one of its values unbound', async () => {
    const { opened, db } = await fresh();
    try {
      assert.throws(() => runCompiled(db, 'sqlite', 'test:unbound', ['a', 'b'], byId(db)), /every value must be bound/);
    } finally {
      await opened.close();
    }
  });
});

describe('OpenedDb.readNow', () => {
  it('reads at once when no transaction is in progress', async () => {
    const { opened, db } = await fresh();
    try {
      const { rows } = await runCompiled(db, 'sqlite', 'test:byId', ['a'], byId(db), opened.readNow);
      assert.deepEqual(rows, [{ id: 'a', label: 'first' }]);
      assert.deepEqual(opened.readNow!('select label from item where id = ?', ['a']), [{ label: 'first' }]);
    } finally {
      await opened.close();
    }
  });

  it('never shows a transaction\'s writes before it ends: the read waits for it, and a rollback leaves nothing to see', async () => {
    const { opened, db } = await fresh();
    try {
      let inserted!: () => void;
      const insertedP = new Promise<void>((r) => (inserted = r));
      let finish!: () => void;
      const finishP = new Promise<void>((r) => (finish = r));
      const tx = db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ id: 'x', label: 'uncommitted' }).execute();
        inserted();
        await finishP;
        throw new Error('rolled back');
      });
      await insertedP;
      assert.equal(opened.readNow!('select id from item where id = ?', ['x']), undefined, 'no direct read during a transaction');
      const read = runCompiled(db, 'sqlite', 'test:byId', ['x'], byId(db), opened.readNow);
      finish();
      await assert.rejects(tx, /rolled back/);
      assert.deepEqual((await read).rows, []);
    } finally {
      await opened.close();
    }
  });
});
