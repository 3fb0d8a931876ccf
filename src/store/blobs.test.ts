// Blob store conformance: the same behaviour from the filesystem store, the table on SQLite, and the table
// on PostgreSQL when DATABASE_URL is set. Plus the filesystem store's crash safety.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type BlobStore, filesystemBlobStore, sqlBlobStore } from './blobs.js';
import { migrate, openDatabase, type OpenedDb } from './db.js';

interface Backend {
  name: string;
  setup(): Promise<BlobStore>;
  teardown(): Promise<void>;
  /** The store as a transaction sees it (the table joins it; the filesystem has none). */
  inTransaction?<T>(fn: (s: BlobStore) => Promise<T>): Promise<T>;
}

function fsBackend(): Backend {
  let dir = '';
  return {
    name: 'filesystem',
    async setup() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-blobs-'));
      return filesystemBlobStore(path.join(dir, 'files'));
    },
    async teardown() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sqliteBackend(): Backend {
  let opened: OpenedDb;
  return {
    name: 'sqlite table',
    async setup() {
      opened = openDatabase({ sqlitePath: ':memory:' });
      await migrate(opened);
      return sqlBlobStore(opened.db);
    },
    teardown: () => opened.close(),
    inTransaction: (fn) => opened.db.transaction().execute((trx) => fn(sqlBlobStore(opened.db).within(trx))),
  };
}

function postgresBackend(): Backend {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `verity_bl_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  let opened: OpenedDb;
  return {
    name: 'postgres table',
    async setup() {
      await admin(`CREATE DATABASE ${name}`);
      const u = new URL(base.toString());
      u.pathname = `/${name}`;
      opened = openDatabase({ databaseUrl: u.toString(), poolSize: 2 });
      await migrate(opened);
      return sqlBlobStore(opened.db);
    },
    async teardown() {
      await opened.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    inTransaction: (fn) => opened.db.transaction().execute((trx) => fn(sqlBlobStore(opened.db).within(trx))),
  };
}

const backends = [fsBackend(), sqliteBackend(), ...(process.env.DATABASE_URL ? [postgresBackend()] : [])];

for (const b of backends) {
  describe(`BlobStore on ${b.name}`, () => {
    let store: BlobStore;
    before(async () => {
      store = await b.setup();
    });
    after(() => b.teardown());

    it('gives back exactly the bytes put, every byte value included', async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.put('file_all_bytes', bytes);
      const got = await store.get('file_all_bytes');
      assert.ok(got, 'blob missing');
      assert.ok(Buffer.isBuffer(got), `expected a Buffer, got ${Object.prototype.toString.call(got)}`);
      assert.deepEqual([...got], [...bytes]);
    });

    it('holds a 10 MB blob', async () => {
      const bytes = crypto.randomBytes(10 * 1024 * 1024);
      await store.put('file_big', bytes);
      const got = await store.get('file_big');
      assert.ok(got && got.equals(bytes), `got ${got?.length} bytes`);
    });

    it('stores an empty blob as empty, not as missing', async () => {
      await store.put('file_empty', Buffer.alloc(0));
      const got = await store.get('file_empty');
      assert.ok(got !== undefined, 'an empty blob read back as missing');
      assert.equal(got.length, 0);
    });

    it('answers undefined for a key never stored', async () => {
      assert.equal(await store.get('file_never'), undefined);
    });

    it('replaces a blob put twice under one key', async () => {
      await store.put('file_twice', Buffer.from('first'));
      await store.put('file_twice', Buffer.from('second'));
      assert.equal((await store.get('file_twice'))?.toString(), 'second');
    });

    it('deletes, and deleting a missing blob is not an error', async () => {
      await store.put('file_gone', Buffer.from('x'));
      await store.delete('file_gone');
      assert.equal(await store.get('file_gone'), undefined);
      await store.delete('file_gone');
      await store.delete('file_never_was');
    });

    it('refuses keys that could name another path or break a query', async () => {
      for (const k of ['../etc/passwd', 'a/b', '', '.hidden', 'x'.repeat(256), 'a\0b'])
        await assert.rejects(store.put(k, Buffer.from('x')), /invalid blob key/, `key ${JSON.stringify(k)} was accepted`);
    });

    if (b.inTransaction) {
      it('joins a transaction: a rolled-back put leaves nothing', async () => {
        await assert.rejects(
          b.inTransaction!(async (s) => {
            await s.put('file_rolled_back', Buffer.from('x'));
            assert.equal((await s.get('file_rolled_back'))?.toString(), 'x', 'the transaction sees its own write');
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.equal(await store.get('file_rolled_back'), undefined);
      });
    }
  });
}

describe('filesystem BlobStore crash safety', () => {
  it('never shows a partly written blob under its key: writes go to a temporary name, then rename', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-blobs-'));
    try {
      const store = filesystemBlobStore(dir);
      await store.put('file_a', Buffer.from('old contents'));
      // A crash between write and rename leaves a temporary file: simulate one and check it is invisible.
      fs.writeFileSync(path.join(dir, '.tmp-file_a-deadbeef'), 'half');
      assert.equal((await store.get('file_a'))?.toString(), 'old contents');
      await store.put('file_a', Buffer.from('new contents'));
      assert.equal((await store.get('file_a'))?.toString(), 'new contents');
      const names = fs.readdirSync(dir).filter((n) => !n.startsWith('.tmp-'));
      assert.deepEqual(names, ['file_a']);
      const mode = fs.statSync(path.join(dir, 'file_a')).mode & 0o777;
      assert.equal(mode, 0o600, `blob file mode ${mode.toString(8)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('buildDeps chooses the blob store', () => {
  it('puts the files of a file-backed SQLite database under DATA_DIR/files', async () => {
    const { buildDeps } = await import('../deps.js');
    const { loadConfig } = await import('../config.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-deps-'));
    const deps = await buildDeps({ ...loadConfig({}), dataDir: dir, databaseUrl: undefined, logLevel: 'silent' });
    try {
      await deps.blobs.put('file_on_disk', Buffer.from('x'));
      assert.ok(fs.existsSync(path.join(dir, 'files', 'file_on_disk')), `not on disk: ${fs.readdirSync(dir)}`);
    } finally {
      await deps.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the files of an in-memory database in the blobs table', async () => {
    const { buildDeps } = await import('../deps.js');
    const { loadConfig } = await import('../config.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-deps-'));
    const deps = await buildDeps({ ...loadConfig({}), dataDir: dir, databaseUrl: undefined, logLevel: 'silent' }, { sqlitePath: ':memory:' });
    try {
      await deps.blobs.put('file_in_table', Buffer.from('x'));
      const row = await deps.store.db.selectFrom('blobs').select('key').where('key', '=', 'file_in_table').executeTakeFirst();
      assert.ok(row, 'not in the blobs table');
      assert.equal(fs.existsSync(path.join(dir, 'files')), false);
    } finally {
      await deps.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
