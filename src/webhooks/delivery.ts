// Durable, at-least-once webhook delivery. Each (event, endpoint) pair is a row created in the same
// transaction as the event. Workers lease due rows, POST the signed event, and record every attempt. A 2xx
// is success; anything else — another status, a redirect, a timeout, a refused connection — is retried on
// the configured schedule with jitter. A worker that dies mid-delivery loses its lease and the row is
// delivered again later, so receivers may see duplicates (dedupe on the event id).
import type { Deps } from '../deps.js';
import type { Store } from '../store/store.js';
import type { ClaimedDelivery, DeliverableEvent, WebhookEndpoint } from '../store/webhook-store.js';
import { eventBody } from './payload.js';
import { HttpPoster, targetOf } from './http-post.js';
import { signatureHeader } from './signing.js';
import { assertDeliverable } from './url-policy.js';

const USER_AGENT = 'Verity/1.0 (+Stripe-compatible webhooks)';

/** Kept-alive connections, shared by every delivery, so that a stream of events to one receiver reuses its sockets. */
const POSTER = new HttpPoster();
const STATIC_HEADERS = `Content-Type: application/json; charset=utf-8\r\nUser-Agent: ${USER_AGENT}\r\n`;

/** In the background loop, claim at least this many due deliveries at once (fewer only when idle). */
const CLAIM_MIN = 8;

interface BatchContext {
  endpoint(id: string): Promise<WebhookEndpoint | undefined>;
  event(id: string): DeliverableEvent | Error | undefined;
  body(e: DeliverableEvent, fanout: number): string;
}

