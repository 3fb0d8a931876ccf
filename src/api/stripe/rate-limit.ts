// Stripe's rate limits, as an opt-in (VERITY_RATE_LIMIT=stripe): a self-hosted server has no shared capacity to
// protect, but an integration should meet its 429s in development rather than first in production. Per mode,
// as Stripe counts per account: at most 100 requests per second in live mode and 25 in test mode overall, and
// 25 per second per operation (method + route). A refused request did nothing, so the SDK's retry is safe.
// Windows are whole seconds of the injected clock, so tests decide exactly when a limit resets.
import { MSG, StripeError } from './errors.js';

const GLOBAL = { live: 100, test: 25 };
const PER_OPERATION = 25;

export class RateLimiter {
  private second = -1;
  private counts = new Map<string, number>();

  /** Counts the request; throws Stripe's 429 when its mode or its operation is over the limit this second. */
  take(livemode: boolean, operation: string, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.counts.clear();
    }
    const mode = livemode ? 'live' : 'test';
    const all = this.counts.get(mode) ?? 0;
    const op = this.counts.get(`${mode} ${operation}`) ?? 0;
    if (all >= GLOBAL[mode] || op >= PER_OPERATION)
      throw new StripeError({ status: 429, code: 'rate_limit', message: MSG.rateLimited });
    this.counts.set(mode, all + 1);
    this.counts.set(`${mode} ${operation}`, op + 1);
  }
}
