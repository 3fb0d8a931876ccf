import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deps } from '../../deps.js';
import { BASE_HEADERS, checkApiVersion, errorResponse } from './endpoint.js';
import { MSG, StripeError, errors } from './errors.js';

describe('checkApiVersion', () => {
  it('accepts plain dates and named releases from 2024-09-30.acacia on', () => {
    for (const v of ['2011-01-01', '2023-08-16', '2024-09-30.acacia', '2026-10-28.endive']) checkApiVersion(v);
  });

  it('refuses anything else with 400 "Invalid Stripe API version"', () => {
    for (const v of ['garbage', '', '2024-13-01', '2024-00-10', '2024-01-32', '2010-12-31', '2024-09-29.acacia', '2024-09-30.Acacia', '2024-9-30', ' 2024-09-30']) {
      assert.throws(() => checkApiVersion(v), (e: unknown) => {
        assert.ok(e instanceof StripeError, v);
        assert.deepEqual([e.status, e.message], [400, MSG.invalidApiVersion(v)], v);
        return true;
      });
    }
  });

  it('keeps refusing a bad version after many good ones were seen, and keeps accepting the good ones', () => {
    const good = Array.from({ length: 250 }, (_, i) => `20${String(12 + Math.floor(i / 12)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-15`);
    for (let round = 0; round < 2; round++) {
      for (const v of good) checkApiVersion(v);
      for (const v of ['2024-13-01', 'garbage', '2024-09-29.acacia'])
        assert.throws(() => checkApiVersion(v), (e: unknown) => e instanceof StripeError && e.status === 400, v);
    }
  });

  it('quotes at most 100 characters of a bad version', () => {
    const v = 'x'.repeat(500);
    assert.throws(() => checkApiVersion(v), (e: unknown) => e instanceof StripeError && e.message === MSG.invalidApiVersion('x'.repeat(100)));
  });
});

describe('errorResponse', () => {
  const logged: unknown[] = [];
  const deps = { log: { error: (msg: string, f?: unknown) => logged.push({ msg, f }), info() {}, debug() {} } } as unknown as Deps;

  it('renders a StripeError as its envelope, status, headers and storability', () => {
    const e = errors.internal();
    assert.deepEqual(errorResponse(e, deps, 'req_1'), {
      status: 500,
      body: JSON.stringify(e.toBody()),
      headers: { 'Stripe-Should-Retry': 'false' },
      storable: true,
    });
  });

  it('turns an unexpected fault into the generic 500, logged with the request id and not shown to the client', () => {
    logged.length = 0;
    const r = errorResponse(new Error('secret detail'), deps, 'req_2');
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), { error: { message: MSG.internal, type: 'api_error' } });
    assert.ok(!r.body.includes('secret detail'));
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify(logged[0]), /req_2/);
  });
});

describe('BASE_HEADERS', () => {
  it('are Stripe\'s JSON, no-store and open CORS headers', () => {
    assert.equal(BASE_HEADERS['Content-Type'], 'application/json');
    assert.equal(BASE_HEADERS['Cache-Control'], 'no-cache, no-store');
    assert.equal(BASE_HEADERS['Access-Control-Allow-Origin'], '*');
    assert.match(BASE_HEADERS['Access-Control-Expose-Headers'], /Request-Id/);
    assert.match(BASE_HEADERS['Access-Control-Expose-Headers'], /Stripe-Should-Retry/);
  });
});
