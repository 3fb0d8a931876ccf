import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limit.js';

const refusals = (n: number, f: () => void): number => {
  let refused = 0;
  for (let i = 0; i < n; i++) {
    try {
      f();
    } catch {
      refused++;
    }
  }
  return refused;
};

describe('RateLimiter', () => {
  it('allows 25 requests per operation per second, then refuses with 429 rate_limit', () => {
    const l = new RateLimiter();
    assert.equal(refusals(25, () => l.take(false, 'GET /a', 5000)), 0);
    assert.throws(() => l.take(false, 'GET /a', 5999), (e: any) => e.status === 429 && e.code === 'rate_limit');
  });

  it('counts live mode up to 100 per second across operations, test mode up to 25', () => {
    const l = new RateLimiter();
    // 25 each on four operations: every operation at its own limit, the mode at 100.
    const ops = ['GET /a', 'GET /b', 'POST /a', 'POST /b'];
    let i = 0;
    assert.equal(refusals(100, () => l.take(true, ops[i++ % 4], 0)), 0);
    assert.throws(() => l.take(true, 'GET /d', 0));
    assert.equal(refusals(25, () => l.take(false, 'GET /e', 0)) + refusals(1, () => l.take(false, 'GET /f', 0)), 1);
  });

  it('starts afresh each second', () => {
    const l = new RateLimiter();
    refusals(30, () => l.take(false, 'GET /a', 1000));
    assert.doesNotThrow(() => l.take(false, 'GET /a', 2000));
  });
});
