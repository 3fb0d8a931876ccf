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
// commits, copies the few frames the PASSIVE pass left, and lets the next write start the WAL from the top.
//
// Handing over. Under load the serving connection's commit groups follow each other with hardly a gap, so a
// RESTART left to SQLite's busy handlers went badly both ways: the thread slept and polled (often for its whole
// 100 ms) while frames piled up behind it, and when it did get the lock, the serving connection's next BEGIN
// slept in its own busy handler in steps of 1, 2, 5, 10 ms, for a lock held a few milliseconds. Now the thread
// asks for the lock through a shared Int32: the serving connection, at its next gap between groups (gap(),
// called before each BEGIN), hands it over and blocks in Atomics.wait until the RESTART is done, waking the
// moment it is (2-10 ms, once per `restartBytes` of WAL). If no gap() comes in `handoverWaitMs` (no writes, or
// the writes come from another process), the thread RESTARTs as before.
//
// The serving connection's journal_size_limit cuts the file back once the WAL has started over, but only past
// twice `restartBytes`: cutting back the ordinary overshoot (the residue, a few MB) truncated a file whose pages
// were still being written back, and that COMMIT took 75-100 ms. The WAL's file now stays at its usual peak
// and is overwritten from the top; only a WAL that a long reader let grow far is cut back.
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
const state = new Int32Array(workerData.state);
const [IDLE, REQUESTED, GRANTED] = [0, 1, 2];
const restart = () => {
  try { db.pragma('wal_checkpoint(RESTART)'); } catch { /* busy or closing: the next tick tries again */ }
};
const tick = (handover) => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (!r || r.log < restartFrames) return;
    if (!handover) return restart();
    Atomics.store(state, 0, REQUESTED);
    Atomics.wait(state, 0, REQUESTED, workerData.handoverWaitMs);
    // Not handed over in time (no write came, or this process's connection is not the one writing): a plain
    // RESTART, which takes its chance between commits as before.
    if (Atomics.compareExchange(state, 0, REQUESTED, IDLE) === REQUESTED) return restart();
    restart();
    Atomics.store(state, 0, IDLE);
    Atomics.notify(state, 0);
  } catch { /* busy or closing: the next tick tries again */ }
};
const timer = setInterval(() => tick(true), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  tick(false);
  db.close();
  parentPort.postMessage('stopped');
});
`;

export interface Checkpointer {
  /**
   * Called by the serving connection between two write transactions (with no transaction of its own open).
   * When the thread is waiting to RESTART, this waits, without polling, until it has (and returns true): see
   * "Handing over" above.
   */
  gap(): boolean;
  stop(): Promise<void>;
}

/** The WAL size past which the checkpointer makes the WAL start over. */
export const WAL_RESTART_BYTES = 32 * 1024 * 1024;
/** The size a WAL file is cut back to once it has started over, when it has grown past it (see above). */
export const WAL_FILE_LIMIT_BYTES = 2 * WAL_RESTART_BYTES;

export interface CheckpointerOptions {
  /** How often a PASSIVE pass runs. */
  intervalMs?: number;
  /** The WAL size past which a pass ends with a RESTART (see above). */
  restartBytes?: number;
  /** How long the thread waits for gap() before it RESTARTs without the hand-over. */
  handoverWaitMs?: number;
}

// The hand-over's states, in one Int32 shared by the serving thread and the checkpointer's.
const IDLE = 0;
const REQUESTED = 1;
const GRANTED = 2;
/** How long gap() waits at most for the thread's RESTART (its own busy wait is 100 ms). */
const GAP_MAX_WAIT_MS = 1000;

/** Starts checkpointing `file` (a WAL-mode SQLite database whose serving connection has wal_autocheckpoint=0). */
export function startCheckpointer(file: string, opts: CheckpointerOptions = {}): Checkpointer {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const workerData = {
    file,
    intervalMs: opts.intervalMs ?? 250,
    restartBytes: opts.restartBytes ?? WAL_RESTART_BYTES,
    handoverWaitMs: opts.handoverWaitMs ?? 250,
    state: state.buffer,
    module: require.resolve('better-sqlite3'),
  };
  const worker = new Worker(THREAD, { eval: true, workerData });
  // Never keeps the process alive on its own.
  worker.unref();
  let stopped: Promise<void> | null = null;
  return {
    gap() {
      if (Atomics.load(state, 0) !== REQUESTED) return false;
      if (Atomics.compareExchange(state, 0, REQUESTED, GRANTED) !== REQUESTED) return false;
      Atomics.notify(state, 0);
      if (Atomics.wait(state, 0, GRANTED, GAP_MAX_WAIT_MS) === 'timed-out') Atomics.compareExchange(state, 0, GRANTED, IDLE);
      return true;
    },
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
