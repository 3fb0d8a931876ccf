// Reads outside a transaction share one SQLite read transaction per turn of the event loop. On its own, each
// such read is a transaction of its own, and starting one (a POSIX lock on the database file taken and
// released, the WAL index checked) cost about as much as the point read itself: half of a retrieve's
// database time. Under load a turn serves a few dozen requests, so that cost is now paid about once per turn.
//
// What a read sees is unchanged for this process: the snapshot ends before this connection begins a write
// transaction (the commit-group layer begins every one through `raw.exec`), and reads inside an open commit
// group read the group's transaction as before. Another process's commit becomes visible at the next turn
// rather than at the next statement; SQLite serves one Verity process (see the README), so only admin
// commands run beside it. A snapshot lasts at most one turn, so checkpoints are held back no longer than that.
import type SQLite from 'better-sqlite3';
import type { RawSqlite } from './group-commit.js';

export interface TurnSnapshots {
  /** Before a read outside a transaction: starts this turn's read transaction unless one is open already. */
  enter(): void;
  /** Ends this turn's read transaction now, if one is open (what `raw.exec` does first). */
  end(): void;
  /** The connection as the commit-group layer must see it: blind to the snapshot, which it ends on first use. */
  readonly raw: RawSqlite;
  /**
   * SQLite's data_version as of the current snapshot (call after enter()): it moves when another connection
   * (another process, an admin command) has committed since, never for this connection's own commits.
   */
  dataVersion(): number;
}

export function turnSnapshots(sqlite: SQLite.Database, later: (f: () => void) => void = setImmediate): TurnSnapshots {
  // Prepared once: exec() would parse the statement on every turn.
  const begin = sqlite.prepare('BEGIN');
  const commit = sqlite.prepare('COMMIT');
  const version = sqlite.prepare('PRAGMA data_version').pluck();
  let open = false;
  let dataVersion = 0;
  const end = (): void => {
    if (!open) return;
    open = false;
    // A failed read can have made SQLite roll the transaction back already.
    if (sqlite.inTransaction) commit.run();
  };
  return {
    enter() {
      if (sqlite.inTransaction) return;
      begin.run();
      open = true;
      later(end);
      // Also what starts the read transaction (BEGIN alone defers it to the first read): the version is the snapshot's.
      dataVersion = version.get() as number;
    },
    end,
    dataVersion: () => dataVersion,
    raw: {
      exec(sql: string) {
        end();
        return sqlite.exec(sql);
      },
      get inTransaction() {
        return !open && sqlite.inTransaction;
      },
    },
  };
}
