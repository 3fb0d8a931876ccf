// The WAL of a database in a file is copied into the file by the checkpointer thread, not by a request's commit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import { openDatabase } from './db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-ckpt-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const size = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);

async function fill(file: string) {
  const opened = openDatabase({ sqlitePath: file });
  const db = opened.db as unknown as Kysely<any>;
  await sql`create table blob (id integer primary key, data text not null)`.execute(db);
  await opened.settled();
  // About 4 MB: past the 1000 pages at which SQLite would otherwise checkpoint inside a commit.
  const chunk = 'x'.repeat(1000);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < 4000; i++) await tx.insertInto('blob').values({ data: chunk }).execute();
  });
  await opened.settled();
  return { opened, db };
}

describe('WAL checkpointer thread', () => {
  it('copies committed pages into the database file in the background', async () => {
    const file = path.join(dir, 'a.sqlite');
    const { opened } = await fill(file);
    const deadline = Date.now() + 10_000;
    while (size(file) < 4_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(size(file) >= 4_000_000, `database file ${size(file)} bytes after the checkpointer ran`);
    await opened.close();
  });

  it('the serving connection never checkpoints inside a commit', async () => {
    const opened = openDatabase({ sqlitePath: path.join(dir, 'c.sqlite') });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(opened.db);
    assert.deepEqual(rows, [{ wal_autocheckpoint: 0 }]);
    await opened.close();
  });

  it('close() leaves the whole database in its file and no WAL behind', async () => {
    const file = path.join(dir, 'b.sqlite');
    const { opened } = await fill(file);
    await opened.close();
    assert.equal(size(`${file}-wal`), 0);
    assert.ok(size(file) >= 4_000_000);
  });
});

/**
 * Commits in bursts on a connection set up as db.ts sets up the serving one, while the checkpointer runs, and
 * returns the largest WAL file seen after the first bursts (which cover the thread's start-up). A burst is 20
 * commits of one small row, then a turn of the event loop, as on a busy server: a fixed amount of writing
 * (about 40 MB of WAL frames in all), so the unbounded case's figure does not depend on the machine's speed.
 */
async function steadyWrites(file: string, restartBytes: number, opts: { gaps?: boolean; handoverWaitMs?: number } = {}): Promise<number> {
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('wal_autocheckpoint = 0');
  if (Number.isSafeInteger(restartBytes)) conn.pragma(`journal_size_limit = ${restartBytes}`);
  conn.exec('create table if not exists t (id integer primary key, v text not null)');
  const insert = conn.prepare('insert into t (v) values (?)');
  const ckpt = startCheckpointer(file, { intervalMs: 10, restartBytes, handoverWaitMs: opts.handoverWaitMs });
  let largest = 0;
  for (let burst = 0; burst < 600; burst++) {
    // As the serving connection does before each BEGIN (db.ts), when `gaps`.
    if (opts.gaps) ckpt.gap();
    for (let i = 0; i < 20; i++) conn.transaction(() => insert.run('x'.repeat(200)))();
    if (burst >= 100) largest = Math.max(largest, size(`${file}-wal`));
    await new Promise((r) => setImmediate(r));
  }
  await ckpt.stop();
  conn.close();
  return largest;
}

describe('WAL size under a steady stream of commits', () => {
  const MiB = 1024 * 1024;

  it('grows without bound when only PASSIVE passes run (the case the RESTART is for)', async () => {
    const largest = await steadyWrites(path.join(dir, 'steady-unbounded.sqlite'), Number.POSITIVE_INFINITY);
    assert.ok(largest > 24 * MiB, `largest WAL ${largest} bytes`);
  });

  it('starts over once past restartBytes, handed the write lock at the serving connection\'s gaps', async () => {
    const largest = await steadyWrites(path.join(dir, 'steady-bounded.sqlite'), 1 * MiB, { gaps: true });
    assert.ok(largest < 16 * MiB, `largest WAL ${largest} bytes`);
  });

  it('starts over without the hand-over too, when no gap() comes (the writes are another process\'s)', async () => {
    const largest = await steadyWrites(path.join(dir, 'steady-no-gaps.sqlite'), 1 * MiB, { handoverWaitMs: 1 });
    assert.ok(largest < 16 * MiB, `largest WAL ${largest} bytes`);
  });
});

describe('the RESTART hand-over', () => {
  it('is done inside gap(): the serving connection\'s next commit starts the WAL from the top', async () => {
    const file = path.join(dir, 'handover.sqlite');
    const conn = new Database(file);
    conn.pragma('journal_mode = WAL');
    conn.pragma('wal_autocheckpoint = 0');
    conn.exec('create table t (id integer primary key, v text not null)');
    const insert = conn.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 300; i++) insert.run('x'.repeat(8000)); // about 600 frames: past the 1 MiB below
    // The thread waits for gap() far longer than this test runs, so only the hand-over can restart the WAL.
    const ckpt = startCheckpointer(file, { intervalMs: 10, restartBytes: 1024 * 1024, handoverWaitMs: 60_000 });
    let handedOver = false;
    for (let i = 0; i < 500 && !handedOver; i++) {
      await new Promise((r) => setTimeout(r, 10));
      handedOver = ckpt.gap();
    }
    assert.ok(handedOver, 'the thread asked for the write lock within 5 s');
    insert.run('after');
    const [frames] = conn.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(frames.log <= 4, `WAL frames after one small commit: ${JSON.stringify(frames)}`);
    conn.close();
    await ckpt.stop();
  });

  it('gap() returns at once when the thread has not asked', async () => {
    const file = path.join(dir, 'no-ask.sqlite');
    const conn = new Database(file);
    conn.pragma('journal_mode = WAL');
    const ckpt = startCheckpointer(file, { intervalMs: 10 });
    assert.equal(ckpt.gap(), false);
    await ckpt.stop();
    conn.close();
  });
});
