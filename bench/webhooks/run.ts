// `npm run bench:webhooks`: webhook delivery throughput and latency.
//
// Three processes: Verity (`verity serve`, SQLite on disk in a temp DATA_DIR, the worker in the same process),
// a webhook receiver (bench/webhooks/receiver.ts: answers 200 at once and verifies every signature with
// stripe-node), and this one, the load generator. Events are made the way an application makes them: by
// status changes through the API (POST /v1/identity/verification_sessions from several concurrent clients,
// each producing an identity.verification_session.created event for the one `*` endpoint).
//
// Phase 1, throughput: BENCH_EVENTS events are created while Verity runs without its worker
// (`serve --no-worker`), then Verity is restarted with the worker and drains the backlog. Delivered
// events/s = backlog / (last backlog arrival − first backlog arrival). Meanwhile BENCH_SIDE_CLIENTS clients
// keep creating sessions, timing the API while delivery runs flat out.
// Phase 2, latency: BENCH_EVENTS more events, created by BENCH_CLIENTS concurrent clients against the running
// server; each event's latency runs from the moment its create request returned (the status change has
// committed by then) to its arrival at the receiver, which answers 200 at once. The figure measured from the
// moment the create request was sent is printed too (an upper bound that includes the API's own latency).
//
// Targets (printed PASS/FAIL): ≥ 1,000 delivered events/s (phase 1), p50 ≤ 50 ms (phase 2).
// Environment: BENCH_EVENTS (default 10000), BENCH_CLIENTS (default 8), BENCH_SIDE_CLIENTS (default 2),
// plus any VERITY_WEBHOOK_* setting, passed on to Verity. Results: stdout and bench/results/webhooks.json.
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const num = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return Math.round(n);
};
const CFG = { events: num('BENCH_EVENTS', 10_000), clients: num('BENCH_CLIENTS', 8), sideClients: num('BENCH_SIDE_CLIENTS', 2) };
const TARGETS = { eventsPerSec: 1000, p50Ms: 50 };
const API_KEY = `sk_test_${crypto.randomBytes(20).toString('hex')}`;
const ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
const now = () => performance.timeOrigin + performance.now();

// ---- child processes ------------------------------------------------------------------------------

interface Child {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}
const children = new Set<Child>();

async function startChild(args: string[], port: number, extraEnv: Record<string, string>, ready: (url: string) => Promise<boolean>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
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
    if (exited !== null) throw new Error(`${args.join(' ')} exited (${exited}) before it was ready:\n${out}`);
    try {
      if (await ready(url)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} was not ready in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const child: Child = {
    url,
    port,
    proc,
    async stop() {
      children.delete(child);
      if (exited !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exitP;
      clearTimeout(t);
    },
  };
  children.add(child);
  return child;
}

const verity = (dataDir: string, port: number, worker: boolean) =>
  startChild(['src/main.ts', 'serve', ...(worker ? [] : ['--no-worker'])], port, {
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    VERITY_API_KEYS: API_KEY,
    VERITY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    VERITY_LOG: 'silent',
  }, async (url) => (await fetch(`${url}/healthz`)).ok);

const receiver = async () => startChild(['bench/webhooks/receiver.ts'], await freePort(), {}, async (url) => (await fetch(`${url}/count`)).ok);

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 100 Hz ticks
  } catch {
    return NaN;
  }
}

// ---- load ---------------------------------------------------------------------------------------------

interface Create {
  id: string;
  sentAt: number;
  returnedAt: number;
}

