// Opens the one database Verity uses: SQLite in DATA_DIR by default, PostgreSQL when DATABASE_URL says so.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, type QueryResult, SqliteDialect } from 'kysely';
import pg from 'pg';
import * as m0001 from './migrations/0001_init.js';
import * as m0002 from './migrations/0002_webhooks.js';
import * as m0003 from './migrations/0003_idempotency_object.js';
import * as m0004 from './migrations/0004_long_text_indexes.js';
import * as m0005 from './migrations/0005_files.js';
import * as m0006 from './migrations/0006_hosted_page.js';
import * as m0007 from './migrations/0007_webhook_secret_roll.js';
import * as m0008 from './migrations/0008_live_verification.js';
import * as m0009 from './migrations/0009_partial_filter_indexes.js';
import { type Checkpointer, WAL_FILE_LIMIT_BYTES, startCheckpointer } from './checkpointer.js';
import { type GroupCommitOptions, type InnerStatement, groupCommitting } from './group-commit.js';
import { turnSnapshots } from './turn-snapshot.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDb {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Resolves when every write made so far is durable (SQLite commits in groups: see group-commit.ts). */
  settled(): Promise<void>;
  /**
   * SQLite only: runs a compiled SELECT at once, without Kysely's connection hand-over (its async mutex and
   * result plumbing cost as much as a point read), when no transaction is in progress on the connection;
   * otherwise returns undefined and the caller goes through Kysely, which waits for the transaction. With
   * no transaction open the connection is free, and better-sqlite3 runs a statement synchronously, so this
   * reads exactly what Kysely would have. Such reads share one read transaction per turn (turn-snapshot.ts).
   */
  readNow?(sql: string, parameters: readonly unknown[]): unknown[] | undefined;
  /**
   * SQLite only: runs a compiled statement at once on the connection, as Kysely's driver would (rows of a
   * statement that returns them, else the changes and last rowid). Only for the transaction that holds the
   * connection (compiled.ts holdingConnection): anyone else would write into that transaction.
   */
  runNow?(sql: string, parameters: readonly unknown[]): QueryResult<unknown>;
  /**
   * SQLite only: a token for what a read outside a transaction sees now. The same token again means nothing
   * was committed since, by this process or another; undefined when that cannot be promised (this process has
   * writes not yet committed, which its reads would see). For caches of what was read (see api/rendered.ts).
   */
  readVersion?(): string | undefined;
  close(): Promise<void>;
}

