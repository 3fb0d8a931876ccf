// Stripe's rate limits with VERITY_RATE_LIMIT=stripe (checklist item 64), and none by default. The clock is
// the harness's manual one, so "within one second" and "a second later" are exact.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { MSG } from '../../src/api/stripe/errors.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { errorBody, sdkError, show } from './wire.js';

const burst = <T>(n: number, f: () => Promise<T>) => Promise.allSettled(Array.from({ length: n }, f));

describe('rate limits with VERITY_RATE_LIMIT=stripe', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity({ config: { rateLimit: 'stripe' } });
  });
  after(() => v.close());

  it('a burst of 30 creates in one second on a test key: 25 succeed, 5 get 429 rate_limit (StripeRateLimitError)', async () => {
    v.clock.advance(1000);
    const stripe = v.stripe();
    const results = await burst(30, () => stripe.identity.verificationSessions.create({ type: 'document' }));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(refused.length, 5, JSON.stringify(results.map((r) => r.status)));
    const err = await sdkError(Promise.reject((refused[0] as PromiseRejectedResult).reason));
    assert.ok(err instanceof Stripe.errors.StripeRateLimitError, show(err));
    assert.equal(err.statusCode, 429, show(err));
    assert.equal(err.code, 'rate_limit', show(err));
    assert.equal(err.message, MSG.rateLimited, show(err));
    assertSchema('error', errorBody(err));
  });

  it('a refused request did nothing, and retried a second later it succeeds once', async () => {
    v.clock.advance(1000);
    const stripe = v.stripe();
    const before = (await stripe.identity.verificationSessions.list({ limit: 100 })).data.length;
    const keys = Array.from({ length: 30 }, (_, i) => `rate-${i}-${Date.now()}`);
    const first = await Promise.allSettled(keys.map((k) => stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: k })));
    const refusedKeys = keys.filter((_, i) => first[i].status === 'rejected');
    assert.ok(refusedKeys.length > 0, 'some were refused');
    v.clock.advance(1000);
    for (const k of refusedKeys) await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: k });
    v.clock.advance(1000);
    const after = await stripe.identity.verificationSessions.list({ limit: 100 });
    assert.equal(after.data.length - before, 30, 'one session per key, refused ones included after their retry');
  });

  it('test and live mode have limits of their own: a live key is not refused after a test burst', async () => {
    v.clock.advance(1000);
    await burst(30, () => v.stripe().identity.verificationSessions.list({ limit: 1 }));
    const live = await v.stripe(v.keys.live).identity.verificationSessions.list({ limit: 1 });
    assert.equal(live.object, 'list');
  });
});

describe('rate limits by default', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
  });
  after(() => v.close());

  it('are not enforced: 30 creates in one second all succeed', async () => {
    const results = await burst(30, () => v.stripe().identity.verificationSessions.create({ type: 'document' }));
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      [],
    );
  });
});