async function createSession(url: string): Promise<Create> {
  const sentAt = now();
  const res = await fetch(`${url}/v1/identity/verification_sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'type=document&metadata[bench]=webhooks',
  });
  const text = await res.text();
  const returnedAt = now();
  if (res.status !== 200) throw new Error(`create answered ${res.status}: ${text.slice(0, 500)}`);
  return { id: (JSON.parse(text) as { id: string }).id, sentAt, returnedAt };
}

/** `clients` loops creating sessions until `total` are made (or `stop()` says so). */
async function load(url: string, clients: number, total: number, stop: () => boolean = () => false): Promise<Create[]> {
  const out: Create[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (started < total && !stop()) {
        started++;
        out.push(await createSession(url));
      }
    }),
  );
  return out;
}

interface Stats {
  bad: number;
  rows: [string, string, string, number][];
}
const stats = async (rx: Child): Promise<Stats> => (await fetch(`${rx.url}/stats`)).json() as Promise<Stats>;
const count = async (rx: Child): Promise<number> => Number(await (await fetch(`${rx.url}/count`)).text());

async function waitFor(rx: Child, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await count(rx)) < n) {
    if (Date.now() > deadline) throw new Error(`the receiver got ${await count(rx)} of ${n} deliveries in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- figures ------------------------------------------------------------------------------------------

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const r1 = (x: number) => Math.round(x * 10) / 10;
const summary = (xs: number[]) => ({ n: xs.length, p50Ms: r1(pct(xs, 50)), p90Ms: r1(pct(xs, 90)), p99Ms: r1(pct(xs, 99)), maxMs: r1(pct(xs, 100)) });
const apiLatency = (cs: Create[]) => summary(cs.map((c) => c.returnedAt - c.sentAt));

/** First arrival per session id (duplicates are allowed; the first one counts). */
function arrivals(s: Stats): Map<string, number> {
  const m = new Map<string, number>();
  for (const [, , sessionId, at] of s.rows) if (!m.has(sessionId) || m.get(sessionId)! > at) m.set(sessionId, at);
  return m;
}

// ---- run ----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-bench-webhooks-'));
  const port = await freePort();
  console.log(`bench:webhooks — ${CFG.events} events, ${CFG.clients} clients (${CFG.sideClients} beside the drain); ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  try {
    const rx = await receiver();
    let api = await verity(dataDir, port, false);
    const res = await fetch(`${api.url}/v1/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `url=${encodeURIComponent(`${rx.url}/hooks`)}&enabled_events[0]=*`,
    });
    const we = (await res.json()) as { secret: string };
    if (!we.secret) throw new Error(`endpoint create failed: ${JSON.stringify(we)}`);
    await fetch(`${rx.url}/secret`, { method: 'POST', body: we.secret });

    // Phase 1: a backlog made without the worker, then drained by it.
    process.stdout.write(`phase 1: creating a backlog of ${CFG.events} events (worker off) … `);
    const t0 = now();
    const backlog = await load(api.url, CFG.clients, CFG.events);
    const genS = (now() - t0) / 1000;
    console.log(`${genS.toFixed(1)} s (${Math.round(CFG.events / genS)} creates/s)`);
    await api.stop();
    process.stdout.write('phase 1: restarting with the worker and draining … ');
    const restartAt = now();
    api = await verity(dataDir, port, true);
    const readyAt = now();
    const cpuAtReady = cpuMs(api.proc.pid);
    let draining = true;
    const side = load(api.url, CFG.sideClients, Number.MAX_SAFE_INTEGER, () => !draining);
    const backlogIds = new Set(backlog.map((c) => c.id));
    // Cheap polling until enough deliveries have arrived: /stats grows to the whole list of deliveries, and
    // fetching it ten times a second would take CPU from the processes being measured on a small machine.
    while ((await count(rx)) < backlogIds.size) {
      if (now() - readyAt > 300_000) throw new Error(`drained ${await count(rx)} of ${backlogIds.size} in 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (;;) {
      const s = await stats(rx);
      const got = new Set(s.rows.map((r) => r[2]).filter((id) => backlogIds.has(id)));
      if (got.size >= backlogIds.size) break;
      if (now() - readyAt > 300_000) throw new Error(`drained ${got.size} of ${backlogIds.size} in 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpuDrain = cpuMs(api.proc.pid) - cpuAtReady;
    draining = false;
    const sideCreates = await side;
    const s1 = await stats(rx);
    const first1 = arrivals(s1);
    const backlogAt = backlog.map((c) => first1.get(c.id)!);
    const firstAt = Math.min(...backlogAt);
    const lastAt = Math.max(...backlogAt);
    const drain = {
      events: backlog.length,
      seconds: r1((lastAt - firstAt) / 1000),
      eventsPerSec: Math.round((backlog.length - 1) / ((lastAt - firstAt) / 1000)),
      eventsPerSecFromReady: Math.round(backlog.length / ((lastAt - readyAt) / 1000)),
      restartMs: Math.round(readyAt - restartAt),
      apiWhileDraining: apiLatency(sideCreates),
      // Verity's own CPU time over the drain (start-up excluded, the side clients' creates included).
      verityCpuMsPerEvent: Math.round((cpuDrain / (backlog.length + sideCreates.length)) * 1000) / 1000,
      badSignatures: s1.bad,
      duplicates: s1.rows.length - new Set(s1.rows.map((r) => r[0])).size,
    };
    console.log(`${drain.eventsPerSec} events/s (${drain.seconds} s)`);
    const generation = { creates: backlog.length, seconds: r1(genS), createsPerSec: Math.round(CFG.events / genS), api: apiLatency(backlog) };

    // Phase 2: status changes and deliveries at the same time.
    await waitFor(rx, backlog.length + sideCreates.length, 120_000);
    await fetch(`${rx.url}/reset`, { method: 'POST' });
    process.stdout.write(`phase 2: ${CFG.events} creates with delivery running … `);
    const t2 = now();
    const cpu2 = cpuMs(api.proc.pid);
    const live = await load(api.url, CFG.clients, CFG.events);
    await waitFor(rx, live.length, 120_000);
    const cpuLive = cpuMs(api.proc.pid) - cpu2;
    const s2 = await stats(rx);
    const first2 = arrivals(s2);
    const fromReturn = live.map((c) => Math.max(0, first2.get(c.id)! - c.returnedAt));
    const fromSend = live.map((c) => first2.get(c.id)! - c.sentAt);
    const last2 = Math.max(...live.map((c) => first2.get(c.id)!));
    const concurrent = {
      events: live.length,
      seconds: r1((last2 - t2) / 1000),
      eventsPerSec: Math.round(live.length / ((last2 - t2) / 1000)),
      latencyFromStatusChange: summary(fromReturn),
      latencyFromRequestSent: summary(fromSend),
      deliveredBeforeCreateReturned: live.filter((c) => first2.get(c.id)! < c.returnedAt).length,
      api: apiLatency(live),
      // Verity's CPU time per event: the create request and the delivery together.
      verityCpuMsPerEvent: Math.round((cpuLive / live.length) * 1000) / 1000,
      badSignatures: s2.bad,
      duplicates: s2.rows.length - new Set(s2.rows.map((r) => r[0])).size,
    };
    console.log(`${concurrent.seconds} s`);
    await api.stop();
    await rx.stop();

    const pass = {
      eventsPerSec: drain.eventsPerSec >= TARGETS.eventsPerSec,
      p50Ms: concurrent.latencyFromStatusChange.p50Ms <= TARGETS.p50Ms,
      signatures: drain.badSignatures === 0 && concurrent.badSignatures === 0,
    };
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const lat = (x: ReturnType<typeof summary>) => `p50 ${x.p50Ms} ms, p90 ${x.p90Ms} ms, p99 ${x.p99Ms} ms, max ${x.maxMs} ms (n=${x.n})`;
    console.log('');
    console.log(`API creates, worker off (making the backlog): ${generation.createsPerSec}/s; ${lat(generation.api)}`);
    console.log(`phase 1  drain of ${drain.events} events: ${drain.eventsPerSec} events/s delivered (${drain.eventsPerSecFromReady}/s counting from the restarted server's first healthy answer)`);
    console.log(`         API creates while draining: ${lat(drain.apiWhileDraining)}`);
    console.log(`         Verity CPU: ${drain.verityCpuMsPerEvent} ms per event delivered (side creates included)`);
    console.log(`phase 2  ${concurrent.events} events made and delivered in ${concurrent.seconds} s (${concurrent.eventsPerSec} events/s end to end)`);
    console.log(`         status change → receiver 2xx: ${lat(concurrent.latencyFromStatusChange)}`);
    console.log(`         create sent → receiver 2xx:   ${lat(concurrent.latencyFromRequestSent)}`);
    console.log(`         (${concurrent.deliveredBeforeCreateReturned} events arrived before their create request had returned; counted as 0 ms)`);
    console.log(`         API creates while delivering: ${lat(concurrent.api)}`);
    console.log(`         Verity CPU: ${concurrent.verityCpuMsPerEvent} ms per event (its create request and its delivery)`);
    console.log(`signatures refused by constructEvent: ${drain.badSignatures + concurrent.badSignatures}; duplicate deliveries: ${drain.duplicates + concurrent.duplicates}`);
    console.log('');
    console.log(`${verdict(pass.eventsPerSec)}  delivered events/s ≥ ${TARGETS.eventsPerSec}: ${drain.eventsPerSec}`);
    console.log(`${verdict(pass.p50Ms)}  p50 status change → 2xx ≤ ${TARGETS.p50Ms} ms: ${concurrent.latencyFromStatusChange.p50Ms} ms`);
    console.log(`${verdict(pass.signatures)}  every signature verified by stripe.webhooks.constructEvent`);

    const out = {
      startedAt: new Date(t0 - (now() - Date.now())).toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg(), totalMemMb: Math.round(os.totalmem() / 2 ** 20) },
      config: CFG,
      targets: TARGETS,
      generation,
      drain,
      concurrent,
      pass,
    };
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/webhooks.json'), JSON.stringify(out, null, 2) + '\n');
    console.log('\nwrote bench/results/webhooks.json');
  } finally {
    for (const c of [...children]) await c.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

process.once('SIGINT', () => {
  for (const c of children) c.proc.kill('SIGKILL');
  process.exit(130);
});

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  for (const c of children) c.proc.kill('SIGKILL');
  process.exit(1);
});
