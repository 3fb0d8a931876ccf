// The one dependencies object, built once at start-up from the parsed config and handed to the app, the
// worker and the CLI. Tests build it with an in-memory database and a manual clock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import { type Logger, createLogger } from './log.js';
import { type BlobStore, filesystemBlobStore, sqlBlobStore } from './store/blobs.js';
import { type OpenedDb, migrate, openDatabase } from './store/db.js';
import { createSealer } from './store/sealer.js';
import { Store } from './store/store.js';
import { type OtpSender } from './domain/page.js';
import type { Engines } from './verification/engines.js';
import type { IdNumberProvider } from './verification/id-number.js';
import { createOtpSender } from './verification/otp/index.js';
import { threadedEngines } from './verification/threaded-engines.js';

/** The engine thread's entry module: the real engines, loaded on the first live verification. */
export const ENGINE_THREAD = new URL('./verification/engine-thread.ts', import.meta.url);

export interface Deps {
  config: Config;
  store: Store;
  /** Sealed file contents; see chooseBlobStore. */
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  /** Live verification's document and face engines (a worker thread, started on first use). */
  engines: Engines;
  /** The registry lookup behind the ID number check; Verity ships none (see the README). */
  idNumbers: IdNumberProvider | null;
  /** Live-mode one-time codes (SMTP / SMS webhook, each when configured). */
  otp: OtpSender;
  close(): Promise<void>;
}

export async function buildDeps(config: Config, opts: { clock?: Clock; log?: Logger; sqlitePath?: string } = {}): Promise<Deps> {
  const sqlitePath = opts.sqlitePath ?? path.join(config.dataDir, 'verity.sqlite');
  const opened: OpenedDb = openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath,
    poolSize: config.dbPoolSize,
  });
  await migrate(opened);
  const key = encryptionKey(config);
  const log = opts.log ?? createLogger(config.logLevel);
  const engines = threadedEngines(ENGINE_THREAD, {
    threads: config.verification.engineThreads,
    onError: (e) => log.error('engine thread failed', { error: e.message }),
  });
  return {
    config,
    store: Store.from(opened, createSealer(key)),
    blobs: chooseBlobStore(opened, config, sqlitePath),
    clock: opts.clock ?? systemClock,
    log,
    engines,
    idNumbers: null,
    otp: otpSenderFor(config),
    close: async () => {
      await engines.close();
      await opened.close();
    },
  };
}

export function otpSenderFor(config: Config): OtpSender {
  const o = config.otp;
  return createOtpSender({
    smtpUrl: o.smtpUrl ?? undefined,
    smtpFrom: o.smtpFrom ?? undefined,
    smsWebhookUrl: o.smsWebhookUrl ?? undefined,
    smsWebhookSecret: o.smsWebhookSecret ?? undefined,
  });
}

/**
 * PostgreSQL → the `blobs` table (several processes on several machines share the database, not a disk);
 * SQLite in a file → DATA_DIR/files beside it (keeps megabytes of images out of the one database file);
 * in-memory SQLite (tests) → the table, so nothing touches the disk.
 */
export function chooseBlobStore(opened: OpenedDb, config: Config, sqlitePath: string): BlobStore {
  if (opened.dialect === 'postgres' || sqlitePath === ':memory:') return sqlBlobStore(opened.db);
  return filesystemBlobStore(path.join(config.dataDir, 'files'));
}

/** VERITY_ENCRYPTION_KEY, or a key generated once into DATA_DIR (mode 0600) for the embedded default. */
function encryptionKey(config: Config): Buffer {
  if (config.encryptionKey) {
    const k = Buffer.from(config.encryptionKey, 'base64');
    if (k.length !== 32) throw new Error('VERITY_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    return k;
  }
  const file = path.join(config.dataDir, 'encryption.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (config.databaseUrl) {
    // Several processes share one PostgreSQL database; a key generated on one machine would not be known to
    // the others, so scaled deployments must set the key explicitly.
    throw new Error('VERITY_ENCRYPTION_KEY must be set when DATABASE_URL is used');
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const k = crypto.randomBytes(32);
  fs.writeFileSync(file, k.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return k;
}
