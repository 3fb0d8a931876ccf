// Durable, at-least-once webhook delivery. Each (event, endpoint) pair is a row created in the same
// transaction as the event. Workers lease due rows, POST the signed event, and record every attempt. A 2xx
// is success; anything else — another status, a redirect, a timeout, a refused connection — is retried on
// the configured schedule with jitter. A worker that dies mid-delivery loses its lease and the row is
// delivered again later, so receivers may see duplicates (dedupe on the event id).
import type { Deps } from '../deps.js';
import { presentEvent } from '../domain/present.js';
import type { ClaimedDelivery } from '../store/webhook-store.js';
import { signatureHeader } from './signing.js';
import { assertDeliverable } from './url-policy.js';

const USER_AGENT = 'Verity/1.0 (+Stripe-compatible webhooks)';

export interface PostResult {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** One signed POST. Never throws: every failure becomes an error string. */
export async function postSigned(url: string, secret: string, body: string, timestampS: number, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': USER_AGENT,
        'Stripe-Signature': signatureHeader(secret, timestampS, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain (bounded) so the connection can be reused; the receiver's body is not kept.
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      error: ok ? null : res.status >= 300 && res.status < 400 ? `redirect (${res.status}) counts as a failure` : `HTTP ${res.status}`,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { status: null, error: String(reason), durationMs: Math.round(performance.now() - started) };
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
      await Promise.all(batch.map((c) => this.deliver(c)));
      n += batch.length;
    }
  }

  /** The background loop: bounded concurrency, woken by poke() when new events are recorded. */
  start(opts: { idleMs?: number } = {}): { stop(): Promise<void>; poke(): void } {
    const idleMs = opts.idleMs ?? 100;
    const inflight = new Set<Promise<void>>();
    let stopping = false;
    let wake: (() => void) | undefined;
    let poked = false;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (poked) {
          poked = false;
          return resolve();
        }
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }).finally(() => {
        wake = undefined;
      });
    const loop = (async () => {
      while (!stopping) {
        const room = this.d.config.webhooks.concurrency - inflight.size;
        let claimed: ClaimedDelivery[] = [];
        if (room > 0) {
          try {
            claimed = await this.d.store.webhooks.claimDeliveries(this.d.clock.nowMs(), this.leaseMs, room);
          } catch (e) {
            this.d.log.error('webhook claim failed', { error: String(e) });
          }
        }
        for (const c of claimed) {
          const p: Promise<void> = this.deliver(c)
            .catch((e) => this.d.log.error('webhook delivery error', { delivery: c.id, error: String(e) }))
            .finally(() => {
              inflight.delete(p);
              wake?.();
            });
          inflight.add(p);
        }
        if (claimed.length > 0 && inflight.size < this.d.config.webhooks.concurrency) continue;
        await (inflight.size >= this.d.config.webhooks.concurrency ? Promise.race([...inflight, sleep(idleMs)]) : sleep(idleMs));
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

  private async deliver(c: ClaimedDelivery): Promise<void> {
    const { store, clock, config, log } = this.d;
    const [endpoint, event] = await Promise.all([store.webhooks.findEndpoint(c.endpoint_id), store.findEvent(c.event_id)]);
    if (!endpoint || endpoint.deleted || endpoint.status !== 'enabled' || !event) {
      // Stripe stops retrying an event for an endpoint that was disabled or deleted meanwhile.
      await store.webhooks.markRetry(c.id, clock.nowMs(), c.attempts, null, 'endpoint disabled or deleted', 'canceled');
      return;
    }
    const body = JSON.stringify(presentEvent(event));
    let result: PostResult;
    try {
      await assertDeliverable(endpoint.url, config.webhooks.privateAddresses);
      result = await postSigned(endpoint.url, endpoint.secret, body, Math.floor(clock.nowMs() / 1000), config.webhooks.timeoutMs);
    } catch (e) {
      result = { status: null, error: (e as Error).message, durationMs: 0 };
    }
    const now = clock.nowMs();
    const attempts = c.attempts + 1;
    await store.transaction(async (tx) => {
      await tx.webhooks.recordAttempt({ delivery_id: c.id, at: now, status: result.status, duration_ms: result.durationMs, error: result.error });
      if (result.error === null) {
        await tx.webhooks.markDelivered(c.id, now, result.status ?? 200, attempts);
        await tx.decrementPendingWebhooks(c.event_id);
        if (endpoint.failing_since !== null) {
          const fresh = await tx.webhooks.findEndpoint(endpoint.id);
          if (fresh) await tx.webhooks.updateEndpoint({ ...fresh, failing_since: null });
        }
        return;
      }
      const schedule = c.livemode ? config.webhooks.retryLive : config.webhooks.retryTest;
      const last = attempts > schedule.length;
      const delayMs = last ? 0 : schedule[attempts - 1] * 1000 * (0.85 + Math.random() * 0.3);
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
    });
  }
}
