// Group commit for SQLite. A commit in WAL mode costs far more than the statements it commits (the WAL frames
// of every page touched, the wal-index, now and then a checkpoint): about two thirds of a session create.
// Under concurrent load, the transactions that finish within one turn of the event loop are committed as
// one SQLite transaction, so that cost is paid once per turn instead of once per request:
//
// - The first write (or Kysely's `begin`) opens a group: BEGIN IMMEDIATE (the write lock up front, so a
//   transaction that read first never meets SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile).
// - Each Kysely transaction is a savepoint inside the group: its `commit` releases the savepoint, its
//   `rollback` undoes only its own writes. A write outside a transaction simply joins the group.
// - The group commits in setImmediate (after the I/O callbacks of this turn and their microtasks), or at
//   once when it has grown large or old, and never while a transaction is half done.
// - Nothing is acknowledged before it is durable: `settled()` resolves when every write seen so far has
//   committed (the Store awaits it after each transaction, the API before each response). If the COMMIT
//   fails, the whole group is rolled back and every member's settled() rejects, so no caller reports a
//   write that was lost.
//
// On one connection a read sees the open group's writes; that is why responses wait for settled() too.
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** The parts of a better-sqlite3 Database this needs. */
export interface RawSqlite {
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/** A statement as the inner SqliteDatabase returns it; `readonly` is better-sqlite3's (true: writes nothing). */
export type InnerStatement = SqliteStatement & { readonly readonly?: boolean };

export interface GroupCommitOptions {
  /** Commit at once when a group holds this many transactions and writes. */
  maxMembers?: number;
  /** Commit at once when a group has been open this long. */
  maxAgeMs?: number;
  /** Called before each BEGIN IMMEDIATE, i.e. between two groups (db.ts: the checkpointer's hand-over). */
  beforeBegin?: () => void;
}

export interface GroupCommitDatabase extends SqliteDatabase {
  /** Resolves when every write made so far is committed; rejects if the group it joined was rolled back. */
  settled(): Promise<void>;
  /** Whether a Kysely transaction is between its begin and its commit or rollback. */
  inTransaction(): boolean;
  /** Whether a group is open: writes made on this connection that are not yet committed (and that reads see). */
  pending(): boolean;
  /** A count that moves with every write statement and every rollback on this connection (see db.ts readVersion). */
  writes(): number;
}

const SAVEPOINT = 'verity_tx';
const NO_CHANGE = { changes: 0, lastInsertRowid: 0 };

interface Group {
  promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
  members: number;
  openedAt: number;
}

export function groupCommitting(raw: RawSqlite, inner: { prepare(sql: string): InnerStatement; close(): void }, opts: GroupCommitOptions = {}): GroupCommitDatabase {
  const maxMembers = opts.maxMembers ?? 256;
  const maxAgeMs = opts.maxAgeMs ?? 20;
  let group: Group | null = null;
  /** Kysely transactions in progress inside the group (0 or 1: one connection, one transaction at a time). */
  let depth = 0;
  let scheduled = false;
  /** Set when the group failed while a transaction was in progress: that transaction's later statements must fail too. */
  let broken: unknown = null;
  let writeCount = 0;

  const open = (): Group => {
    if (group) return group;
    opts.beforeBegin?.();
    raw.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group nobody waits on must not become an unhandled rejection.
    promise.catch(() => {});
    group = { promise, resolve, reject, members: 0, openedAt: performance.now() };
    return group;
  };

  const fail = (e: unknown): void => {
    writeCount++;
    const g = group;
    group = null;
    if (depth > 0) broken = e;
    depth = 0;
    if (raw.inTransaction) {
      try {
        raw.exec('ROLLBACK');
      } catch {
        // already rolled back by SQLite
      }
    }
    g?.reject(e);
  };

  const commit = (): void => {
    const g = group;
    if (!g || depth > 0) return;
    try {
      raw.exec('COMMIT');
    } catch (e) {
      fail(e);
      return;
    }
    group = null;
    g.resolve();
  };

  const schedule = (): void => {
    const g = group;
    if (!g || depth > 0) return;
    if (g.members >= maxMembers || performance.now() - g.openedAt >= maxAgeMs) return commit();
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      // A transaction still in progress (it awaited I/O) reschedules when it ends.
      commit();
    });
  };

  const checkBroken = (): void => {
    if (broken !== null) throw broken;
  };

  /** After a statement failed: SQLite rolls back the whole transaction on some errors (SQLITE_FULL, IOERR…). */
  const afterError = (e: unknown): never => {
    if (group && !raw.inTransaction) fail(e);
    throw e;
  };

  const control = (run: () => void): InnerStatement => ({
    reader: false,
    readonly: false,
    all: () => [],
    iterate: () => [][Symbol.iterator](),
    run: () => {
      run();
      return NO_CHANGE;
    },
  });

  const begin = control(() => {
    checkBroken();
    open();
    try {
      raw.exec(`SAVEPOINT ${SAVEPOINT}`);
    } catch (e) {
      afterError(e);
    }
    depth++;
  });

  const release = control(() => {
    checkBroken();
    if (!group) throw new Error('commit without a transaction');
    try {
      raw.exec(`RELEASE ${SAVEPOINT}`);
    } catch (e) {
      afterError(e);
    }
    depth--;
    group.members++;
    schedule();
  });

  const rollback = control(() => {
    if (broken !== null) {
      // The group already failed and rolled back; this transaction's writes are gone with it.
      broken = null;
      return;
    }
    if (!group) return;
    writeCount++;
    try {
      raw.exec(`ROLLBACK TO ${SAVEPOINT}`);
      raw.exec(`RELEASE ${SAVEPOINT}`);
    } catch (e) {
      afterError(e);
    }
    depth--;
    schedule();
  });

  const around = <T>(f: () => T): T => {
    checkBroken();
    const g = open();
    writeCount++;
    let out: T;
    try {
      out = f();
    } catch (e) {
      return afterError(e);
    }
    if (depth === 0) g.members++;
    schedule();
    return out;
  };

  // The inner layer hands back the same statement for the same SQL, so each is wrapped once rather than on
  // every run (four closures a time, each named at run time under tsx: a measurable share of a write).
  const wrapped = new WeakMap<InnerStatement, InnerStatement>();
  const writing = (stmt: InnerStatement): InnerStatement => {
    let w = wrapped.get(stmt);
    if (w) return w;
    w = {
      get reader() {
        return stmt.reader;
      },
      get busy() {
        return (stmt as { busy?: boolean }).busy ?? false;
      },
      all: (p) => around(() => stmt.all(p)),
      run: (p) => around(() => stmt.run(p)),
      iterate: (p) => around(() => [...stmt.iterate(p)])[Symbol.iterator](),
    } as InnerStatement;
    wrapped.set(stmt, w);
    return w;
  };

  const reading = (stmt: InnerStatement): InnerStatement => {
    if (broken === null) return stmt;
    checkBroken();
    return stmt;
  };

  return {
    prepare(sql) {
      switch (sql) {
        case 'begin':
          return begin;
        case 'commit':
          return release;
        case 'rollback':
          return rollback;
      }
      const stmt = inner.prepare(sql);
      return stmt.readonly === false ? writing(stmt) : reading(stmt);
    },
    settled() {
      return group ? group.promise : Promise.resolve();
    },
    inTransaction() {
      return depth > 0;
    },
    pending() {
      return group !== null;
    },
    writes() {
      return writeCount;
    },
    close() {
      commit();
      inner.close();
    },
  };
}
