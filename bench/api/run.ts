// `npm run bench`: API throughput and list latency, each against a baseline measured in the same run, on
// SQLite and on PostgreSQL.
//
// 1. Throughput (autocannon, loopback, 50 connections). Verity runs as `verity serve` in child processes:
//    one on SQLite on disk in a temp DATA_DIR, one on PostgreSQL (DATABASE_URL, a fresh database), each with
//    a real sk_test_ key from VERITY_API_KEYS, next to a bare Hono + @hono/node-server child that returns a
//    fixed session JSON. Measured: the bare GET (baseline), Verity's retrieve (GET
//    /v1/identity/verification_sessions/:id) and create (POST form body, a fresh Idempotency-Key on every
//    request, as stripe-node sends) on each database. Each measurement is cut into slices taken in turn
//    (bare, SQLite retrieve, SQLite create, PostgreSQL retrieve, PostgreSQL create, bare, …) so that the
//    machine's load moving meanwhile weighs on all of them alike; after each slice the requests still in
//    flight are let finish (about one p99 latency) so that they do not weigh on the next slice. Peak RSS is
//    the child's VmHWM. Latency is shown twice: over every request, and "steady", over the requests sent once
//    all 50 connections of their slice were open and answered. Every slice opens 50 new connections, and
//    libuv accepts one connection per turn of the event loop, so while the first connections keep a server
//    busy the last ones wait turns to be accepted (seconds, for creates); the p99 target is about 50 clients
//    that keep their connections, as stripe-node does, so its verdict uses the steady figure.
//    Then, with the servers stopped, the SQLite floor of a create (bench/api/floor.ts: only SQLite's part of
//    it, no HTTP or JavaScript) is set against the bare server's CPU per request over its slices: the ratio
//    of one to the other bounds what create can reach against the bare server.
// 2. Scale-out on PostgreSQL: 1 vs 2 API processes (`verity serve --no-worker` ×2 on one database). The load
//    comes from two autocannon processes (bench/api/driver.ts, 25 connections each) in both cases: both
//    aimed at one API process, or one at each. So the load generator is the same and only the server side
//    changes; on a small machine the generators' own CPU is shown beside the result.
// 3. List latency at scale. Two Verity children over seeded databases (10,000 and BENCH_LIST_ROWS sessions),
//    on SQLite and then on PostgreSQL; a sequential loop alternates requests between them (so machine noise
//    hits both alike) for a 100-item page: no filter, a status filter, and starting_after a cursor 90% deep.
//
// PostgreSQL: DATABASE_URL when set (fresh databases are created in it and dropped at the end; the role must
// be allowed to CREATE DATABASE), otherwise a throwaway cluster (initdb into a temp dir, 127.0.0.1, a free
// port, PostgreSQL's default durability settings: fsync on), stopped and deleted at exit; see bench/api/pg.ts.
// The settings in force are printed. DATABASE_POOL_SIZE is passed to the Verity children as usual.
//
// Environment: BENCH_DURATION (s per throughput measurement, default 10), BENCH_WARMUP (s, default 3),
// BENCH_SLICES (each measurement is taken in this many slices interleaved with the others', default 5),
// BENCH_LIST_ROWS (default 1000000), BENCH_LIST_SMALL (default 10000), BENCH_LIST_REQUESTS (per query and
// size, default 1000), BENCH_ONLY (comma-separated parts: throughput, scale, list, list-sqlite, list-pg;
// `pg` = throughput,scale,list-pg; default all), BENCH_PG (0: no PostgreSQL at all; 1: fail if there is
// none; unset: use it when DATABASE_URL is set or PostgreSQL's server binaries are installed).
// Results: a table on stdout and bench/results/api.json. A quick run (a few minutes):
//   BENCH_DURATION=2 BENCH_WARMUP=1 BENCH_SLICES=2 BENCH_LIST_ROWS=20000 BENCH_LIST_REQUESTS=50 npm run bench
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Client as CannonClient, type Options as CannonOptions, type RawResult } from 'autocannon';
import pg from 'pg';
import { randomBase62 } from '../../src/domain/ids.js';
import { assertSchema } from '../../test/openapi.js';
import type { DriverCommand, DriverReply } from './driver.js';
import { type PgServer, pgUnavailable, startPg } from './pg.js';
import { seedSessions, seedSessionsPg } from './seed.js';
import { freePort } from '../free-port.js';
import { formatFloor, sqliteFloor } from './floor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const num = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

const CFG = {
  connections: 50,
  durationS: num('BENCH_DURATION', 10),
  warmupS: num('BENCH_WARMUP', 3),
  slices: Math.max(1, Math.round(num('BENCH_SLICES', 5))),
  listRows: Math.round(num('BENCH_LIST_ROWS', 1_000_000)),
  listSmall: Math.round(num('BENCH_LIST_SMALL', 10_000)),
  listRequests: Math.round(num('BENCH_LIST_REQUESTS', 1000)),
  only: env.BENCH_ONLY || null,
  pg: env.BENCH_PG === '0' ? ('off' as const) : env.BENCH_PG === '1' ? ('required' as const) : ('auto' as const),
  pgPoolSize: Number(env.DATABASE_POOL_SIZE || 10),
};

const PARTS = ['throughput', 'scale', 'list-sqlite', 'list-pg'] as const;
type Part = (typeof PARTS)[number];
function selectedParts(): Set<Part> {
  if (!CFG.only) return new Set(PARTS);
  const out = new Set<Part>();
  for (const w of CFG.only.split(',').map((x) => x.trim())) {
    if (w === 'list') out.add('list-sqlite').add('list-pg');
    else if (w === 'pg') out.add('throughput').add('scale').add('list-pg');
    else if ((PARTS as readonly string[]).includes(w)) out.add(w as Part);
    else throw new Error(`BENCH_ONLY: unknown part ${w} (throughput, scale, list, list-sqlite, list-pg, pg)`);
  }
  return out;
}

