// Starts a real Verity (HTTP server on a random loopback port) for cross-module suites. The database is an
// in-memory SQLite one, or — when DATABASE_URL is set — a fresh PostgreSQL database dropped at close, so
// every suite runs against both stores. The worker does not run by itself: tests call runJobs() and move
// the manual clock, so nothing depends on timing.
import crypto from 'node:crypto';
import pg from 'pg';
import Stripe from 'stripe';
import { loadConfig, type Config } from '../src/config.js';
import { manualClock } from '../src/domain/clock.js';
import { createKey, PERMISSIONS } from '../src/domain/keys.js';
import { createLogger } from '../src/log.js';
import { sqlBlobStore } from '../src/store/blobs.js';
import { migrate, openDatabase } from '../src/store/db.js';
import { createSealer } from '../src/store/sealer.js';
import { Store } from '../src/store/store.js';
import { ENGINE_THREAD, type Deps, otpSenderFor } from '../src/deps.js';
import type { Engines } from '../src/verification/engines.js';
import type { IdNumberProvider } from '../src/verification/id-number.js';
import { threadedEngines } from '../src/verification/threaded-engines.js';
import { startServer } from '../src/server.js';
import { runDueJobs, startWorker } from '../src/worker.js';

export interface Verity {
  url: string;
  port: number;
  deps: Deps;
  clock: ReturnType<typeof manualClock>;
  keys: {
    test: string;
    live: string;
    /** rk_test_ with read+write and recent sensitive results. */
    restrictedSensitive: string;
    /** rk_test_ with read only. */
    restrictedRead: string;
    /** rk_test_ with no permission at all. */
    restrictedNone: string;
    publishable: string;
  };
  /** A stripe-node client for this server (test secret key unless another is given). */
  stripe(key?: string, opts?: Partial<ConstructorParameters<typeof Stripe>[1]>): Stripe;
  /** Raw HTTP against the server (path starting with /). */
  fetch(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  runJobs(): Promise<number>;
  close(): Promise<void>;
}

export const usingPostgres = (): boolean => !!process.env.DATABASE_URL;

export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `verity_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function startVerity(
  opts: { config?: Partial<Config>; worker?: boolean; engines?: Engines; idNumbers?: IdNumberProvider } = {},
): Promise<Verity> {
  const pgdb = usingPostgres() ? await freshPostgres() : undefined;
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    dataDir: '/nonexistent',
    databaseUrl: pgdb?.url,
    logLevel: 'silent',
    ...opts.config,
  };
  const clock = manualClock(Date.now());
  const opened = openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: ':memory:', poolSize: 5 });
  await migrate(opened);
  const store = Store.from(opened, createSealer(crypto.randomBytes(32)));
  const deps: Deps = {
    config,
    store,
    // As buildDeps chooses for PostgreSQL and for an in-memory SQLite database: the blobs table.
    blobs: sqlBlobStore(opened.db),
    clock,
    log: createLogger(process.env.VERITY_TEST_LOG === '1' ? 'debug' : 'silent'),
    // The real engines, in their thread: started only by a test that submits a live verification.
    engines: opts.engines ?? threadedEngines(ENGINE_THREAD, { threads: config.verification.engineThreads }),
    idNumbers: opts.idNumbers ?? null,
    otp: otpSenderFor(config),
    close: async () => {
      await deps.engines.close();
      await opened.close();
    },
  };
  const now = Math.floor(clock.nowMs() / 1000);
  const mk = async (kind: 'secret' | 'restricted' | 'publishable', livemode: boolean, permissions: string[] = []) =>
    (await createKey(store, { kind, livemode, permissions, now })).key;
  const keys = {
    test: await mk('secret', false),
    live: await mk('secret', true),
    restrictedSensitive: await mk('restricted', false, [PERMISSIONS.identityWrite, PERMISSIONS.sensitiveRecent, PERMISSIONS.eventsRead]),
    restrictedRead: await mk('restricted', false, [PERMISSIONS.identityRead]),
    restrictedNone: await mk('restricted', false, []),
    publishable: await mk('publishable', false),
  };
  const running = await startServer(deps, { port: 0, host: '127.0.0.1', worker: false });
  deps.config.publicUrl = running.url;
  // As in production, where PORT is the port served on (the self-URL check compares against it).
  deps.config.port = running.port;
  const worker = opts.worker ? startWorker(deps, { idleMs: 20 }) : undefined;
  return {
    url: running.url,
    port: running.port,
    deps,
    clock,
    keys,
    stripe: (key = keys.test, o = {}) =>
      new Stripe(key, { host: '127.0.0.1', port: running.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...o }),
    fetch: (path, init = {}) => {
      const { key = keys.test, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
      return fetch(running.url + path, { ...rest, headers });
    },
    runJobs: () => runDueJobs(deps),
    async close() {
      await worker?.stop();
      await running.close();
      await deps.close();
      await pgdb?.drop();
    },
  };
}

/** Formats a whole response for assertion messages: failures must show what came back. */
export async function describeResponse(res: Response): Promise<string> {
  const body = await res.clone().text();
  return `${res.status} ${JSON.stringify(Object.fromEntries(res.headers))}\n${body}`;
}
