// `npm run bench`: API throughput and list latency, each against a baseline measured in the same run.
//
// 1. Throughput (autocannon, loopback, 50 connections). Verity runs as `verity serve` in a child process
//    (SQLite on disk in a temp DATA_DIR, a real sk_test_ key from VERITY_API_KEYS), next to a bare Hono +
//    @hono/node-server child that returns a fixed session JSON. Measured: the bare GET (baseline), Verity's
//    retrieve (GET /v1/identity/verification_sessions/:id) and create (POST form body, a fresh
//    Idempotency-Key on every request, as stripe-node sends). Each measurement is cut into slices taken in
//    turn (bare, retrieve, create, bare, …) so that the machine's load moving meanwhile weighs on all three
//    alike. Peak RSS is the child's VmHWM.
// 2. List latency at scale. Two Verity children over seeded databases (10,000 and BENCH_LIST_ROWS sessions);
//    a sequential loop alternates requests between them (so machine noise hits both alike) for a 100-item
//    page: no filter, a status filter, and starting_after a cursor 90% deep.
//
// Environment: BENCH_DURATION (s per throughput measurement, default 10), BENCH_WARMUP (s, default 3),
// BENCH_SLICES (each measurement is taken in this many slices interleaved with the others', default 5),
// BENCH_LIST_ROWS (default 1000000), BENCH_LIST_SMALL (default 10000), BENCH_LIST_REQUESTS (per query and
// size, default 1000), BENCH_ONLY=throughput|list.
// Results: a table on stdout and bench/results/api.json. A quick run (about a minute):
//   BENCH_DURATION=3 BENCH_WARMUP=1 BENCH_LIST_ROWS=50000 BENCH_LIST_REQUESTS=200 npm run bench
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options as CannonOptions, type RawResult } from 'autocannon';
import { randomBase62 } from '../../src/domain/ids.js';
import { assertSchema } from '../../test/openapi.js';
import { seedSessions } from './seed.js';

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
  only: env.BENCH_ONLY as 'throughput' | 'list' | undefined,
};

const TARGETS = { retrieveRatio: 0.6, createRatio: 0.4, p99Ms: 25, rssMb: 250, listP99Ratio: 1.5 };

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

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

function verityChild(name: string, dataDir: string): Promise<Child> {
  return startChild(name, ['src/main.ts', 'serve'], {
    DATA_DIR: dataDir,
    VERITY_API_KEYS: API_KEY,
    VERITY_ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64'),
    VERITY_LOG: 'info',
  });
}

// ---- throughput -----------------------------------------------------------------------------------

interface Load {
  /** Requests completed over the seconds measured, all slices together. */
  reqPerSec: number;
  /** req/s of each slice, in order: the spread shows how much the machine's load moved meanwhile. */
  sliceReqPerSec: number[];
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

interface Target {
  name: string;
  url: string;
  opts: Omit<CannonOptions, 'url'>;
  runs: RawResult[];
}

/** One autocannon run against a target; its raw result (latency histogram included) kept unless warming up. */
async function slice(t: Target, seconds: number, record: boolean): Promise<void> {
  const r = await autocannon({ url: t.url, connections: CFG.connections, duration: seconds, ...t.opts, skipAggregateResult: true });
  if (record) t.runs.push(r);
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
    requests: sum((r) => r.totalCompletedRequests),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
  };
}