const TARGETS = { retrieveRatio: 0.6, createRatio: 0.4, p99Ms: 25, rssMb: 250, listP99Ratio: 1.5, pgCreateVsSqlite: 0.5, twoProcesses: 1.3 };

const API_KEY = `sk_test_${randomBase62(40)}`;
const ENCRYPTION_KEY = crypto.randomBytes(32);
const STRIPE_VERSION = '2026-10-28.endive';
const SESSIONS = '/v1/identity/verification_sessions';
// What stripe-node sends for a typical create.
const CREATE_BODY = [
  'type=document',
  'client_reference_id=user_4242',
  'metadata[order_id]=ord_4242',
  'options[document][allowed_types][0]=driving_license',
  'options[document][allowed_types][1]=passport',
  'options[document][require_matching_selfie]=true',
].join('&');
const AUTH_HEADERS = { authorization: `Bearer ${API_KEY}`, 'stripe-version': STRIPE_VERSION };

// ---- child servers --------------------------------------------------------------------------------

interface Child {
  name: string;
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMb(): number | null;
  stop(): Promise<void>;
}

const children = new Set<Child>();

function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function startChild(name: string, args: string[], extraEnv: Record<string, string>): Promise<Child> {
  const port = await freePort();
  // node --import tsx runs the script in this very process, so the pid is the server's own.
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-4000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exited: number | null = null;
  const exitP = new Promise<void>((resolve) =>
    proc.once('exit', (code) => {
      exited = code ?? -1;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited (${exited}) before serving:\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const child: Child = {
    name,
    url,
    pid: proc.pid!,
    peakRssMb: () => procStatusMb(proc.pid!, 'VmHWM'),
    async stop() {
      children.delete(child);
      if (exited !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exitP;
      clearTimeout(t);
    },
  };
  children.add(child);
  return child;
}

/** A Verity child on SQLite in dataDir, or on PostgreSQL when databaseUrl is given (DATA_DIR then unused). */
function verityChild(name: string, dataDir: string, opts: { databaseUrl?: string; noWorker?: boolean } = {}): Promise<Child> {
  return startChild(name, ['src/main.ts', 'serve', ...(opts.noWorker ? ['--no-worker'] : [])], {
    DATA_DIR: dataDir,
    // Empty means SQLite (the config reads `DATABASE_URL || undefined`): a DATABASE_URL in the benchmark's own
    // environment names the PostgreSQL server to make databases in, not the SQLite children's database.
    DATABASE_URL: opts.databaseUrl ?? '',
    VERITY_API_KEYS: API_KEY,
    VERITY_ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64'),
    VERITY_LOG: 'info',
  });
}

/** Creates a session through the API, reads it back (through `via` if given), checks it; resolves with its id. */
async function createAndCheck(c: Child, via: Child = c): Promise<string> {
  const created = await fetch(`${c.url}${SESSIONS}`, {
    method: 'POST',
    headers: { ...AUTH_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
    body: CREATE_BODY,
  });
  if (created.status !== 200) throw new Error(`${c.name}: create failed: ${created.status} ${await created.text()}`);
  const sessionId = ((await created.json()) as { id: string }).id;
  const check = await fetch(`${via.url}${SESSIONS}/${sessionId}`, { headers: AUTH_HEADERS });
  if (check.status !== 200) throw new Error(`${via.name}: retrieve failed: ${check.status} ${await check.text()}`);
  assertSchema('session', await check.json());
  return sessionId;
}

// ---- CPU accounting (Linux /proc) -------------------------------------------------------------------

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  // keep 100
}

/** CPU seconds (user + system) a process has used so far; 0 if it cannot be read. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clkTck; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores; everything but idle and iowait). */
function machineBusySeconds(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) / clkTck;
  } catch {
    return 0;
  }
}

// ---- throughput -----------------------------------------------------------------------------------

interface Load {
  /** Requests completed over the seconds measured, all slices together. */
  reqPerSec: number;
  /** req/s of each slice, in order: the spread shows how much the machine's load moved meanwhile. */
  sliceReqPerSec: number[];
  p50Ms: number;
  p99Ms: number;
  /**
   * Latency of the requests sent once every connection of their slice was open and had been answered once:
   * the steady state of 50 keep-alive clients (stripe-node keeps its connections), which the p99 target is
   * about. Each slice opens 50 new connections, and libuv accepts one connection per turn of the event loop
   * (libuv#3696), so on a server busy with the first connections' requests the last ones wait many turns to
   * be accepted: their first requests measure that reconnection storm, a few hundred per slice.
   */
  steadyP50Ms?: number;
  steadyP99Ms?: number;
  requests: number;
  errors: number;
  non2xx: number;
}

interface Target {
  name: string;
  url: string;
  opts: Omit<CannonOptions, 'url'>;
  runs: RawResult[];
  /** Latencies (ms) of the requests sent after their slice's connections were all open (see Load). */
  steady: number[];
}

/** One autocannon run against a target; its raw result (latency histogram included) kept unless warming up. */
async function slice(t: Target, seconds: number, record: boolean): Promise<void> {
  const firstAnswer: number[] = [];
  const answers: { sentAt: number; ms: number }[] = [];
  const setupClient = (client: CannonClient) => {
    let first = true;
    client.on('response', (_status, _bytes, ms) => {
      const now = performance.now();
      answers.push({ sentAt: now - ms, ms });
      if (first) {
        first = false;
        firstAnswer.push(now);
      }
    });
  };
  const r = await autocannon({ url: t.url, connections: CFG.connections, duration: seconds, ...t.opts, setupClient, skipAggregateResult: true });
  if (record) {
    t.runs.push(r);
    // A connection that never got an answer leaves the whole slice out of the steady figures.
    const allOpen = firstAnswer.length === CFG.connections ? Math.max(...firstAnswer) : Infinity;
    for (const a of answers) if (a.sentAt >= allOpen) t.steady.push(a.ms);
  }
  await drain([r], t.url);
}

/**
 * Waits for the requests still in flight when a slice stopped: the server finishes them after autocannon has
 * hung up, and they would otherwise eat into the next slice (another measurement's). They were sent at most
 * about one latency ago, so the slice's p99 latency (capped at 3 s) is long enough; on a quiet machine that is
 * a few milliseconds. The pause is not part of any measurement.
 */
async function drain(runs: RawResult[], url: string): Promise<void> {
  // No request completed: the latency is longer than the slice, so wait the longest.
  const p99 = Math.max(...runs.map((r) => (r.totalCompletedRequests === 0 ? 3000 : autocannon.aggregateResult([r], { url }).latency.p99 || 0)));
  await new Promise((r) => setTimeout(r, Math.min(3000, p99)));
}

function loadOf(t: Target): Load {
  // autocannon's own histograms, merged over the slices (whole milliseconds, as autocannon records them).
  const all = autocannon.aggregateResult(t.runs, { url: t.url, connections: CFG.connections });
  const sum = (f: (r: RawResult) => number) => t.runs.reduce((a, r) => a + f(r), 0);
  return {
    reqPerSec: sum((r) => r.totalCompletedRequests) / sum((r) => r.duration),
    sliceReqPerSec: t.runs.map((r) => r.totalCompletedRequests / r.duration),
    p50Ms: all.latency.p50,
    p99Ms: all.latency.p99,
    ...steadyOf(t.steady),
    requests: sum((r) => r.totalCompletedRequests),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
  };
}

function steadyOf(ms: number[]): { steadyP50Ms: number; steadyP99Ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { steadyP50Ms: percentile(s, 50), steadyP99Ms: percentile(s, 99) };
}

function createTarget(name: string, url: string, tag: string): Target {
  let n = 0;
  return {
    name,
    url,
    runs: [],
    steady: [],
    opts: {
      requests: [
        {
          method: 'POST',
          headers: { ...AUTH_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
          body: CREATE_BODY,
          // A unique Idempotency-Key per request, as stripe-node sends on every POST.
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${tag}-${++n}` } }),
        },
      ],
    },
  };
}

async function throughput(tmp: string, pgServer: PgServer | null) {
  const bare = await startChild('bare', ['bench/api/bare-server.ts'], {});
  const verity = await verityChild('verity', path.join(tmp, 'throughput'));
  const verityPg = pgServer
    ? await verityChild('verity-pg', path.join(tmp, 'throughput-pg'), { databaseUrl: await pgServer.createDatabase('throughput') })
    : null;
  try {
    const sessionId = await createAndCheck(verity);
    const pgSessionId = verityPg ? await createAndCheck(verityPg) : null;

    const tag = randomBase62(8);
    const target = (name: string, url: string, opts: Omit<CannonOptions, 'url'>): Target => ({ name, url, opts, runs: [], steady: [] });
    const targets = [
      target('bare', `${bare.url}${SESSIONS}/${sessionId}`, {}),
      target('SQLite retrieve', `${verity.url}${SESSIONS}/${sessionId}`, { headers: AUTH_HEADERS }),
      createTarget('SQLite create', `${verity.url}${SESSIONS}`, tag),
    ];
    if (verityPg)
      targets.push(
        target('PostgreSQL retrieve', `${verityPg.url}${SESSIONS}/${pgSessionId}`, { headers: AUTH_HEADERS }),
        createTarget('PostgreSQL create', `${verityPg.url}${SESSIONS}`, tag),
      );
    for (const t of targets) {
      log(`throughput: warming up ${t.name} (${CFG.warmupS} s)`);
      await slice(t, CFG.warmupS, false);
    }
    // Each measurement is cut into slices taken in turn (bare, retrieve, create, …), so a change in the
    // machine's load while the benchmark runs weighs on all of them alike instead of on whichever ran then.
    const sliceS = CFG.durationS / CFG.slices;
    let bareCpuS = 0;
    // This process is the load generator (autocannon runs in it): its CPU over the bare slices is what
    // generating one request costs, a GET's (a create's, with its body and key, costs it more).
    let loadCpuUs = 0;
    for (let i = 1; i <= CFG.slices; i++) {
      log(`throughput: slice ${i}/${CFG.slices} (${sliceS.toFixed(1)} s each: ${targets.map((t) => t.name).join(', ')})`);
      for (const t of targets) {
        const cpu0 = t === targets[0] ? cpuSeconds(bare.pid) : 0;
        const load0 = process.cpuUsage();
        await slice(t, sliceS, true);
        if (t === targets[0]) {
          bareCpuS += cpuSeconds(bare.pid) - cpu0;
          const load = process.cpuUsage(load0);
          loadCpuUs += load.user + load.system;
        }
      }
    }
    const [b, r, c, pr, pc] = targets.map(loadOf);
    return {
      bare: b,
      bareCpuMsPerRequest: (bareCpuS * 1000) / b.requests,
      loadGeneratorCpuMsPerRequest: loadCpuUs / 1000 / b.requests,
      retrieve: r,
      create: c,
      verityPeakRssMb: verity.peakRssMb(),
      barePeakRssMb: bare.peakRssMb(),
      postgres: verityPg ? { retrieve: pr, create: pc, verityPeakRssMb: verityPg.peakRssMb() } : null,
    };
  } finally {
    await verityPg?.stop();
    await verity.stop();
    await bare.stop();
  }
}

// ---- 1 vs 2 API processes on PostgreSQL -------------------------------------------------------------

interface Driver {
  pid: number;
  run(cmd: Omit<DriverCommand, 'id'>): Promise<RawResult>;
  stop(): Promise<void>;
}

async function startDriver(): Promise<Driver> {
  const proc = fork(path.join(ROOT, 'bench/api/driver.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve(r: RawResult): void; reject(e: Error): void }>();
  let next = 0;
  let ready: () => void;
  const readyP = new Promise<void>((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code) => reject(new Error(`driver exited (${code}) before it was ready`)));
  });
  proc.on('message', (m: DriverReply) => {
    if (m.id === 0) return ready();
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error || !m.result) w?.reject(new Error(`driver: ${m.error}`));
    else w?.resolve(m.result);
  });
  proc.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`driver exited (${code})`));
    waiting.clear();
  });
  await readyP;
  return {
    pid: proc.pid!,
    run(cmd) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        proc.send({ ...cmd, id } satisfies DriverCommand);
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.disconnect();
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

interface ScaleLoad extends Load {
  /** Average cores busy while this measurement ran: load generators, API processes, PostgreSQL backends, machine. */
  cores: { drivers: number; api: number; postgres: number | null; machine: number };
}

async function scaleOut(tmp: string, pgServer: PgServer) {
  const dbUrl = await pgServer.createDatabase('scale');
  const a = await verityChild('verity-pg-a', path.join(tmp, 'scale-a'), { databaseUrl: dbUrl, noWorker: true });
  const b = await verityChild('verity-pg-b', path.join(tmp, 'scale-b'), { databaseUrl: dbUrl, noWorker: true });
  const drivers = await Promise.all([startDriver(), startDriver()]);
  // The backends' pids, to count their CPU; only meaningful when the server runs on this machine.
  const local = /^(127\.|localhost|\[?::1)/.test(pgServer.where);
  const probe = new pg.Client({ connectionString: dbUrl });
  await probe.connect();
  try {
    const sessionId = await createAndCheck(a, b); // made through one process, read through the other
    const tag = randomBase62(8);
    const perDriver = CFG.connections / drivers.length;
    const measurements = (['create', 'retrieve'] as const).flatMap((kind) =>
      ([1, 2] as const).map((procs) => ({
        name: `${kind} ×${procs}`,
        kind,
        procs,
        runs: [] as RawResult[],
        cpu: { wall: 0, drivers: 0, api: 0, postgres: 0, machine: 0 },
      })),
    );
    const runOnce = async (m: (typeof measurements)[number], seconds: number, record: boolean) => {
      const servers = m.procs === 1 ? [a, a] : [a, b];
      const pgPids = local
        ? (await probe.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid)
        : [];
      const groups = { drivers: drivers.map((d) => d.pid), api: [a.pid, b.pid], postgres: pgPids };
      const cpuOf = () => ({
        wall: performance.now() / 1000,
        drivers: groups.drivers.reduce((s, p) => s + cpuSeconds(p), 0),
        api: groups.api.reduce((s, p) => s + cpuSeconds(p), 0),
        postgres: groups.postgres.reduce((s, p) => s + cpuSeconds(p), 0),
        machine: machineBusySeconds(),
      });
      const before = cpuOf();
      const results = await Promise.all(
        drivers.map((d, i) =>
          d.run({
            url: m.kind === 'create' ? `${servers[i].url}${SESSIONS}` : `${servers[i].url}${SESSIONS}/${sessionId}`,
            connections: perDriver,
            seconds,
            headers: AUTH_HEADERS,
            create: m.kind === 'create' ? { body: CREATE_BODY, keyPrefix: `scale-${tag}-${i}` } : undefined,
          }),
        ),
      );
      const after = cpuOf();
      await drain(results, a.url);
      if (!record) return;
      m.runs.push(...results);
      for (const k of Object.keys(m.cpu) as (keyof typeof m.cpu)[]) m.cpu[k] += after[k] - before[k];
    };
    for (const m of measurements) {
      log(`scale-out: warming up ${m.name} (${CFG.warmupS} s)`);
      await runOnce(m, CFG.warmupS, false);
    }
    const sliceS = CFG.durationS / CFG.slices;
    for (let i = 1; i <= CFG.slices; i++) {
      log(`scale-out: slice ${i}/${CFG.slices} (${sliceS.toFixed(1)} s each: ${measurements.map((m) => m.name).join(', ')})`);
      for (const m of measurements) await runOnce(m, sliceS, true);
    }
    const loads = measurements.map((m): ScaleLoad & { name: string } => {
      const all = autocannon.aggregateResult(m.runs, { url: a.url, connections: CFG.connections });
      const sum = (f: (r: RawResult) => number) => m.runs.reduce((acc, r) => acc + f(r), 0);
      // Each slice ran both drivers for the same seconds: its req/s is the sum of theirs.
      const sliceReqPerSec: number[] = [];
      for (let k = 0; k < m.runs.length; k += drivers.length)
        sliceReqPerSec.push(m.runs.slice(k, k + drivers.length).reduce((acc, r) => acc + r.totalCompletedRequests / r.duration, 0));
      return {
        name: m.name,
        reqPerSec: sum((r) => r.totalCompletedRequests) / (sum((r) => r.duration) / drivers.length),
        sliceReqPerSec,
        p50Ms: all.latency.p50,
        p99Ms: all.latency.p99,
        requests: sum((r) => r.totalCompletedRequests),
        errors: sum((r) => r.errors),
        non2xx: sum((r) => r.non2xx),
        cores: {
          drivers: m.cpu.drivers / m.cpu.wall,
          api: m.cpu.api / m.cpu.wall,
          postgres: local ? m.cpu.postgres / m.cpu.wall : null,
          machine: m.cpu.machine / m.cpu.wall,
        },
      };
    });
    const by = (name: string) => loads.find((l) => l.name === name)!;
    return {
      connectionsPerDriver: perDriver,
      create1: by('create ×1'),
      create2: by('create ×2'),
      retrieve1: by('retrieve ×1'),
      retrieve2: by('retrieve ×2'),
      createRatio: ratio(by('create ×2').reqPerSec, by('create ×1').reqPerSec),
      retrieveRatio: ratio(by('retrieve ×2').reqPerSec, by('retrieve ×1').reqPerSec),
      peakRssMb: [a.peakRssMb(), b.peakRssMb()],
    };
  } finally {
    await probe.end().catch(() => {});
    await Promise.all(drivers.map((d) => d.stop()));
    await Promise.all([a.stop(), b.stop()]);
  }
}

// ---- list latency ---------------------------------------------------------------------------------

interface Latency {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  n: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

function summarize(ms: number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  return { p50Ms: percentile(s, 50), p95Ms: percentile(s, 95), p99Ms: percentile(s, 99), maxMs: s[s.length - 1], n: s.length };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One GET; resolves with the elapsed milliseconds (headers to last byte) after checking the page. */
function timedGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers: AUTH_HEADERS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 500)}`));
        const page = JSON.parse(body) as { data: unknown[] };
        if (page.data.length !== 100) return reject(new Error(`GET ${url}: ${page.data.length} items, expected 100`));
        resolve(ms);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function listLatency(tmp: string, pgServer: PgServer | null) {
  const db = pgServer ? 'PostgreSQL' : 'SQLite';
  const sizes = [
    { label: 'small', rows: CFG.listSmall },
    { label: 'big', rows: CFG.listRows },
  ] as const;
  const seeded: {
    label: string;
    rows: number;
    dir: string;
    databaseUrl?: string;
    deepCursor: string;
    deepPosition: number;
    seedSeconds: number;
    dbMb: number;
  }[] = [];
  for (const s of sizes) {
    const dir = path.join(tmp, `list-${pgServer ? 'pg-' : ''}${s.rows}`);
    fs.mkdirSync(dir, { recursive: true });
    log(`seeding ${s.rows.toLocaleString('en-US')} sessions (${db})`);
    if (pgServer) {
      const r = await seedSessionsPg(await pgServer.createDatabase(`list_${s.rows}`), s.rows, ENCRYPTION_KEY);
      log(`  seeded in ${r.seconds.toFixed(1)} s, ${r.tableMb.toFixed(0)} MiB (table and indexes)`);
      seeded.push({ ...s, dir, databaseUrl: r.url, deepCursor: r.deepCursor, deepPosition: r.deepPosition, seedSeconds: r.seconds, dbMb: r.tableMb });
    } else {
      const r = await seedSessions(dir, s.rows, ENCRYPTION_KEY);
      const bytes = fs.statSync(r.file).size;
      log(`  seeded in ${r.seconds.toFixed(1)} s, ${(bytes / 1048576).toFixed(0)} MiB`);
      seeded.push({ ...s, dir, deepCursor: r.deepCursor, deepPosition: r.deepPosition, seedSeconds: r.seconds, dbMb: bytes / 1048576 });
    }
  }
  const servers = await Promise.all(seeded.map((s) => verityChild(`verity-${db}-${s.rows}`, s.dir, { databaseUrl: s.databaseUrl })));
  try {
    const queries = [
      { name: 'no filter', qs: () => 'limit=100' },
      { name: 'status=requires_input', qs: () => 'limit=100&status=requires_input' },
      { name: 'starting_after 90% deep', qs: (i: number) => `limit=100&starting_after=${seeded[i].deepCursor}` },
    ];
    const results = [];
    for (const q of queries) {
      log(`list (${db}): ${q.name}`);
      const urls = servers.map((srv, i) => `${srv.url}${SESSIONS}?${q.qs(i)}`);
      // The seeded rows must come back as valid sessions: check one page of each against Stripe's schema.
      for (const u of urls) {
        const r = await fetch(u, { headers: AUTH_HEADERS });
        const page = (await r.json()) as { data: { status: string }[] };
        if (r.status !== 200) throw new Error(`GET ${u}: ${r.status} ${JSON.stringify(page)}`);
        assertSchema('sessionList', page);
        if (q.name.startsWith('status=') && page.data.some((x) => x.status !== 'requires_input')) throw new Error(`GET ${u}: filter ignored`);
      }
      for (let w = 0; w < 30; w++) for (const u of urls) await timedGet(u);
      const samples: number[][] = urls.map(() => []);
      for (let k = 0; k < CFG.listRequests; k++) {
        // Alternate which size goes first so neither always follows the other.
        const order = k % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) samples[i].push(await timedGet(urls[i]));
      }
      const [small, big] = samples.map(summarize);
      results.push({ query: q.name, small, big, p99Ratio: ratio(big.p99Ms, small.p99Ms), p50Ratio: ratio(big.p50Ms, small.p50Ms) });
    }
    return {
      database: db,
      sizes: seeded.map((s) => ({ rows: s.rows, deepPosition: s.deepPosition, seedSeconds: s.seedSeconds, dbMb: s.dbMb })),
      results,
      peakRssMb: servers.map((s) => s.peakRssMb()),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

// ---- report ---------------------------------------------------------------------------------------

function log(msg: string) {
  process.stderr.write(`[bench] ${msg}\n`);
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number | null) => (n === null || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
/** a / b, or NaN when b measured nothing (shown as n/a, and a target on it fails). */
const fx = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const atLeast = (r: number, min: number) => Number.isFinite(r) && r >= min;
const atMost = (r: number, max: number) => Number.isFinite(r) && r <= max;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * A warning when a slice is too short for the latencies seen: autocannon counts only the requests that
 * complete within a slice, so when requests take a good part of the slice (or none completed at all), req/s
 * says more about the slice length than about the server.
 */
function shortSliceWarning(loads: Load[]): string[] {
  const sliceMs = (CFG.durationS / CFG.slices) * 1000;
  const worstP99 = Math.max(...loads.map((l) => l.p99Ms));
  const empty = loads.some((l) => l.requests === 0);
  if (!empty && worstP99 * 4 <= sliceMs) return [];
  return [
    `  WARNING: slices of ${(sliceMs / 1000).toFixed(1)} s are too short for latencies up to ${f0(worstP99)} ms p99` +
      `${empty ? ' (some measurement completed no request at all)' : ''}: req/s and ratios here are unreliable; raise BENCH_DURATION.`,
  ];
}

/** Rows for one throughput table line. */
function loadRow(name: string, x: Load, bare: Load | null, extra: string[] = []): string[] {
  const spread = (xs: number[], f: (n: number) => string) => (xs.length ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : 'n/a');
  const vsBare = bare ? ratio(x.reqPerSec, bare.reqPerSec) : 1;
  // Per-slice ratios: each slice of Verity against the bare slice taken just before it.
  const sliceRatios = bare ? x.sliceReqPerSec.map((v, i) => ratio(v, bare.sliceReqPerSec[i])) : [1];
  return [
    name,
    f0(x.reqPerSec),
    spread(x.sliceReqPerSec, f0),
    f1(x.p50Ms),
    f1(x.p99Ms),
    x.steadyP50Ms === undefined ? '' : f1(x.steadyP50Ms),
    x.steadyP99Ms === undefined ? '' : f1(x.steadyP99Ms),
    f0(x.requests),
    f0(x.errors),
    f0(x.non2xx),
    fx(vsBare),
    spread(sliceRatios, fx),
    ...extra,
  ];
}

async function main() {
  const parts = selectedParts();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-bench-'));
  let pgServer: PgServer | null = null;
  let pgNote: string | null = null;
  const cleanup = async () => {
    await Promise.all([...children].map((c) => c.stop()));
    const server = pgServer;
    pgServer = null;
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const out: string[] = [];
  const checks: { target: string; value: string; pass: boolean }[] = [];
  const json: Record<string, unknown> = {
    startedAt,
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMb: Math.round(os.totalmem() / 1048576) },
    config: { ...CFG, parts: [...parts] },
    targets: TARGETS,
  };
  try {
    const wantsPg = parts.has('throughput') || parts.has('scale') || parts.has('list-pg');
    if (wantsPg && CFG.pg !== 'off') {
      const missing = pgUnavailable();
      if (missing && CFG.pg === 'required') throw new Error(`BENCH_PG=1 but ${missing}`);
      if (missing) pgNote = `PostgreSQL skipped: ${missing} (BENCH_PG=1 makes this an error).`;
      else {
        log(`PostgreSQL: ${env.DATABASE_URL ? 'databases in DATABASE_URL' : 'starting a throwaway cluster'}`);
        pgServer = await startPg();
      }
    } else if (wantsPg) pgNote = 'PostgreSQL skipped (BENCH_PG=0).';
    if (pgServer) {
      const st = pgServer.settings;
      const line =
        `PostgreSQL ${pgServer.version} (${pgServer.source}, ${pgServer.where}): ` +
        Object.entries(st)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') +
        `; Verity's pool DATABASE_POOL_SIZE=${CFG.pgPoolSize} per process`;
      json.postgres = { version: pgServer.version, source: pgServer.source, settings: st, poolSize: CFG.pgPoolSize };
      out.push(line);
      if (st.fsync !== 'on' || st.synchronous_commit !== 'on')
        out.push('  NOTE: fsync or synchronous_commit is off on this server: commits are not durable, so write figures are flattered.');
      out.push('');
    }
    if (pgNote) out.push(pgNote, '');

    if (parts.has('throughput')) {
      const t = await throughput(tmp, pgServer);
      // After the servers stopped, so that it has the machine to itself as they had.
      log('throughput: SQLite floor of a create (bench/api/floor.ts)');
      const floor = await sqliteFloor();
      const floorVsBare = floor.total / 1000 / t.bareCpuMsPerRequest;
      // The whole machine: each create needs at least the load generator's work for a request, the bare
      // server's whole request (HTTP alone) and SQLite's floor, whichever cores they run on.
      const cores = os.availableParallelism();
      const machineCreateMs = t.loadGeneratorCpuMsPerRequest + t.bareCpuMsPerRequest + floor.total / 1000;
      const machineBound = ratio((cores * 1000) / machineCreateMs, t.bare.reqPerSec);
      const retrieveRatio = ratio(t.retrieve.reqPerSec, t.bare.reqPerSec);
      const createRatio = ratio(t.create.reqPerSec, t.bare.reqPerSec);
      const p = t.postgres;
      const pgRatios = p
        ? {
            retrieveVsBare: ratio(p.retrieve.reqPerSec, t.bare.reqPerSec),
            createVsBare: ratio(p.create.reqPerSec, t.bare.reqPerSec),
            retrieveVsSqlite: ratio(p.retrieve.reqPerSec, t.retrieve.reqPerSec),
            createVsSqlite: ratio(p.create.reqPerSec, t.create.reqPerSec),
          }
        : null;
      json.throughput = { ...t, retrieveRatio, createRatio, postgres: p && { ...p, ...pgRatios }, sqliteFloor: { ...floor, vsBareCpu: floorVsBare }, createMachineBound: machineBound };
      const blank = p ? [''] : [];
      const rows = [
        loadRow('bare Hono GET (baseline)', t.bare, null, blank),
        loadRow('SQLite retrieve', t.retrieve, t.bare, blank),
        loadRow('SQLite create', t.create, t.bare, blank),
      ];
      if (p && pgRatios)
        rows.push(
          loadRow('PostgreSQL retrieve', p.retrieve, t.bare, [fx(pgRatios.retrieveVsSqlite)]),
          loadRow('PostgreSQL create', p.create, t.bare, [fx(pgRatios.createVsSqlite)]),
        );
      out.push(
        `Throughput: autocannon, ${CFG.connections} connections, ${CFG.durationS} s each after ${CFG.warmupS} s warm-up, ` +
          `in ${CFG.slices} interleaved slices`,
        table(['', 'req/s', 'slices req/s', 'p50 ms', 'p99 ms', 'steady p50', 'steady p99', 'requests', 'errors', 'non-2xx', 'vs bare', 'slices vs bare', ...(p ? ['vs SQLite'] : [])], rows),
        `  steady: requests sent once all ${CFG.connections} connections of their slice were open and answered (the p99 target's figure); ` +
          `p50/p99 count every request, each slice's connection opening included`,
        ...shortSliceWarning([t.bare, t.retrieve, t.create, ...(p ? [p.retrieve, p.create] : [])]),
        `Peak RSS (VmHWM): Verity on SQLite ${f1(t.verityPeakRssMb)} MiB${p ? `, on PostgreSQL ${f1(p.verityPeakRssMb)} MiB` : ''}, bare ${f1(t.barePeakRssMb)} MiB`,
        `${formatFloor(floor)} = ${floorVsBare.toFixed(2)}× the bare server's CPU per request ` +
          `(${(t.bareCpuMsPerRequest * 1000).toFixed(0)} µs over its slices): a create whose server is busy on one core cannot pass ` +
          `about ${(1 / floorVsBare).toFixed(2)}× bare even if nothing else in it cost anything`,
        `On the whole machine (${cores} cores, the load generator's among them): the load generator's ${(t.loadGeneratorCpuMsPerRequest * 1000).toFixed(0)} µs ` +
          `per request + the bare server's ${(t.bareCpuMsPerRequest * 1000).toFixed(0)} µs + SQLite's ${floor.total.toFixed(0)} µs = ${(machineCreateMs * 1000).toFixed(0)} µs ` +
          `of CPU per create at the least: creates cannot pass ${fx(machineBound)} bare even spread over every core with nothing else in them`,
      );
      out.push('');
      const loads = [t.bare, t.retrieve, t.create, ...(p ? [p.retrieve, p.create] : [])];
      const errs = loads.reduce((a, l) => a + l.errors, 0);
      const non2xx = loads.reduce((a, l) => a + l.non2xx, 0);
      checks.push(
        { target: `retrieve ≥ ${TARGETS.retrieveRatio}× bare (SQLite)`, value: fx(retrieveRatio), pass: atLeast(retrieveRatio, TARGETS.retrieveRatio) },
        { target: `create ≥ ${TARGETS.createRatio}× bare (SQLite)`, value: fx(createRatio), pass: atLeast(createRatio, TARGETS.createRatio) },
        { target: `retrieve p99 ≤ ${TARGETS.p99Ms} ms (SQLite, steady)`, value: `${f1(t.retrieve.steadyP99Ms ?? NaN)} ms`, pass: (t.retrieve.steadyP99Ms ?? Infinity) <= TARGETS.p99Ms },
        { target: `create p99 ≤ ${TARGETS.p99Ms} ms (SQLite, steady)`, value: `${f1(t.create.steadyP99Ms ?? NaN)} ms`, pass: (t.create.steadyP99Ms ?? Infinity) <= TARGETS.p99Ms },
        {
          target: `Verity peak RSS ≤ ${TARGETS.rssMb} MB (SQLite)`,
          value: `${f1(t.verityPeakRssMb)} MiB`,
          pass: t.verityPeakRssMb !== null && t.verityPeakRssMb <= TARGETS.rssMb,
        },
      );
      if (p && pgRatios)
        checks.push({
          target: `PostgreSQL create ≥ ${TARGETS.pgCreateVsSqlite}× SQLite create`,
          value: fx(pgRatios.createVsSqlite),
          pass: atLeast(pgRatios.createVsSqlite, TARGETS.pgCreateVsSqlite),
        });
      checks.push({ target: 'no errors or non-2xx under load (throughput)', value: `${errs} errors, ${non2xx} non-2xx`, pass: errs + non2xx === 0 });
    }

    if (parts.has('scale') && pgServer) {
      const sc = await scaleOut(tmp, pgServer);
      json.scaleOut = sc;
      const cores = (l: ScaleLoad) => [f2(l.cores.drivers), f2(l.cores.api), l.cores.postgres === null ? 'n/a' : f2(l.cores.postgres), f2(l.cores.machine)];
      const row = (name: string, l: ScaleLoad, ratio: string) => {
        const r = loadRow(name, l, null);
        // Without the two steady columns (the drivers run in processes of their own and report histograms only).
        return [r[0], r[1], r[2], r[3], r[4], r[7], r[8], r[9], ratio, ...cores(l)];
      };
      out.push(
        `Scale-out on PostgreSQL: 1 vs 2 API processes (verity serve --no-worker, one database), load from 2 autocannon ` +
          `processes × ${sc.connectionsPerDriver} connections in both cases (both at one process, or one at each); ` +
          `${CFG.durationS} s each in ${CFG.slices} interleaved slices`,
        table(
          ['', 'req/s', 'slices req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'non-2xx', '2 vs 1', 'cores: load gen', 'API', 'PG backends', 'machine'],
          [
            row('create, 1 process', sc.create1, ''),
            row('create, 2 processes', sc.create2, fx(sc.createRatio)),
            row('retrieve, 1 process', sc.retrieve1, ''),
            row('retrieve, 2 processes', sc.retrieve2, fx(sc.retrieveRatio)),
          ],
        ),
        ...shortSliceWarning([sc.create1, sc.create2, sc.retrieve1, sc.retrieve2]),
        `  cores = average CPU cores busy during the measurement (of ${os.cpus().length}): the two load generators, the API ` +
          'process(es), the PostgreSQL backends serving them, and the whole machine (other work included). Where the load ' +
          'generators and the machine are near the core count, the figure is bound by the machine, not by Verity.',
        `Peak RSS (VmHWM) of the two API processes: ${sc.peakRssMb.map((m) => `${f1(m)} MiB`).join(' / ')}`,
        '',
      );
      const loads = [sc.create1, sc.create2, sc.retrieve1, sc.retrieve2];
      const errs = loads.reduce((a, l) => a + l.errors, 0);
      const non2xx = loads.reduce((a, l) => a + l.non2xx, 0);
      checks.push(
        { target: `2 API processes ≥ ${TARGETS.twoProcesses}× one (PostgreSQL create)`, value: fx(sc.createRatio), pass: atLeast(sc.createRatio, TARGETS.twoProcesses) },
        { target: 'no errors or non-2xx under load (scale-out)', value: `${errs} errors, ${non2xx} non-2xx`, pass: errs + non2xx === 0 },
      );
    }

    const lists: { part: Part; server: PgServer | null }[] = [];
    if (parts.has('list-sqlite')) lists.push({ part: 'list-sqlite', server: null });
    if (parts.has('list-pg') && pgServer) lists.push({ part: 'list-pg', server: pgServer });
    const listJson: Record<string, unknown> = {};
    for (const { part, server } of lists) {
      const l = await listLatency(tmp, server);
      listJson[part === 'list-sqlite' ? 'sqlite' : 'postgres'] = l;
      const [small, big] = l.sizes;
      const unit = server ? 'MiB table and indexes' : 'MiB';
      out.push(
        `List latency (${l.database}): GET ${SESSIONS}?limit=100, ${CFG.listRequests} sequential requests per query and size (alternating sizes)`,
        `  ${f0(small.rows)} sessions (${f0(small.dbMb)} ${unit}, seeded in ${f1(small.seedSeconds)} s) vs ${f0(big.rows)} sessions (${f0(big.dbMb)} ${unit}, seeded in ${f1(big.seedSeconds)} s); cursor ${f0(small.deepPosition)} / ${f0(big.deepPosition)} rows deep`,
        table(
          ['query', 'size', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p99 ratio', 'p50 ratio'],
          l.results.flatMap((r) => [
            [r.query, f0(small.rows), f2(r.small.p50Ms), f2(r.small.p95Ms), f2(r.small.p99Ms), f2(r.small.maxMs), '', ''],
            ['', f0(big.rows), f2(r.big.p50Ms), f2(r.big.p95Ms), f2(r.big.p99Ms), f2(r.big.maxMs), fx(r.p99Ratio), fx(r.p50Ratio)],
          ]),
        ),
        `Peak RSS (VmHWM) of the list servers: ${l.peakRssMb.map((m) => `${f1(m)} MiB`).join(' / ')}`,
        '',
      );
      for (const r of l.results)
        checks.push({
          target: `list p99 (${l.database}, ${r.query}) ≤ ${TARGETS.listP99Ratio}× at ${f0(big.rows)} vs ${f0(small.rows)}`,
          value: fx(r.p99Ratio),
          pass: atMost(r.p99Ratio, TARGETS.listP99Ratio),
        });
    }
    // Kept where earlier results had it (json.list = the SQLite figures); PostgreSQL's beside them.
    if (listJson.sqlite) json.list = listJson.sqlite;
    if (listJson.postgres) json.listPostgres = listJson.postgres;

    const loadAfter = os.loadavg();
    json.loadavg = { before: loadBefore, after: loadAfter };
    json.checks = checks;
    out.push('Targets', table(['target', 'measured', ''], checks.map((c) => [c.target, c.value, verdict(c.pass)])));
    out.push(
      '',
      `Machine: ${os.cpus().length} cores, Node ${process.version}; load average before ${loadBefore.map(f2).join(' ')}, after ${loadAfter.map(f2).join(' ')}` +
        ' (other work on the machine shows up as noise in every figure).',
    );
    console.log(out.join('\n'));
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'api.json'), JSON.stringify(json, null, 2) + '\n');
    console.log(`\nWrote ${path.relative(process.cwd(), path.join(dir, 'api.json'))}`);
  } finally {
    agent.destroy();
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
