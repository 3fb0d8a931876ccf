// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT pushes the WAL
// past 1000 pages: it copies the pages into the database file and fsyncs it, stalling every request behind
// that commit. Here the serving connection never checkpoints itself; a second connection in a worker thread
// runs PASSIVE checkpoints (they never block readers or writers) every `intervalMs`, so the WAL stays small and
// the fsync happens beside the requests, not in front of them. Durability is unchanged: WAL with
// synchronous=NORMAL either way.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain CommonJS so that the thread needs no loader: it opens the file and checkpoints on a timer.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
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

/** Starts checkpointing `file` (a WAL-mode SQLite database whose serving connection has wal_autocheckpoint=0). */
export function startCheckpointer(file: string, intervalMs = 250): Checkpointer {
  const worker = new Worker(THREAD, { eval: true, workerData: { file, intervalMs, module: require.resolve('better-sqlite3') } });
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
