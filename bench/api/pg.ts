// PostgreSQL for `npm run bench`. With DATABASE_URL set, fresh databases are created in that server (the URL
// must name a role that may CREATE DATABASE) and dropped at the end. Without it, a throwaway cluster is made
// the way scripts/test-postgres.sh makes one (initdb into a temp dir, 127.0.0.1 on a free port, run as the
// `postgres` user when we are root), except that PostgreSQL's durability defaults stay as they are (fsync,
// synchronous_commit and full_page_writes on), so throughput figures are those of a real server; it is
// stopped and deleted at exit. The settings in force are read back from the server and printed.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../free-port.js';

export interface PgServer {
  /** 'DATABASE_URL' or 'throwaway cluster'. */
  source: string;
  /** host:port, for the report. */
  where: string;
  version: string;
  /** Settings that bear on the figures, as the server reports them. */
  settings: Record<string, string>;
  /** Creates an empty database; resolves with its URL. Dropped again by close(). */
  createDatabase(name: string): Promise<string>;
  /** Drops every database made here; stops and deletes the throwaway cluster. */
  close(): Promise<void>;
}

const REPORTED = ['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections'];

/** Why there is no PostgreSQL to use, or null when there is (DATABASE_URL or installed server binaries). */
export function pgUnavailable(): string | null {
  if (process.env.DATABASE_URL) return null;
  return findInitdb() ? null : 'DATABASE_URL is unset and no /usr/lib/postgresql/*/bin/initdb is installed';
}

function findInitdb(): string | null {
  const base = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin/initdb')));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  return v ? path.join(base, v, 'bin/initdb') : null;
}

export async function startPg(): Promise<PgServer> {
  const url = process.env.DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must start with postgres://');
    return open(url, 'DATABASE_URL', async () => {});
  }
  return throwawayCluster();
}

async function open(adminUrl: string, source: string, stop: () => Promise<void>): Promise<PgServer> {
  const admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  admin.on('error', () => {});
  const settings: Record<string, string> = {};
  let version = '';
  try {
    version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    for (const s of REPORTED) settings[s] = (await admin.query<Record<string, string>>(`SHOW ${s}`)).rows[0][s];
  } catch (e) {
    await admin.end().catch(() => {});
    await stop();
    throw e;
  }
  const tag = crypto.randomBytes(4).toString('hex');
  const made: string[] = [];
  const u = new URL(adminUrl);
  return {
    source,
    where: `${u.hostname}:${u.port || '5432'}`,
    version,
    settings,
    async createDatabase(name) {
      const db = `verity_bench_${tag}_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
      await admin.query(`CREATE DATABASE "${db}"`);
      made.push(db);
      const dbUrl = new URL(adminUrl);
      dbUrl.pathname = `/${db}`;
      return dbUrl.toString();
    },
    async close() {
      for (const db of made.splice(0)) {
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
        } catch (e) {
          process.stderr.write(`[bench] could not drop database ${db}: ${(e as Error).message}\n`);
        }
      }
      await admin.end().catch(() => {});
      await stop();
    },
  };
}

async function throwawayCluster(): Promise<PgServer> {
  const initdb = findInitdb();
  if (!initdb) throw new Error('no /usr/lib/postgresql/*/bin/initdb: install PostgreSQL (apt-get install postgresql) or set DATABASE_URL');
  const bin = path.dirname(initdb);
  const root = process.getuid?.() === 0;
  // As root the server must run as another user: `postgres`, as Debian's package makes it.
  const run = (cmd: string, args: string[]) =>
    execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-bench-pg-'));
  fs.chmodSync(tmp, 0o755);
  const data = path.join(tmp, 'data');
  const sock = path.join(tmp, 'sock');
  fs.mkdirSync(data, { mode: 0o700 });
  fs.mkdirSync(sock, { mode: 0o755 });
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(data, uid, gid);
    fs.chownSync(sock, uid, gid);
  }
  let started = false;
  const stopSync = () => {
    if (started) {
      started = false;
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      } catch {
        try {
          run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // Last resort if the benchmark dies without its cleanup: never leave a server running.
  process.once('exit', stopSync);
  try {
    run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        // Durability settings are left at PostgreSQL's defaults (all on): the figures are a real server's.
        run(path.join(bin, 'pg_ctl'), [
          '-D',
          data,
          '-l',
          path.join(data, 'server.log'),
          '-w',
          '-t',
          '60',
          '-o',
          `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c max_connections=200`,
          'start',
        ]);
        started = true;
        break;
      } catch (e) {
        if (attempt === 5) throw new Error(`pg_ctl start failed: ${(e as Error).message}\n${readLog(data)}`);
      }
    }
    return await open(`postgres://postgres@127.0.0.1:${port}/postgres`, 'throwaway cluster', async () => stopSync());
  } catch (e) {
    stopSync();
    throw e;
  }
}

function readLog(data: string): string {
  try {
    return fs.readFileSync(path.join(data, 'server.log'), 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
