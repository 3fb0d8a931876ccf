// Durable, at-least-once webhook delivery. Each (event, endpoint) pair is a row created in the same
// transaction as the event. Workers lease due rows, POST the signed event, and record every attempt. A 2xx
// is success; anything else — another status, a redirect, a timeout, a refused connection — is retried on
// the configured schedule with jitter. A worker that dies mid-delivery loses its lease and the row is
// delivered again later, so receivers may see duplicates (dedupe on the event id).
import http from 'node:http';
import https from 'node:https';
import type { Deps } from '../deps.js';
import { presentEvent } from '../domain/present.js';
import type { Store } from '../store/store.js';
import type { ClaimedDelivery, WebhookEndpoint } from '../store/webhook-store.js';
import { signatureHeader } from './signing.js';
import { assertDeliverable } from './url-policy.js';

const USER_AGENT = 'Verity/1.0 (+Stripe-compatible webhooks)';

// Kept-alive connections, so that a stream of events to one receiver reuses its sockets. (node:http rather
// than fetch: a third of the CPU per request, which is most of a delivery's cost.)
const AGENTS: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** In the background loop, claim at least this many due deliveries at once (fewer only when idle). */
const CLAIM_MIN = 8;

interface Outcome {
  c: ClaimedDelivery;
  endpoint: WebhookEndpoint;
  result: PostResult;
  now: number;
  done(e?: Error): void;
}

const attemptRow = ({ c, result, now }: Outcome) => ({
  delivery_id: c.id,
  at: now,
  status: result.status,
  duration_ms: result.durationMs,
  error: result.error,
});

export interface PostResult {
  status: number | null;
  error: string | null;
  durationMs: number;
}

function failureReason(e: NodeJS.ErrnoException): string {
  const { code, message } = e;
  return code && message && !message.includes(code) ? `${code}: ${message}` : message || code || String(e);
}

/** The secrets that sign a delivery now: the current one, and the previous one during a roll's overlap. */
export function signingSecrets(e: Pick<WebhookEndpoint, 'secret' | 'previous_secret' | 'previous_secret_expires'>, nowS: number): string[] {
  return e.previous_secret !== null && (e.previous_secret_expires ?? 0) > nowS ? [e.secret, e.previous_secret] : [e.secret];
}

/**
 * One signed POST; the timeout covers connecting and the response. Redirects are not followed. Never
 * throws: every failure becomes an error string.
 */
export function postSigned(url: string, secret: string | readonly string[], body: string, timestampS: number, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  const result = (status: number | null, error: string | null): PostResult => ({ status, error, durationMs: Math.round(performance.now() - started) });
  const byStatus = (status: number): PostResult =>
    result(status, status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? `redirect (${status}) counts as a failure` : `HTTP ${status}`);
  return new Promise<PostResult>((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve(result(null, 'invalid URL'));
    }
    const agent = AGENTS[u.protocol];
    if (!agent) return resolve(result(null, `unsupported protocol ${u.protocol}`));
    const payload = Buffer.from(body, 'utf8');
    let status: number | null = null;
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = (u.protocol === 'https:' ? https : http).request(
      u,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': payload.length,
          'User-Agent': USER_AGENT,
          'Stripe-Signature': signatureHeader(secret, timestampS, body),
        },
      },
      (res) => {
        status = res.statusCode ?? 0;
        // Drain so the connection can be reused; the receiver's body is not kept, and a body cut short does
        // not change the status already received.
        res.resume();
        res.once('end', () => finish(byStatus(status!)));
        res.once('close', () => finish(byStatus(status!)));
        res.once('error', () => finish(byStatus(status!)));
      },
    );
    const timer = setTimeout(() => {
      finish(status === null ? result(null, `timed out after ${timeoutMs} ms`) : byStatus(status));
      req.destroy();
    }, timeoutMs);
    req.once('error', (e: NodeJS.ErrnoException) => finish(status === null ? result(null, failureReason(e)) : byStatus(status)));
    req.end(payload);
  });
}

