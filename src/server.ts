// Runs the HTTP server (and, unless told otherwise, the worker) on built dependencies; shuts down gracefully:
// stop accepting, finish in-flight requests and jobs, close the database.
import { type ServerType, serve } from '@hono/node-server';
import type { Socket } from 'node:net';
import { createApp } from './app.js';
import { MSG, StripeError } from './api/stripe/errors.js';
import { newId } from './domain/ids.js';
import type { Deps } from './deps.js';
import { createKey, recordFor } from './domain/keys.js';
import { nowSec } from './domain/clock.js';
import { type Worker, startWorker } from './worker.js';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(deps: Deps, opts: { port: number; host: string; worker: boolean }): Promise<Running> {
  let worker: Worker | undefined;
  const app = createApp(deps, { onWrite: () => worker?.poke() });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerUnparseable(err, socket));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  if (opts.worker) worker = startWorker(deps);
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker?.stop();
    },
  };
}

/**
 * Keys at start-up: those in VERITY_API_KEYS are registered (hashed); with none configured and an empty key
 * table, one test and one live secret key are created and printed once.
 */
export async function ensureKeys(deps: Deps, print: (line: string) => void): Promise<void> {
  const now = nowSec(deps.clock);
  for (const k of deps.config.apiKeys) await deps.store.insertKey(recordFor(k, { created: now, name: 'VERITY_API_KEYS' }));
  if (deps.config.apiKeys.length > 0 || (await deps.store.countKeys()) > 0) return;
  const test = await createKey(deps.store, { kind: 'secret', livemode: false, name: 'first start', now });
  const live = await createKey(deps.store, { kind: 'secret', livemode: true, name: 'first start', now });
  print('Created API keys (shown only this once; only their hashes are stored):');
  print(`  test mode: ${test.key}`);
  print(`  live mode: ${live.key}`);
}

/**
 * Requests Node's HTTP parser refuses before the app sees them (control characters in headers, headers over
 * the limit, broken chunked framing) still get Stripe's error envelope, then the connection is closed, since
 * the parser cannot tell where the next request would start.
 */
function answerUnparseable(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(new StripeError({ status, message: tooLarge ? MSG.headersTooLarge : MSG.unparseableRequest }).toBody());
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-cache, no-store\r\n' +
      `Request-Id: ${newId.request()}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
