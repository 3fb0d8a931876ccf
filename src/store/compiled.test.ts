// Compiled hot queries, SQLite's direct read (OpenedDb.readNow) and a transaction's direct queries
// (holdingConnection, OpenedDb.runNow), on a real SQLite file.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { holdingConnection, releasedConnection, runCompiled } from './compiled.js';
import { openDatabase } from './db.js';
import { createSealer } from './sealer.js';
import { Store } from './store.js';

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

describe('holdingConnection (OpenedDb.runNow)', () => {
  const insert = (db: Kysely<any>) => (v: readonly any[]) => db.insertInto('item').values({ id: v[0], label: v[1] });

  it("runs a transaction's compiled queries on the connection at once, without Kysely's executor", async () => {
    const { opened } = await fresh();
    const seen: string[] = [];
    // The same connection's Kysely with a result hook: a query that Kysely's executor ran shows there.
    const db = opened.db.withPlugin({
      transformQuery: (a) => a.node,
      transformResult: async (a) => (seen.push(String(a.queryId.queryId)), a.result),
    }) as unknown as Kysely<any>;
    try {
      await db.transaction().execute(async (trx) => {
        holdingConnection(trx, opened.runNow!);
        const r = await runCompiled(trx, 'sqlite', 'test:insert', ['h', 'held'], insert(trx));
        assert.equal(r.numAffectedRows, 1n);
        assert.deepEqual((await runCompiled(trx, 'sqlite', 'test:byId', ['h'], byId(trx))).rows, [{ id: 'h', label: 'held' }]);
        releasedConnection(trx);
      });
      assert.deepEqual(seen, [], `nothing went through the executor: ${seen.join(', ')}`);
      assert.deepEqual(opened.readNow!('select label from item where id = ?', ['h']), [{ label: 'held' }]);
    } finally {
      await opened.close();
    }
  });

  it("undoes what it wrote when the transaction rolls back", async () => {
    const { opened, db } = await fresh();
    try {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          holdingConnection(trx, opened.runNow!);
          await runCompiled(trx, 'sqlite', 'test:insert', ['r', 'rolled back'], insert(trx));
          throw new Error('fails after the write');
        }),
        /fails after the write/,
      );
      await opened.settled();
      assert.deepEqual(opened.readNow!('select id from item where id = ?', ['r']), []);
    } finally {
      await opened.close();
    }
  });

  it('a store transaction lets go of the connection when it ends: a late query goes back through Kysely', async () => {
    const { opened } = await fresh();
    const store = Store.from(opened, createSealer(crypto.randomBytes(32)));
    try {
      let kept!: Kysely<any>;
      await store.transaction(async (tx) => {
        kept = tx.db as unknown as Kysely<any>;
      });
      // Kysely refuses a query on a transaction that has ended; run at once, it would have written outside any.
      await assert.rejects(async () => runCompiled(kept, 'sqlite', 'test:insert', ['late', 'x'], insert(kept)), /already committed/);
      assert.deepEqual(opened.readNow!('select id from item where id = ?', ['late']), []);
    } finally {
      await opened.close();
    }
  });
});