export class Dispatcher {
  private readonly leaseMs: number;

  constructor(private readonly d: Deps) {
    // A lease comfortably longer than one attempt can take.
    this.leaseMs = d.config.webhooks.timeoutMs * 3 + 5_000;
  }

  /** Delivers every delivery due now and waits for all of them; returns how many were attempted. */
  async runDue(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await this.d.store.webhooks.claimDeliveries(this.d.clock.nowMs(), this.leaseMs, this.d.config.webhooks.concurrency);
      if (batch.length === 0) return n;
      const endpointOf = this.endpointLookup();
      await Promise.all(batch.map((c) => this.deliver(c, endpointOf)));
      n += batch.length;
    }
  }

  /** The background loop: bounded concurrency, woken by poke() when new events are recorded. */
  start(opts: { idleMs?: number } = {}): { stop(): Promise<void>; poke(): void } {
    const idleMs = opts.idleMs ?? 100;
    const concurrency = this.d.config.webhooks.concurrency;
    const inflight = new Set<Promise<void>>();
    let stopping = false;
    let wake: (() => void) | undefined;
    let poked = false;
    // Resolves after ms, or at once when woken (poke, a delivery finishing, stop); a wake-up that comes while
    // the loop is not sleeping is kept for the next sleep.
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (poked) {
          poked = false;
          return resolve();
        }
        const done = () => {
          clearTimeout(t);
          if (wake === done) wake = undefined;
          resolve();
        };
        const t = setTimeout(done, ms);
        wake = done;
      });
    const loop = (async () => {
      while (!stopping) {
        const room = concurrency - inflight.size;
        let claimed: ClaimedDelivery[] = [];
        // Claiming costs a transaction, so when busy wait until several slots are free and claim them at once.
        if (room >= Math.min(CLAIM_MIN, concurrency) || (room > 0 && inflight.size === 0)) {
          poked = false;
          try {
            claimed = await this.d.store.webhooks.claimDeliveries(this.d.clock.nowMs(), this.leaseMs, room);
          } catch (e) {
            this.d.log.error('webhook claim failed', { error: String(e) });
          }
        }
        const endpointOf = this.endpointLookup();
        for (const c of claimed) {
          const p: Promise<void> = this.deliver(c, endpointOf)
            .catch((e) => this.d.log.error('webhook delivery error', { delivery: c.id, error: String(e) }))
            .finally(() => {
              inflight.delete(p);
              if (wake) wake();
              else poked = true;
            });
          inflight.add(p);
        }
        if (claimed.length > 0 && inflight.size < concurrency) continue;
        if (stopping) break;
        await sleep(idleMs);
      }
      await Promise.allSettled([...inflight]);
    })();
    return {
      async stop() {
        stopping = true;
        wake?.();
        await loop;
      },
      poke() {
        if (wake) wake();
        else poked = true;
      },
    };
  }

  /** Endpoints looked up once per claimed batch (a burst of events mostly goes to the same few). */
  private endpointLookup(): (id: string) => Promise<WebhookEndpoint | undefined> {
    const seen = new Map<string, Promise<WebhookEndpoint | undefined>>();
    return (id) => {
      let p = seen.get(id);
      if (!p) seen.set(id, (p = this.d.store.webhooks.findEndpoint(id)));
      return p;
    };
  }

  private async deliver(c: ClaimedDelivery, endpointOf: (id: string) => Promise<WebhookEndpoint | undefined>): Promise<void> {
    const { store, clock, config } = this.d;
    const [endpoint, event] = await Promise.all([endpointOf(c.endpoint_id), store.findEvent(c.event_id)]);
    if (!endpoint || endpoint.deleted || endpoint.status !== 'enabled' || !event) {
      // Stripe stops retrying an event for an endpoint that was disabled or deleted meanwhile.
      await store.webhooks.markRetry(c.id, clock.nowMs(), c.attempts, null, 'endpoint disabled or deleted', 'canceled');
      return;
    }
    // Every attempt sends the same bytes: pending_webhooks is the count when the event was recorded (like
    // data.object, a snapshot), not the live count, which drops as other endpoints acknowledge.
    const body = JSON.stringify(presentEvent({ ...event, pending_webhooks: c.fanout }));
    let result: PostResult;
    try {
      await assertDeliverable(endpoint.url, config.webhooks.privateAddresses);
      const nowS = Math.floor(clock.nowMs() / 1000);
      result = await postSigned(endpoint.url, signingSecrets(endpoint, nowS), body, nowS, config.webhooks.timeoutMs);
    } catch (e) {
      result = { status: null, error: (e as Error).message, durationMs: 0 };
    }
    await this.record({ c, endpoint, result, now: clock.nowMs() });
  }

  // ---- recording outcomes ----------------------------------------------------------------------------
  // Each attempt's outcome is committed before its delivery counts as done. Outcomes that arrive together
  // (responses read in the same turn of the event loop, or while a commit is running) share one transaction:
  // the commit, not the rows, is what a busy dispatcher pays for.

  private queue: Outcome[] = [];
  private flushing = false;

  private record(o: Omit<Outcome, 'done'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...o, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // In event order, so that concurrent dispatchers on PostgreSQL lock the events' rows in one order.
        const batch = this.queue.splice(0).sort((x, y) => (x.c.event_id < y.c.event_id ? -1 : x.c.event_id > y.c.event_id ? 1 : x.c.id - y.c.id));
        try {
          await this.d.store.transaction(async (tx) => {
            await tx.webhooks.recordAttempts(batch.map(attemptRow));
            for (const o of batch) await this.recordOutcome(tx, o);
          });
          for (const o of batch) o.done();
        } catch (e) {
          if (batch.length === 1) {
            batch[0].done(e as Error);
            continue;
          }
          // One outcome that cannot be written must not sink the others: write them one by one.
          for (const o of batch) {
            try {
              await this.d.store.transaction(async (tx) => {
                await tx.webhooks.recordAttempt(attemptRow(o));
                await this.recordOutcome(tx, o);
              });
              o.done();
            } catch (e1) {
              o.done(e1 as Error);
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The delivery's new state after an attempt (whose row is written by the caller), and its endpoint's. */
  private async recordOutcome(tx: Store, { c, endpoint, result, now }: Outcome): Promise<void> {
    const { config, log } = this.d;
    const attempts = c.attempts + 1;
    if (result.error === null) {
      await tx.webhooks.markDelivered(c.id, now, result.status ?? 200, attempts);
      await tx.decrementPendingWebhooks(c.event_id);
      if (endpoint.failing_since !== null) {
        const fresh = await tx.webhooks.findEndpoint(endpoint.id);
        if (fresh && fresh.failing_since !== null) await tx.webhooks.updateEndpoint({ ...fresh, failing_since: null });
      }
      return;
    }
    const schedule = c.livemode ? config.webhooks.retryLive : config.webhooks.retryTest;
    const last = attempts > schedule.length;
    // Whole milliseconds: the column is a bigint on PostgreSQL.
    const delayMs = last ? 0 : Math.round(schedule[attempts - 1] * 1000 * (0.85 + Math.random() * 0.3));
    await tx.webhooks.markRetry(c.id, now + delayMs, attempts, result.status, result.error, last ? 'failed' : undefined);
    const fresh = await tx.webhooks.findEndpoint(endpoint.id);
    if (!fresh) return;
    const since = fresh.failing_since ?? now;
    if (fresh.status === 'enabled' && now - since >= config.webhooks.disableAfterS * 1000) {
      await tx.webhooks.updateEndpoint({ ...fresh, failing_since: since, status: 'disabled' });
      log.info('webhook endpoint disabled after failing continuously', {
        endpoint: fresh.id,
        url: fresh.url,
        failing_since: new Date(since).toISOString(),
      });
    } else if (fresh.failing_since === null) {
      await tx.webhooks.updateEndpoint({ ...fresh, failing_since: since });
    }
  }
}
