// The engine thread's entry module (see threaded-engines.ts).
import { createLocalEngines } from './local-engines.js';
import { serveInThread } from './threaded-engines.js';

serveInThread(() => createLocalEngines({ preload: true }));
