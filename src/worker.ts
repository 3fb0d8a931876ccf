// The background worker: claims due jobs from the database (leased, so a job whose worker died is picked up
// again) and runs them. Retries back off exponentially; a job never runs in two workers at once.
import type { Deps } from './deps.js';
import { AUTOMATIC } from './domain/sessions.js';
import { completeRedaction } from './domain/redaction.js';
import { PROCESS_JOB, processVerification } from './verification/pipeline.js';
import { RETENTION_S } from './api/stripe/idempotency.js';
import { Dispatcher } from './webhooks/delivery.js';
import type { Job } from './store/store.js';

type Handler = (d: Deps, payload: Record<string, unknown>) => Promise<unknown>;

export const HANDLERS: Record<string, Handler> = {
  [PROCESS_JOB]: (d, payload) => processVerification(d, AUTOMATIC, payload),
  'redaction.complete': (d, payload) => completeRedaction(d, String(payload.session_id)),
};

async function runJob(d: Deps, job: Job): Promise<void> {
  const handler = HANDLERS[job.kind];
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    await handler(d, job.payload);
    await d.store.completeJob(job.id);
  } catch (e) {
    const delay = Math.min(3_600_000, 1000 * 2 ** Math.min(job.attempts, 12)) * (0.5 + Math.random() / 2);
    d.log.error('job failed', { job: job.id, kind: job.kind, attempts: job.attempts, error: String(e) });
    await d.store.retryJob(job.id, d.clock.nowMs() + delay, String(e));
  }
}

/**
 * Runs every job that is due now, up to `concurrency` at a time; returns how many ran. Tests call this directly
 * with a manual clock. Only as many jobs are leased as there are free slots, so no lease runs down while its
 * job waits its turn here. `idle`, when given, resolves when new work may have arrived (startWorker's poke),
 * so that a job submitted while another runs starts at once rather than after it.
 */
export async function runDueJobs(d: Deps, opts: { concurrency?: number; idle?: () => Promise<void> } = {}): Promise<number> {
  const concurrency = opts.concurrency ?? d.config.jobConcurrency;
  const running = new Set<Promise<void>>();
  let ran = 0;
  for (;;) {
    const free = concurrency - running.size;
    let jobs: Job[] = [];
    try {
      const now = d.clock.nowMs();
      if (free > 0 && (await d.store.anyJobDue(now))) jobs = await d.store.claimJobs(now, d.config.jobLeaseMs, free);
    } catch (e) {
      // Never return (or let the caller start another round) while jobs of this round still run.
      await Promise.allSettled(running);
      throw e;
    }
    for (const job of jobs) {
      const p: Promise<void> = runJob(d, job)
        .catch((e) => d.log.error('job not recorded', { job: job.id, error: String(e) }))
        .finally(() => running.delete(p));
      running.add(p);
      ran++;
    }
    if (running.size === 0) return ran;
    if (running.size >= concurrency) await Promise.race(running);
    // Nothing more due now: a free slot waits for a job to finish or, given `idle`, for a new one (a poke).
    else if (jobs.length === 0) await Promise.race(opts.idle ? [...running, opts.idle()] : running);
  }
}

export interface Worker {
  stop(): Promise<void>;
  /** Wakes the loop now (after a request enqueued something due immediately). */
  poke(): void;
}

/** Starts the job loop and the webhook dispatcher; poke() wakes both. */
export function startWorker(d: Deps, opts: { idleMs?: number; concurrency?: number } = {}): Worker {
  const idleMs = opts.idleMs ?? 250;
  const concurrency = opts.concurrency ?? d.config.jobConcurrency;
  const dispatcher = new Dispatcher(d).start({ idleMs: Math.min(idleMs, 100) });
  let stopping = false;
  let wake: (() => void) | undefined;
  let lastPurge = 0;
  // A poke is remembered until the next nap: one that comes while the loop is busy (claiming, say) must not
  // let it sleep through the job it announced. A nap still pending from an earlier wait is shared.
  let poked = false;
  let napping: Promise<void> | null = null;
  // Idle until poked or for idleMs; also what runDueJobs waits on when it has a free slot.
  const nap = (): Promise<void> => {
    if (poked) {
      poked = false;
      return Promise.resolve();
    }
    napping ??= new Promise<void>((resolve) => {
      const t = setTimeout(() => wake?.(), idleMs);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        napping = null;
        resolve();
      };
    });
    return napping;
  };
  const loop = (async () => {
    while (!stopping) {
      try {
        // Once stopping, a free slot no longer waits for new work, only for the jobs in flight.
        await runDueJobs(d, { concurrency, idle: () => (stopping ? new Promise<void>(() => {}) : nap()) });
        if (d.clock.nowMs() - lastPurge > 3_600_000) {
          lastPurge = d.clock.nowMs();
          await d.store.purgeIdempotencyKeys(Math.floor(d.clock.nowMs() / 1000) - RETENTION_S);
        }
      } catch (e) {
        d.log.error('worker loop error', { error: String(e) });
      }
      if (stopping) break;
      await nap();
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await dispatcher.stop();
    },
    poke() {
      poked = true;
      wake?.();
      dispatcher.poke();
    },
  };
}
