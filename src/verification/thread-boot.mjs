// A worker thread's entry: Node gives worker threads no loader hooks of their own, so the TypeScript module
// named in workerData is loaded through tsx here, exactly as bin/verity.js loads the main thread.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
