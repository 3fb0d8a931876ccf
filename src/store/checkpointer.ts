// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT pushes the WAL
// past 1000 pages: it copies the pages into the database file and fsyncs it, stalling every request behind
// that commit. Here the serving connection never checkpoints itself; a second connection in a worker thread
// runs PASSIVE checkpoints (they never block readers or writers) every `intervalMs`, so the WAL stays small and
// the fsync happens beside the requests, not in front of them. Durability is unchanged: WAL with
// synchronous=NORMAL either way.
//
// PASSIVE alone cannot bound the WAL under a steady stream of writes. SQLite only starts the WAL over from its
// first frame when a write transaction begins with every frame already copied back; a PASSIVE pass copies the
// frames committed when it began, and by the time it is done the next commit has appended more, so the file
// grew without end (280 MB after 20 s of creates), and every read that misses the WAL searched a wal-index
// that grew with it. Past `restartBytes`, the pass is followed by a RESTART: it takes the write lock between two
// commits (the serving connection's next BEGIN waits in its busy handler meanwhile), copies the few frames the
// PASSIVE pass left, and lets the next write start the WAL from the top. The wait is that residue plus one
// fsync, once per `restartBytes` of WAL, rather than a file and an index that never stop growing. The serving
// connection's journal_size_limit (WAL_RESTART_BYTES) then cuts the file back once the WAL has started over.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain CommonJS so that the thread needs no loader: it opens the file and checkpoints on a timer.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
// Only RESTART waits (PASSIVE never does): for a gap between commits, then for readers still on old frames,
// holding the write lock meanwhile. A short wait bounds how long a long reader can make the serving
// connection's writes wait behind it; a RESTART that gives up is tried again on the next tick.
db.pragma('busy_timeout = 100');
const pageSize = db.pragma('page_size', { simple: true });
const restartFrames = Math.max(1, Math.ceil(workerData.restartBytes / pageSize));
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log >= restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch { /* busy or closing: the next tick tries again */ }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.postMessage('stopped');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** The WAL size past which the checkpointer makes the WAL start over (and the size the file is cut back to). */
export const WAL_RESTART_BYTES = 32 * 1024 * 1024;

export interface CheckpointerOptions {
  /** How often a PASSIVE pass runs. */
  intervalMs?: number;
  /** The WAL size past which a pass ends with a RESTART (see above). */
  restartBytes?: number;
}

/** Starts checkpointing `file` (a WAL-mode SQLite database whose serving connection has wal_autocheckpoint=0). */
export function startCheckpointer(file: string, opts: CheckpointerOptions = {}): Checkpointer {
  const workerData = { file, intervalMs: opts.intervalMs ?? 250, restartBytes: opts.restartBytes ?? WAL_RESTART_BYTES, module: require.resolve('better-sqlite3') };
  const worker = new Worker(THREAD, { eval: true, workerData });
  // Never keeps the process alive on its own.
  worker.unref();
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => void worker.terminate().then(done, done), 5000);
        worker.once('message', () => void worker.terminate().then(done, done));
        worker.once('exit', done);
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