interface Outcome {
  c: ClaimedDelivery;
  endpoint: WebhookEndpoint;
  result: PostResult;
  now: number;
  /** `refilled`: the flush that recorded it also claimed what was due, so the loop need not look again. */
  done(e?: Error, refilled?: boolean): void;
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
export async function postSigned(url: string, secret: string | readonly string[], body: string, timestampS: number, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  const result = (status: number | null, error: string | null): PostResult => ({ status, error, durationMs: Math.round(performance.now() - started) });
  let target;
  try {
    target = targetOf(url);
  } catch (e) {
    return result(null, e instanceof TypeError ? 'invalid URL' : (e as Error).message);
  }
  try {
    const status = await POSTER.post(target, `${STATIC_HEADERS}Stripe-Signature: ${signatureHeader(secret, timestampS, body)}\r\n`, Buffer.from(body, 'utf8'), timeoutMs);
    return result(status, status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? `redirect (${status}) counts as a failure` : `HTTP ${status}`);
  } catch (e) {
    return result(null, failureReason(e as NodeJS.ErrnoException));
  }
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
      const ctx = await this.batchContext(batch);
      // Never send an event that is not yet durable (SQLite commits in groups; see OpenedDb.settled).
      await this.d.store.settled();
      await Promise.all(batch.map((c) => this.deliver(c, ctx)));
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
    const wakeLoop = () => {
      if (wake) wake();
      else poked = true;
    };
    const launch = (claimed: readonly ClaimedDelivery[], ctx: BatchContext) => {
      for (const c of claimed) {
        const p: Promise<void> = this.deliver(c, ctx).then(
          (refilled) => {
            inflight.delete(p);
            if (!refilled) wakeLoop();
          },
          (e) => {
            inflight.delete(p);
            this.d.log.error('webhook delivery error', { delivery: c.id, error: String(e) });
            wakeLoop();
          },
        );
        inflight.add(p);
      }
    };
    this.refill = { room: () => (stopping ? 0 : concurrency - inflight.size), launch };
    const loop = (async () => {
      while (!stopping) {
        const room = concurrency - inflight.size;
        let claimed: ClaimedDelivery[] = [];
        let ctx: BatchContext | undefined;
        // Claiming costs a transaction, so when busy wait until several slots are free and claim them at once.
        if (room >= Math.min(CLAIM_MIN, concurrency) || (room > 0 && inflight.size === 0)) {
          poked = false;
          try {
            const now = this.d.clock.nowMs();
            if (await this.d.store.anyDeliveryDue(now)) claimed = await this.d.store.webhooks.claimDeliveries(now, this.leaseMs, room);
            if (claimed.length > 0) ctx = await this.batchContext(claimed);
            // Never send an event that is not yet durable (SQLite commits in groups; see OpenedDb.settled).
            if (claimed.length > 0) await this.d.store.settled();
          } catch (e) {
            // Leased rows whose events could not be read are claimed again when their lease runs out.
            this.d.log.error('webhook claim failed', { error: String(e) });
            claimed = [];
          }
        }
        if (claimed.length > 0) launch(claimed, ctx!);
        if (claimed.length > 0 && inflight.size < concurrency) continue;
        if (stopping) break;
        await sleep(idleMs);
      }
      // Deliveries claimed by a flush while stopping join the set while it is awaited.
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      this.refill = undefined;
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

  /**
   * What a claimed batch shares: its events, read in one query and each decrypted once; each event's body,
   * serialised once for all its endpoints; its endpoints, looked up once each (a burst of events mostly goes
   * to the same few).
   */
  private async batchContext(batch: readonly ClaimedDelivery[], store: Store = this.d.store): Promise<BatchContext> {
    const events = await store.webhooks.eventsToDeliver(batch.map((c) => c.event_id));
    const endpoints = new Map<string, Promise<WebhookEndpoint | undefined>>();
    const bodies = new Map<string, string>();
    return {
      endpoint: (id) => {
        let p = endpoints.get(id);
        if (!p) endpoints.set(id, (p = this.d.store.webhooks.findEndpoint(id)));
        return p;
      },
      event: (id) => events.get(id),
      body: (e, fanout) => {
        let b = bodies.get(e.id);
        if (b === undefined) bodies.set(e.id, (b = eventBody(e, fanout)));
        return b;
      },
    };
  }

  /** Resolves once the outcome is recorded; true when its flush claimed the next due deliveries. */
  private async deliver(c: ClaimedDelivery, ctx: BatchContext): Promise<boolean> {
    const { store, clock, config } = this.d;
    const event = ctx.event(c.event_id);
    // Left leased: tried again when the lease runs out, as after a crash.
    if (event instanceof Error) throw event;
    const endpoint = await ctx.endpoint(c.endpoint_id);
    if (!endpoint || endpoint.deleted || endpoint.status !== 'enabled' || !event) {
      // Stripe stops retrying an event for an endpoint that was disabled or deleted meanwhile.
      await store.webhooks.markRetry(c.id, clock.nowMs(), c.attempts, null, 'endpoint disabled or deleted', 'canceled');
      return false;
    }
    // Every attempt sends the same bytes: pending_webhooks is the count when the event was recorded (like
    // data.object, a snapshot), not the live count, which drops as other endpoints acknowledge.
    const body = ctx.body(event, c.fanout);
    let result: PostResult;
    try {
      await assertDeliverable(endpoint.url, config.webhooks.privateAddresses);
      const nowS = Math.floor(clock.nowMs() / 1000);
      result = await postSigned(endpoint.url, signingSecrets(endpoint, nowS), body, nowS, config.webhooks.timeoutMs);
    } catch (e) {
      result = { status: null, error: (e as Error).message, durationMs: 0 };
    }
    return this.record({ c, endpoint, result, now: clock.nowMs() });
  }

  // ---- recording outcomes ----------------------------------------------------------------------------
  // Each attempt's outcome is committed before its delivery counts as done. Outcomes that arrive together
  // (responses read in the same turn of the event loop, or while a commit is running) share one transaction:
  // the commit, not the rows, is what a busy dispatcher pays for.

  private queue: Outcome[] = [];
  private flushing = false;
  /** Set by the background loop: a flush then claims the deliveries that take its outcomes' places. */
  private refill?: { room(): number; launch(claimed: readonly ClaimedDelivery[], ctx: BatchContext): void };

  /**
   * Claims due deliveries in the transaction that records outcomes (`room` counts the slots those outcomes
   * free), so a busy dispatcher pays one commit per batch rather than one to record and one to claim.
   */
  private async claimInFlush(tx: Store, room: number): Promise<{ claimed: ClaimedDelivery[]; ctx?: BatchContext } | undefined> {
    if (room < Math.min(CLAIM_MIN, this.d.config.webhooks.concurrency)) return undefined;
    const claimed = await tx.webhooks.claimDeliveries(this.d.clock.nowMs(), this.leaseMs, room);
    return { claimed, ctx: claimed.length > 0 ? await this.batchContext(claimed, tx) : undefined };
  }

  private record(o: Omit<Outcome, 'done'>): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ ...o, done: (e, refilled) => (e ? reject(e) : resolve(refilled === true)) });
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
          const refill = this.refill;
          const next = await this.d.store.transaction(async (tx) => {
            await tx.webhooks.recordAttempts(batch.map(attemptRow));
            await this.recordOutcomes(tx, batch);
            return refill && this.claimInFlush(tx, refill.room() + batch.length);
          });
          if (next && next.claimed.length > 0) refill!.launch(next.claimed, next.ctx!);
          for (const o of batch) o.done(undefined, next !== undefined);
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
                await this.recordOutcomes(tx, [o]);
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

  /**
   * The deliveries' new states after their attempts (whose rows are written by the caller), and their
   * endpoints'. Successes are written together; an endpoint that was failing recovers once per batch.
   * Failures come after the successes, so an endpoint with both in one batch is left failing (since now).
   */
  private async recordOutcomes(tx: Store, batch: readonly Outcome[]): Promise<void> {
    const ok = batch.filter((o) => o.result.error === null);
    await tx.webhooks.markDelivered(
      ok.map(({ c, result, now }) => ({ id: c.id, event_id: c.event_id, attempts: c.attempts + 1, status: result.status ?? 200, at: now })),
    );
    const recovered = new Set<string>();
    for (const { endpoint } of ok) {
      if (endpoint.failing_since === null || recovered.has(endpoint.id)) continue;
      recovered.add(endpoint.id);
      const fresh = await tx.webhooks.findEndpoint(endpoint.id);
      if (fresh && fresh.failing_since !== null) await tx.webhooks.updateEndpoint({ ...fresh, failing_since: null });
    }
    for (const o of batch) if (o.result.error !== null) await this.recordFailure(tx, o);
  }

  private async recordFailure(tx: Store, { c, endpoint, result, now }: Outcome): Promise<void> {
    const { config, log } = this.d;
    const attempts = c.attempts + 1;
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