// node-postgres returns int8 as strings; our int8 columns (serials, millisecond times) fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(opts: { databaseUrl?: string; sqlitePath?: string; poolSize?: number; groupCommit?: GroupCommitOptions }): OpenedDb {
  if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection the server closes (restart, failover, idle timeout, DROP DATABASE … FORCE) makes the
    // pool emit 'error'; unheard, that is an uncaught exception that ends the process. The pool has already
    // dropped the connection and the next query opens a new one, so there is nothing else to do.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', settled: () => Promise.resolve(), close: () => db.destroy() };
  }
  const file = opts.sqlitePath ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Each transaction of a commit group is a savepoint, which copies the pages it changes into a statement
  // journal: a temp file once it passes 64 KiB, so a create paid file I/O on every statement (about 40% of
  // their cost). Kept in memory instead. Recovery never reads it (the WAL is what makes commits durable).
  sqlite.pragma('temp_store = MEMORY');
  // A database in a file is checkpointed by a thread of its own, not inside a request's COMMIT.
  let checkpointer: Checkpointer | null = null;
  if (file !== ':memory:') {
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma(`journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`);
    checkpointer = startCheckpointer(file);
  }
  const snapshots = turnSnapshots(sqlite);
  const ckpt = checkpointer;
  const beforeBegin = ckpt
    ? () => {
        // The snapshot first: a RESTART waits for every reader, this connection's included.
        snapshots.end();
        ckpt.gap();
      }
    : opts.groupCommit?.beforeBegin;
  const database = groupCommitting(snapshots.raw, reusingStatements(sqlite), { ...opts.groupCommit, beforeBegin });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    settled: () => database.settled(),
    readNow: (sql, parameters) => {
      if (database.inTransaction()) return undefined;
      const stmt = database.prepare(sql);
      if (!stmt.reader) return undefined;
      snapshots.enter();
      return stmt.all(parameters) as unknown[];
    },
    runNow: (sql, parameters) => {
      const stmt = database.prepare(sql);
      if (stmt.reader) return { rows: stmt.all(parameters) };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
    readVersion: () => {
      if (database.pending()) return undefined;
      snapshots.enter();
      return `${snapshots.dataVersion()}.${database.writes()}`;
    },
    close: async () => {
      // The serving connection closes last, so that SQLite checkpoints the whole WAL and removes it.
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * better-sqlite3 as Kysely sees it, tuned for the hot path (about half the cost of a point read):
 * - Prepared statements are reused. Kysely's SQLite driver prepares every query afresh, and preparing costs
 *   about as much as running a point query; the same SQL text always yields the same statement (values are
 *   bound parameters), so a bounded LRU cache keyed by the SQL text removes that cost. A statement still
 *   being iterated (a streamed query) is busy; a second caller then gets a fresh one. Schema changes
 *   (CREATE/ALTER/DROP, i.e. migrations) empty the cache, so no statement outlives the shape it was made for.
 * - Rows are built by a small per-statement function from better-sqlite3's raw (array) rows. better-sqlite3
 *   builds each row object key by key through V8's slow path (about a microsecond per column: a session row
 *   has 23); an object literal of a fixed shape is nearly free. Same keys, same order, same values.
 */
function reusingStatements(sqlite: SQLite.Database, max = 500): { prepare(sql: string): InnerStatement; close(): void } {
  const cache = new Map<string, InnerStatement & { readonly busy: boolean }>();
  return {
    close() {
      cache.clear();
      sqlite.close();
    },
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql); // most recently used last
        cache.set(sql, hit);
        return hit;
      }
      const stmt = withRowObjects(sqlite.prepare(sql));
      if (/^\s*(create|alter|drop)\b/i.test(sql)) cache.clear();
      else if (!hit) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

function withRowObjects(stmt: SQLite.Statement): InnerStatement & { readonly busy: boolean } {
  if (!stmt.reader) return stmt;
  const names = stmt.columns().map((c) => c.name);
  if (names.includes('__proto__')) return stmt; // an object literal would set the prototype instead
  // Duplicate names (joins): the last value wins at the first position, as with better-sqlite3's objects.
  const row = new Function('r', `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`) as (
    r: unknown[],
  ) => Record<string, unknown>;
  stmt.raw(true);
  return {
    reader: true,
    readonly: stmt.readonly,
    get busy() {
      return stmt.busy;
    },
    all: (params) => (stmt.all(params) as unknown[][]).map(row),
    run: (params) => stmt.run(params),
    *iterate(params) {
      for (const r of stmt.iterate(params) as IterableIterator<unknown[]>) yield row(r);
    },
  };
}

const MIGRATIONS: Record<string, { up(db: Kysely<any>, d: Dialect): Promise<void> }> = {
  '0001_init': m0001,
  '0002_webhooks': m0002,
  '0003_idempotency_object': m0003,
  '0004_long_text_indexes': m0004,
  '0005_files': m0005,
  '0006_hosted_page': m0006,
  '0007_webhook_secret_roll': m0007,
  '0008_live_verification': m0008,
  '0009_partial_filter_indexes': m0009,
};

/** Applies pending migrations. Kysely's migrator holds a lock, so several processes may call this at once. */
export async function migrate(opened: OpenedDb): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => mod.up(db, opened.dialect) };
      return out;
    },
  };
  const migrator = new Migrator({ db: opened.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