async function throughput(tmp: string) {
  const bare = await startChild('bare', ['bench/api/bare-server.ts'], {});
  const verity = await verityChild('verity', path.join(tmp, 'throughput'));
  try {
    const created = await fetch(`${verity.url}${SESSIONS}`, {
      method: 'POST',
      headers: { ...AUTH_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
      body: CREATE_BODY,
    });
    if (created.status !== 200) throw new Error(`create failed: ${created.status} ${await created.text()}`);
    const sessionId = ((await created.json()) as { id: string }).id;
    const check = await fetch(`${verity.url}${SESSIONS}/${sessionId}`, { headers: AUTH_HEADERS });
    if (check.status !== 200) throw new Error(`retrieve failed: ${check.status} ${await check.text()}`);
    assertSchema('session', await check.json());

    const tag = randomBase62(8);
    let n = 0;
    const target = (name: string, url: string, opts: Omit<CannonOptions, 'url'>): Target => ({ name, url, opts, runs: [] });
    const targets = [
      target('bare', `${bare.url}${SESSIONS}/${sessionId}`, {}),
      target('retrieve', `${verity.url}${SESSIONS}/${sessionId}`, { headers: AUTH_HEADERS }),
      target('create', `${verity.url}${SESSIONS}`, {
        requests: [
          {
            method: 'POST',
            headers: { ...AUTH_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
            body: CREATE_BODY,
            // A unique Idempotency-Key per request, as stripe-node sends on every POST.
            setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${tag}-${++n}` } }),
          },
        ],
      }),
    ];
    for (const t of targets) {
      log(`throughput: warming up ${t.name} (${CFG.warmupS} s)`);
      await slice(t, CFG.warmupS, false);
    }
    // Each measurement is cut into slices taken in turn (bare, retrieve, create, bare, …), so a change in the
    // machine's load while the benchmark runs weighs on all three alike instead of on whichever ran then.
    const sliceS = CFG.durationS / CFG.slices;
    for (let i = 1; i <= CFG.slices; i++) {
      log(`throughput: slice ${i}/${CFG.slices} (${sliceS.toFixed(1)} s each: bare, retrieve, create)`);
      for (const t of targets) await slice(t, sliceS, true);
    }
    const [b, r, c] = targets.map(loadOf);
    return { bare: b, retrieve: r, create: c, verityPeakRssMb: verity.peakRssMb(), barePeakRssMb: bare.peakRssMb() };
  } finally {
    await verity.stop();
    await bare.stop();
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

async function listLatency(tmp: string) {
  const sizes = [
    { label: 'small', rows: CFG.listSmall },
    { label: 'big', rows: CFG.listRows },
  ] as const;
  const seeded: { label: string; rows: number; dir: string; deepCursor: string; deepPosition: number; seedSeconds: number; dbMb: number }[] = [];
  for (const s of sizes) {
    const dir = path.join(tmp, `list-${s.rows}`);
    fs.mkdirSync(dir, { recursive: true });
    log(`seeding ${s.rows.toLocaleString('en-US')} sessions`);
    const r = await seedSessions(dir, s.rows, ENCRYPTION_KEY);
    const bytes = fs.statSync(r.file).size;
    log(`  seeded in ${r.seconds.toFixed(1)} s, ${(bytes / 1048576).toFixed(0)} MiB`);
    seeded.push({ ...s, dir, deepCursor: r.deepCursor, deepPosition: r.deepPosition, seedSeconds: r.seconds, dbMb: bytes / 1048576 });
  }
  const servers = await Promise.all(seeded.map((s) => verityChild(`verity-${s.rows}`, s.dir)));
  try {
    const queries = [
      { name: 'no filter', qs: () => 'limit=100' },
      { name: 'status=requires_input', qs: () => 'limit=100&status=requires_input' },
      { name: 'starting_after 90% deep', qs: (i: number) => `limit=100&starting_after=${seeded[i].deepCursor}` },
    ];
    const results = [];
    for (const q of queries) {
      log(`list: ${q.name}`);
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
      results.push({ query: q.name, small, big, p99Ratio: big.p99Ms / small.p99Ms, p50Ratio: big.p50Ms / small.p50Ms });
    }
    return {
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
const f2 = (n: number) => n.toFixed(2);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-bench-'));
  const cleanup = async () => {
    await Promise.all([...children].map((c) => c.stop()));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const out: string[] = [];
  const checks: { target: string; value: string; pass: boolean }[] = [];
  const json: Record<string, unknown> = {
    startedAt,
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMb: Math.round(os.totalmem() / 1048576) },
    config: CFG,
    targets: TARGETS,
  };
  try {
    if (CFG.only !== 'list') {
      const t = await throughput(tmp);
      const retrieveRatio = t.retrieve.reqPerSec / t.bare.reqPerSec;
      const createRatio = t.create.reqPerSec / t.bare.reqPerSec;
      json.throughput = { ...t, retrieveRatio, createRatio };
      // Per-slice ratios: each slice of Verity against the bare slice taken just before it.
      const sliceRatios = (l: Load) => l.sliceReqPerSec.map((v, i) => v / t.bare.sliceReqPerSec[i]);
      const spread = (xs: number[], f: (n: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
      out.push(
        `Throughput: autocannon, ${CFG.connections} connections, ${CFG.durationS} s each after ${CFG.warmupS} s warm-up, ` +
          `in ${CFG.slices} interleaved slices`,
        table(
          ['', 'req/s', 'slices req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'non-2xx', 'vs bare', 'slices vs bare'],
          [
            ['bare Hono GET (baseline)', t.bare, 1, '1.00'],
            ['Verity retrieve', t.retrieve, retrieveRatio, spread(sliceRatios(t.retrieve), f2)],
            ['Verity create', t.create, createRatio, spread(sliceRatios(t.create), f2)],
          ].map(([name, l, ratio, sr]) => {
            const x = l as Load;
            return [
              name as string,
              f0(x.reqPerSec),
              spread(x.sliceReqPerSec, f0),
              f1(x.p50Ms),
              f1(x.p99Ms),
              f0(x.requests),
              f0(x.errors),
              f0(x.non2xx),
              `${f2(ratio as number)}×`,
              `${sr as string}×`,
            ];
          }),
        ),
        `Peak RSS (VmHWM): Verity ${f1(t.verityPeakRssMb)} MiB, bare ${f1(t.barePeakRssMb)} MiB`,
      );
      out.push('');
      checks.push(
        { target: `retrieve ≥ ${TARGETS.retrieveRatio}× bare`, value: `${f2(retrieveRatio)}×`, pass: retrieveRatio >= TARGETS.retrieveRatio },
        { target: `create ≥ ${TARGETS.createRatio}× bare`, value: `${f2(createRatio)}×`, pass: createRatio >= TARGETS.createRatio },
        { target: `retrieve p99 ≤ ${TARGETS.p99Ms} ms`, value: `${f1(t.retrieve.p99Ms)} ms`, pass: t.retrieve.p99Ms <= TARGETS.p99Ms },
        { target: `create p99 ≤ ${TARGETS.p99Ms} ms`, value: `${f1(t.create.p99Ms)} ms`, pass: t.create.p99Ms <= TARGETS.p99Ms },
        {
          target: `Verity peak RSS ≤ ${TARGETS.rssMb} MB`,
          value: `${f1(t.verityPeakRssMb)} MiB`,
          pass: t.verityPeakRssMb !== null && t.verityPeakRssMb <= TARGETS.rssMb,
        },
        {
          target: 'no errors or non-2xx under load',
          value: `${t.retrieve.errors + t.create.errors + t.bare.errors} errors, ${t.retrieve.non2xx + t.create.non2xx + t.bare.non2xx} non-2xx`,
          pass: t.retrieve.errors + t.create.errors + t.bare.errors + t.retrieve.non2xx + t.create.non2xx + t.bare.non2xx === 0,
        },
      );
    }
    if (CFG.only !== 'throughput') {
      const l = await listLatency(tmp);
      json.list = l;
      const [small, big] = l.sizes;
      out.push(
        `List latency: GET ${SESSIONS}?limit=100, ${CFG.listRequests} sequential requests per query and size (alternating sizes)`,
        `  ${f0(small.rows)} sessions (${f0(small.dbMb)} MiB, seeded in ${f1(small.seedSeconds)} s) vs ${f0(big.rows)} sessions (${f0(big.dbMb)} MiB, seeded in ${f1(big.seedSeconds)} s); cursor ${f0(small.deepPosition)} / ${f0(big.deepPosition)} rows deep`,
        table(
          ['query', 'size', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p99 ratio', 'p50 ratio'],
          l.results.flatMap((r) => [
            [r.query, f0(small.rows), f2(r.small.p50Ms), f2(r.small.p95Ms), f2(r.small.p99Ms), f2(r.small.maxMs), '', ''],
            ['', f0(big.rows), f2(r.big.p50Ms), f2(r.big.p95Ms), f2(r.big.p99Ms), f2(r.big.maxMs), `${f2(r.p99Ratio)}×`, `${f2(r.p50Ratio)}×`],
          ]),
        ),
        `Peak RSS (VmHWM) of the list servers: ${l.peakRssMb.map((m) => `${f1(m)} MiB`).join(' / ')}`,
        '',
      );
      for (const r of l.results)
        checks.push({ target: `list p99 (${r.query}) ≤ ${TARGETS.listP99Ratio}× at ${f0(big.rows)} vs ${f0(small.rows)}`, value: `${f2(r.p99Ratio)}×`, pass: r.p99Ratio <= TARGETS.listP99Ratio });
    }
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
