import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../test/harness.js';
import { HANDLERS, runDueJobs, startWorker } from './worker.js';

const KIND = 'test.overlap';

describe('job concurrency', () => {
  let v: Verity;
  let active = 0;
  let peak = 0;
  before(async () => {
    v = await startVerity();
    HANDLERS[KIND] = async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
    };
  });
  after(async () => {
    delete HANDLERS[KIND];
    await v.close();
  });

  const enqueue = async (n: number) => {
    for (let i = 0; i < n; i++) await v.deps.store.enqueueJob(KIND, { i }, v.clock.nowMs(), Math.floor(v.clock.nowMs() / 1000));
  };

  it('runs due jobs side by side, never more than the concurrency', async () => {
    peak = 0;
    await enqueue(5);
    assert.equal(await runDueJobs(v.deps, { concurrency: 2 }), 5);
    assert.equal(peak, 2);
  });

  it('runs them one at a time with a concurrency of one', async () => {
    peak = 0;
    await enqueue(3);
    assert.equal(await runDueJobs(v.deps, { concurrency: 1 }), 3);
    assert.equal(peak, 1);
  });

  it('starts a job submitted while another runs without waiting for it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    HANDLERS['test.slow'] = async () => {
      started.push('slow');
      await held;
    };
    HANDLERS['test.quick'] = async () => {
      started.push('quick');
    };
    const w = startWorker(v.deps, { idleMs: 10_000, concurrency: 2 });
    try {
      await v.deps.store.enqueueJob('test.slow', {}, v.clock.nowMs(), 0);
      w.poke();
      while (!started.includes('slow')) await new Promise((r) => setTimeout(r, 5));
      await v.deps.store.enqueueJob('test.quick', {}, v.clock.nowMs(), 0);
      w.poke();
      const t0 = Date.now();
      while (!started.includes('quick') && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(started, ['slow', 'quick']);
    } finally {
      release();
      await w.stop();
      delete HANDLERS['test.slow'];
      delete HANDLERS['test.quick'];
    }
  });
});
