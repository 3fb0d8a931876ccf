// Seeds a Verity database (SQLite or PostgreSQL) with N verification sessions, fast: schema through the real
// migrations, rows built as Session records and mapped to columns by the Store's own row mapping (so they are
// sessions the API can present, provided details sealed like real ones), inserted straight through the driver
// in large batches with the secondary indexes dropped and rebuilt afterwards (from their own definitions as
// the database reports them, so they are the migrations').
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { newId, randomBase62 } from '../../src/domain/ids.js';
import type { Session, SessionStatus } from '../../src/domain/types.js';
import { migrate, openDatabase } from '../../src/store/db.js';
import { createSealer } from '../../src/store/sealer.js';
import { Store } from '../../src/store/store.js';

export interface Seeded {
  file: string;
  rows: number;
  /** The id of the session ~90% deep in the newest-first order (for starting_after). */
  deepCursor: string;
  deepPosition: number;
  seconds: number;
}

const BATCH = 20_000;

// Status mix: half still waiting for the user, the rest canceled or processing. The list filter uses
// requires_input. (No `verified` rows: those would need reports to point at.)
function statusOf(i: number): SessionStatus {
  const r = i % 20;
  if (r < 10) return 'requires_input';
  if (r < 17) return 'canceled';
  return 'processing';
}

export async function seedSessions(dataDir: string, rows: number, encryptionKey: Buffer): Promise<Seeded> {
  const t0 = performance.now();
  const file = path.join(dataDir, 'verity.sqlite');
  const opened = openDatabase({ sqlitePath: file });
  await migrate(opened);
  // Used only for its row mapping (Session → columns, sealing included); never touches the database.
  const store = Store.from(opened, createSealer(encryptionKey));
  const toRow = (s: Session) => (store as unknown as { sessionRow(s: Session): Record<string, unknown> })['sessionRow'](s);

  const db = new SQLite(file);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB while seeding
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'verification_sessions' AND sql IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);

  const nowS = Math.floor(Date.now() / 1000);
  const base = nowS - Math.ceil(rows / 3) - 60; // three sessions a second, the newest a minute ago
  const deepPosition = Math.floor(rows * 0.9);
  const deepIndex = rows - 1 - deepPosition; // rows go in oldest first, so newest-first position p is row rows-1-p
  let deepCursor = '';
  let insert: SQLite.Statement | undefined;
  let cols: string[] = [];

  const insertBatch = db.transaction((batch: Record<string, unknown>[]) => {
    for (const r of batch) insert!.run(cols.map((c) => r[c] as unknown));
  });

  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const s = makeSession(i, base + Math.floor(i / 3));
    if (i === deepIndex) deepCursor = s.id;
    const row = toRow(s);
    if (!insert) {
      cols = Object.keys(row);
      insert = db.prepare(`INSERT INTO verification_sessions (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    }
    batch.push(row);
    if (batch.length === BATCH) {
      insertBatch(batch);
      batch = [];
    }
  }
  if (batch.length) insertBatch(batch);
  for (const ix of indexes) db.exec(ix.sql);

  // Check that the cursor really is where we think it is (newest first on (created, seq)).
  const at = db
    .prepare(`SELECT id FROM verification_sessions WHERE livemode = 0 ORDER BY created DESC, seq DESC LIMIT 1 OFFSET ?`)
    .get(deepPosition) as { id: string } | undefined;
  if (at?.id !== deepCursor) throw new Error(`seed: deep cursor mismatch (${at?.id} vs ${deepCursor})`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  await opened.close();
  return { file, rows, deepCursor, deepPosition, seconds: (performance.now() - t0) / 1000 };
}

export interface SeededPg {
  url: string;
  rows: number;
  deepCursor: string;
  deepPosition: number;
  seconds: number;
  /** verification_sessions with its indexes and TOAST, MiB. */
  tableMb: number;
}

const PG_BATCH = 10_000;

/**
 * The same rows into an empty PostgreSQL database at `url`: migrations through the project's migrate(), then
 * one `INSERT … SELECT * FROM unnest($1::text[], $2::int4[], …)` per 10,000 rows (one array per column, so
 * a statement has 23 parameters however many rows it carries), the next batch built while the server writes
 * the previous one. Unique constraints and indexes other than the primary key are dropped first and rebuilt
 * from pg_get_constraintdef / pg_indexes afterwards; then VACUUM ANALYZE, which autovacuum would do to an
 * insert-heavy table on its own, done now so that it does not run during the measurement.
 */
export async function seedSessionsPg(url: string, rows: number, encryptionKey: Buffer): Promise<SeededPg> {
  const t0 = performance.now();
  const opened = openDatabase({ databaseUrl: url, poolSize: 1 });
  try {
    await migrate(opened);
  } finally {
    await opened.close();
  }
  const store = Store.from(opened, createSealer(encryptionKey));
  const toRow = (s: Session) => (store as unknown as { sessionRow(s: Session): Record<string, unknown> })['sessionRow'](s);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const types = new Map(
      (
        await client.query<{ column_name: string; udt_name: string }>(
          `SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'verification_sessions'`,
        )
      ).rows.map((r) => [r.column_name, r.udt_name]),
    );
    const constraints = (
      await client.query<{ conname: string; def: string }>(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'verification_sessions'::regclass AND contype = 'u'`,
      )
    ).rows;
    for (const c of constraints) await client.query(`ALTER TABLE verification_sessions DROP CONSTRAINT "${c.conname}"`);
    const indexes = (
      await client.query<{ indexname: string; indexdef: string }>(
        `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = 'verification_sessions'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'verification_sessions'::regclass AND c.conname = i.indexname)`,
      )
    ).rows;
    for (const ix of indexes) await client.query(`DROP INDEX "${ix.indexname}"`);

    const nowS = Math.floor(Date.now() / 1000);
    const base = nowS - Math.ceil(rows / 3) - 60;
    const deepPosition = Math.floor(rows * 0.9);
    const deepIndex = rows - 1 - deepPosition;
    let deepCursor = '';
    let cols: string[] = [];
    let insertSql = '';
    let pending: Promise<unknown> | undefined;
    for (let start = 0; start < rows; start += PG_BATCH) {
      const end = Math.min(rows, start + PG_BATCH);
      let arrays: unknown[][] = [];
      for (let i = start; i < end; i++) {
        const s = makeSession(i, base + Math.floor(i / 3));
        if (i === deepIndex) deepCursor = s.id;
        const row = toRow(s);
        if (!insertSql) {
          cols = Object.keys(row);
          for (const c of cols) if (!types.has(c)) throw new Error(`seed: verification_sessions has no column ${c}`);
          insertSql =
            `INSERT INTO verification_sessions (${cols.map((c) => `"${c}"`).join(', ')}) ` +
            `SELECT * FROM unnest(${cols.map((c, k) => `$${k + 1}::${types.get(c)}[]`).join(', ')})`;
        }
        if (arrays.length === 0) arrays = cols.map(() => []);
        for (let k = 0; k < cols.length; k++) arrays[k].push(row[cols[k]]);
      }
      if (pending) await pending;
      pending = client.query(insertSql, arrays);
    }
    if (pending) await pending;
    for (const c of constraints) await client.query(`ALTER TABLE verification_sessions ADD CONSTRAINT "${c.conname}" ${c.def}`);
    for (const ix of indexes) await client.query(ix.indexdef);
    await client.query('VACUUM ANALYZE verification_sessions');

    const at = await client.query<{ id: string }>(
      `SELECT id FROM verification_sessions WHERE livemode = 0 ORDER BY created DESC, seq DESC LIMIT 1 OFFSET $1`,
      [deepPosition],
    );
    if (at.rows[0]?.id !== deepCursor) throw new Error(`seed: deep cursor mismatch (${at.rows[0]?.id} vs ${deepCursor})`);
    const size = await client.query<{ n: string }>(`SELECT pg_total_relation_size('verification_sessions') AS n`);
    return { url, rows, deepCursor, deepPosition, seconds: (performance.now() - t0) / 1000, tableMb: Number(size.rows[0].n) / 1048576 };
  } finally {
    await client.end();
  }
}

