import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { EngineThreadError, threadedEngines } from './threaded-engines.js';

const FAKE = new URL('./threaded-engines.fake-thread.ts', import.meta.url);

describe('threaded engines', () => {
  const engines = threadedEngines(FAKE, { threads: 2 });
  after(() => engines.close());

  it('runs the engines in another thread and hands them Buffers', async () => {
    const r = await engines.readDocument({ type: 'passport', front: Buffer.from('front'), back: Buffer.from('back!!'), portrait: false });
    assert.notEqual(r.timings.thread, threadId, JSON.stringify(r));
    assert.deepEqual({ ...r.timings, thread: 0 }, { thread: 0, front_is_buffer: 1, front_bytes: 5, back_bytes: 6 });
  });

  it('answers concurrent calls each with its own result', async () => {
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = await Promise.all(sizes.map((n) => engines.analyseFace(Buffer.alloc(n))));
    assert.deepEqual(
      out.map((o) => o.width),
      sizes,
    );
  });

  it('turns an engine error into a rejected call and keeps serving', async () => {
    await assert.rejects(engines.readDocument({ type: 'passport', front: Buffer.from('throw'), back: null, portrait: false }), (e: Error) => {
      assert.ok(e instanceof EngineThreadError);
      assert.match(e.message, /unreadable image/);
      return true;
    });
    const r = await engines.analyseFace(Buffer.alloc(3));
    assert.equal(r.width, 3);
  });

  it('starts a new thread after the thread dies, failing only the call in flight', async () => {
    const before = (await engines.analyseFace(Buffer.alloc(1))).height;
    await assert.rejects(engines.readDocument({ type: 'id_card', front: Buffer.from('crash'), back: null, portrait: false }), /exited with code 3/);
    const afterCrash = (await engines.analyseFace(Buffer.alloc(1))).height;
    assert.notEqual(afterCrash, before);
  });
});

describe('threaded engines pool', () => {
  it('serves calls made at the same time on different threads', async () => {
    const engines = threadedEngines(FAKE, { threads: 2 });
    try {
      const [a, b] = await Promise.all([engines.analyseFace(Buffer.alloc(1)), engines.analyseFace(Buffer.alloc(2))]);
      assert.notEqual(a.height, b.height);
    } finally {
      await engines.close();
    }
  });

  it("sends the second of two sessions' document to the thread that has only a selfie", async () => {
    const engines = threadedEngines(FAKE, { threads: 2 });
    const doc = (front: string) => engines.readDocument({ type: 'passport', front: Buffer.from(front), back: null, portrait: true });
    try {
      // Two sessions submitted together: each sends its document and its selfie at once.
      const [doc1, , doc2] = await Promise.all([doc('one'), engines.analyseFace(Buffer.alloc(1)), doc('two'), engines.analyseFace(Buffer.alloc(2))]);
      assert.notEqual(doc1.timings.thread, doc2.timings.thread, JSON.stringify({ doc1, doc2 }));
    } finally {
      await engines.close();
    }
  });

  it('serves every call on the one thread when given one', async () => {
    const engines = threadedEngines(FAKE, { threads: 1 });
    try {
      const [a, b] = await Promise.all([engines.analyseFace(Buffer.alloc(1)), engines.analyseFace(Buffer.alloc(2))]);
      assert.equal(a.height, b.height);
    } finally {
      await engines.close();
    }
  });
});
