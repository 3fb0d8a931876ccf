// A worker-thread entry for threaded-engines.test.ts: trivial engines whose answers show what crossed the
// thread boundary, and a way to make the thread die.
import { threadId } from 'node:worker_threads';
import { serveInThread } from './threaded-engines.js';

serveInThread(() => ({
  async readDocument(input) {
    if (input.type === 'id_card' && input.front.toString() === 'crash') process.exit(3);
    if (input.front.toString() === 'throw') throw new Error('unreadable image');
    return {
      primary: null,
      viz: null,
      portrait: null,
      timings: { thread: threadId, front_is_buffer: Buffer.isBuffer(input.front) ? 1 : 0, front_bytes: input.front.length, back_bytes: input.back?.length ?? -1 },
    };
  },
  async analyseFace(image) {
    return { faces: [], width: image.length, height: threadId, ms: 0 };
  },
  async close() {},
}));