function makeSession(i: number, created: number): Session {
  const id = newId.session();
  const status = statusOf(i);
  const waiting = status === 'requires_input';
  return {
    id,
    livemode: false,
    created,
    status,
    type: i % 7 === 0 ? 'id_number' : 'document',
    client_reference_id: i % 4 === 0 ? null : `user_${i % 50_000}`,
    metadata: i % 5 === 0 ? {} : { order_id: `ord_${i}`, channel: 'web' },
    options:
      i % 7 === 0
        ? { id_number: {} }
        : { document: i % 2 === 0 ? { allowed_types: ['driving_license', 'passport'], require_matching_selfie: true } : {} },
    // Every tenth session carries provided details, sealed like the real ones.
    provided_details: i % 10 === 0 ? { email: `user${i}@example.com` } : null,
    related_customer: i % 3 === 0 ? `cus_${randomBase62(14)}` : null,
    related_customer_account: null,
    related_person: null,
    return_url: i % 2 === 0 ? 'https://example.com/return' : null,
    verification_flow: null,
    last_error: waiting && i % 3 === 0 ? { code: 'document_expired', reason: 'The document is expired.' } : null,
    last_report_id: null,
    redaction_status: null,
    client_secret: waiting ? `${id}_secret_test_${randomBase62(24)}` : null,
    client_secret_expires: waiting ? created + 24 * 3600 : null,
    url_token: waiting ? `test_${randomBase62(32)}` : null,
    url_expires: waiting ? created + 48 * 3600 : null,
    version: 0,
  };
}
