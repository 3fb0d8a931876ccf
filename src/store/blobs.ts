// Where file contents live (already sealed by the caller): a directory for the file-backed SQLite default,
// the `blobs` table where there is no shared disk (PostgreSQL, several processes) or no disk at all
// (in-memory SQLite in tests). Keys are file ids: [A-Za-z0-9_] only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface BlobStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** undefined when there is no such blob. */
  get(key: string): Promise<Buffer | undefined>;
  /** Deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The same store working through a given database handle: a table-backed store must join the caller's
   * transaction (an in-memory SQLite database has one connection, so a query beside an open transaction
   * would wait for ever). Stores outside the database return themselves.
   */
  within(db: Kysely<Database>): BlobStore;
}

const KEY_RE = /^[A-Za-z0-9_]{1,255}$/;

function checkKey(key: string): void {
  if (!KEY_RE.test(key)) throw new Error(`invalid blob key: ${JSON.stringify(key).slice(0, 80)}`);
}

/**
 * One file per blob under `dir`. A write goes to a temporary name in the same directory, is fsynced, then
 * renamed over the final name (atomic on POSIX) and the directory fsynced: a crash leaves either the old blob,
 * the new one, or a stray temporary file that no key names — never half a file under a real name.
 */
export function filesystemBlobStore(dir: string): BlobStore {
  let made = false;
  const ensureDir = async () => {
    if (made) return;
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    made = true;
  };
  const store: BlobStore = {
    async put(key, bytes) {
      checkKey(key);
      await ensureDir();
      const final = path.join(dir, key);
      const tmp = path.join(dir, `.tmp-${key}-${crypto.randomBytes(6).toString('hex')}`);
      const fh = await fs.promises.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await fs.promises.rename(tmp, final);
      } catch (e) {
        await fs.promises.rm(tmp, { force: true });
        throw e;
      }
      const d = await fs.promises.open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    },
    async get(key) {
      checkKey(key);
      try {
        return await fs.promises.readFile(path.join(dir, key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async delete(key) {
      checkKey(key);
      await fs.promises.rm(path.join(dir, key), { force: true });
    },
    within: () => store,
  };
  return store;
}

/** Blobs as rows of the `blobs` table (bytea on PostgreSQL, blob on SQLite): the same Kysely code for both. */
export function sqlBlobStore(db: Kysely<Database>, now: () => number = () => Date.now()): BlobStore {
  return {
    async put(key, bytes) {
      checkKey(key);
      await db
        .insertInto('blobs')
        .values({ key, data: bytes, created: now() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ data: bytes, created: now() }))
        .execute();
    },
    async get(key) {
      checkKey(key);
      const r = await db.selectFrom('blobs').select('data').where('key', '=', key).executeTakeFirst();
      if (!r) return undefined;
      // better-sqlite3 returns a Buffer, node-postgres a Buffer too; normalise anything array-like.
      return Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data as Uint8Array);
    },
    async delete(key) {
      checkKey(key);
      await db.deleteFrom('blobs').where('key', '=', key).execute();
    },
    within: (other) => sqlBlobStore(other, now),
  };
}
