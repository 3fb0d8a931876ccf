// The background worker: claims due jobs from the database (leased, so a job whose worker died is picked up
// again) and runs them. Retries back off exponentially; a job never runs in two workers at once.
import type { Deps } from './deps.js';
import { AUTOMATIC } from './domain/sessions.js';
import { completeRedaction } from './domain/redaction.js';
import { PROCESS_JOB, processVerification } from './verification/pipeline.js';
import { RETENTION_S } from './api/stripe/idempotency.js';
import { Dispatcher } from './webhooks/delivery.js';

const BATCH = 10;

type Handler = (d: Deps, payload: Record<string, unknown>) => Promise<unknown>;

export const HANDLERS: Record<string, Handler> = {
  [PROCESS_JOB]: (d, payload) => processVerification(d, AUTOMATIC, payload),
  'redaction.complete': (d, payload) => completeRedaction(d, String(payload.session_id)),
};

/** Runs every job that is due now; returns how many ran. Tests call this directly with a manual clock. */
export async function runDueJobs(d: Deps): Promise<number> {
  let ran = 0;
  for (;;) {
    const jobs = await d.store.claimJobs(d.clock.nowMs(), d.config.jobLeaseMs, BATCH);
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
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
      ran++;
    }
  }
}

export interface Worker {
  stop(): Promise<void>;
  /** Wakes the loop now (after a request enqueued something due immediately). */
  poke(): void;
}

/** Starts the job loop and the webhook dispatcher; poke() wakes both. */
export function startWorker(d: Deps, opts: { idleMs?: number } = {}): Worker {
  const idleMs = opts.idleMs ?? 250;
  const dispatcher = new Dispatcher(d).start({ idleMs: Math.min(idleMs, 100) });
  let stopping = false;
  let wake: (() => void) | undefined;
  let lastPurge = 0;
  const loop = (async () => {
    while (!stopping) {
      try {
        await runDueJobs(d);
        if (d.clock.nowMs() - lastPurge > 3_600_000) {
          lastPurge = d.clock.nowMs();
          await d.store.purgeIdempotencyKeys(Math.floor(d.clock.nowMs() / 1000) - RETENTION_S);
        }
      } catch (e) {
        d.log.error('worker loop error', { error: String(e) });
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, idleMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
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
      wake?.();
      dispatcher.poke();
    },
  };
}
