import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs two jobs and two engine threads at once by default', () => {
    const c = loadConfig({});
    assert.equal(c.jobConcurrency, 2);
    assert.equal(c.verification.engineThreads, 2);
  });

  it('takes VERITY_JOB_CONCURRENCY and VERITY_ENGINE_THREADS from the environment', () => {
    const c = loadConfig({ VERITY_JOB_CONCURRENCY: '4', VERITY_ENGINE_THREADS: '1' });
    assert.equal(c.jobConcurrency, 4);
    assert.equal(c.verification.engineThreads, 1);
  });

  it('refuses an engine thread count outside 1–8 or not a whole number', () => {
    for (const v of ['0', '9', 'two', '1.5'])
      assert.throws(() => loadConfig({ VERITY_ENGINE_THREADS: v }), (e) => e instanceof ConfigError && /VERITY_ENGINE_THREADS/.test(e.message), v);
  });

  it('refuses a job concurrency of 0', () => {
    assert.throws(() => loadConfig({ VERITY_JOB_CONCURRENCY: '0' }), /VERITY_JOB_CONCURRENCY/);
  });
});

describe('VERITY_RATE_LIMIT', () => {
  it('is off unless set to stripe, and refuses anything else', () => {
    assert.equal(loadConfig({}).rateLimit, 'off');
    assert.equal(loadConfig({ VERITY_RATE_LIMIT: 'stripe' }).rateLimit, 'stripe');
    assert.throws(() => loadConfig({ VERITY_RATE_LIMIT: 'yes' }), /VERITY_RATE_LIMIT/);
  });
});
