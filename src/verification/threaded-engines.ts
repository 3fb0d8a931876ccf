// Runs an Engines implementation in a worker thread and exposes it to the main thread through the same
// interface. OCR and face inference are CPU-bound for hundreds of milliseconds at a time; on the main thread
// they would stall every API request. The thread starts on first use (a test-mode-only server never pays for
// the models), keeps its models loaded, and is started again if it dies.
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

/** Engines served by the module at `entry` (a module that calls serveInThread) in a worker thread. */
export function threadedEngines(entry: URL, opts: { onError?: (e: Error) => void } = {}): Engines {
  let worker: Worker | null = null;
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  const start = (): Worker => {
    const w = new Worker(BOOT, { workerData: { entry: entry.href } });
    w.on('message', (r: Reply) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if (pending.size === 0) w.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new EngineThreadError(r.error));
    });
    w.on('error', (e) => {
      opts.onError?.(e);
      if (worker === w) worker = null;
      failAll(new EngineThreadError(`engine thread failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(new EngineThreadError(`engine thread exited with code ${code}`));
    });
    return w;
  };

  const call = <T>(op: Op, arg: unknown): Promise<T> => {
    worker ??= start();
    const w = worker;
    const id = ++seq;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Held open only while a call is outstanding, so an idle thread never keeps the process alive.
      w.ref();
      w.postMessage({ id, op, arg } satisfies Request);
    });
  };

  return {
    readDocument: (input) => call('readDocument', input),
    analyseFace: (image) => call('analyseFace', image),
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** Buffers cross postMessage as plain Uint8Arrays; the engines expect Buffers. */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The worker thread's side: answers the main thread's calls with the engines `create` builds (once). */
export function serveInThread(create: () => Promise<Engines> | Engines): void {
  if (isMainThread || !parentPort) throw new Error('serveInThread must run in a worker thread');
  const port = parentPort;
  let engines: Promise<Engines> | null = null;
  port.on('message', async (m: Request) => {
    try {
      engines ??= Promise.resolve(create());
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
