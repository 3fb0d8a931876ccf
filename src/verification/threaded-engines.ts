// Runs an Engines implementation in a small pool of worker threads and exposes it to the main thread through
// the same interface. OCR and face inference are CPU-bound for hundreds of milliseconds at a time; on the main
// thread they would stall every API request. Two threads (the default) let two sessions, or a session's
// document and selfie, use both cores of a small machine; each thread holds its own models (~300 MB), so the
// count is bounded by memory as much as by cores. Threads start on first use (a test-mode-only server never
// pays for the models), keep their models loaded, and are started again if they die.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import type { DocumentReadInput, Engines } from './engines.js';

type Op = 'readDocument' | 'analyseFace';
interface Request {
  id: number;
  op: Op;
  arg: unknown;
}
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const BOOT = new URL('./thread-boot.mjs', import.meta.url);

export class EngineThreadError extends Error {}

interface Slot {
  worker: Worker | null;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; cost: number }>;
  /** The cost of the calls pending on this thread. */
  load: number;
}

/**
 * What a call costs its thread, roughly, relative to the others (CPU per call, stages bench: a document with its
 * portrait about 1.2 s, a selfie about 0.3 s). A session sends both at once, so counting calls alone gave the
 * second of two sessions' document to the thread already reading the first one's, and left the other thread
 * with the two selfies: one core busy for two documents while the other idled.
 */
const COST: Record<Op, number> = { readDocument: 4, analyseFace: 1 };

/** Engines served by the module at `entry` (a module that calls serveInThread) in `threads` worker threads (default 2). */
export function threadedEngines(entry: URL, opts: { onError?: (e: Error) => void; threads?: number } = {}): Engines {
  const slots: Slot[] = Array.from({ length: opts.threads ?? 2 }, () => ({ worker: null, pending: new Map(), load: 0 }));
  let seq = 0;

  const failAll = (slot: Slot, e: Error) => {
    for (const p of slot.pending.values()) p.reject(e);
    slot.pending.clear();
    slot.load = 0;
  };

  const start = (slot: Slot): Worker => {
    const w = new Worker(BOOT, { workerData: { entry: entry.href } });
    // Idle until a call comes: an idle pool never keeps the process alive.
    w.unref();
    w.on('message', (r: Reply) => {
      const p = slot.pending.get(r.id);
      if (!p) return;
      slot.pending.delete(r.id);
      slot.load -= p.cost;
      if (slot.pending.size === 0) w.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new EngineThreadError(r.error));
    });
    w.on('error', (e) => {
      opts.onError?.(e);
      if (slot.worker === w) slot.worker = null;
      failAll(slot, new EngineThreadError(`engine thread failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (slot.worker === w) slot.worker = null;
      failAll(slot, new EngineThreadError(`engine thread exited with code ${code}`));
    });
    return w;
  };

  const call = <T>(op: Op, arg: unknown): Promise<T> => {
    // The first call starts every thread, so the others load their models while this one is served.
    for (const s of slots) s.worker ??= start(s);
    // The least loaded thread (by COST); ties go to the first, so a lone session keeps to warm threads.
    const slot = slots.reduce((best, s) => (s.load < best.load ? s : best));
    const w = slot.worker!;
    const id = ++seq;
    const cost = COST[op];
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, cost });
      slot.load += cost;
      // Held open only while a call is outstanding.
      w.ref();
      w.postMessage({ id, op, arg } satisfies Request);
    });
  };

  return {
    readDocument: (input) => call('readDocument', input),
    analyseFace: (image) => call('analyseFace', image),
    async close() {
      const workers = slots.map((s) => s.worker).filter((w): w is Worker => w !== null);
      for (const s of slots) s.worker = null;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Buffers cross postMessage as plain Uint8Arrays; the engines expect Buffers. */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The worker thread's side: answers the main thread's calls with the engines `create` builds. They are built as
 * soon as the thread starts, so that models load before the first call reaches this thread.
 */
export function serveInThread(create: () => Promise<Engines> | Engines): void {
  if (isMainThread || !parentPort) throw new Error('serveInThread must run in a worker thread');
  const port = parentPort;
  const engines = Promise.resolve().then(create);
  // A failure to build is reported to the calls that need the engines, not as an unhandled rejection.
  engines.catch(() => undefined);
  port.on('message', async (m: Request) => {
    try {
      const e = await engines;
      let value: unknown;
      if (m.op === 'readDocument') {
        const a = m.arg as DocumentReadInput;
        value = await e.readDocument({ ...a, front: asBuffer(a.front), back: a.back && asBuffer(a.back) });
      } else {
        value = await e.analyseFace(asBuffer(m.arg as Uint8Array));
      }
      port.postMessage({ id: m.id, ok: true, value } satisfies Reply);
    } catch (err) {
      port.postMessage({ id: m.id, ok: false, error: (err as Error)?.message ?? String(err) } satisfies Reply);
    }
  });
}
