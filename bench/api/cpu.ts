// `tsx bench/api/cpu.ts`: server CPU per request, which machine load moves far less than req/s (other
// processes steal the cores; they only slow each CPU-second somewhat). Starts a bare Hono child and a `verity serve` child on SQLite (as
// bench/api/run.ts does), sends each a fixed number of requests with autocannon and reads the child's CPU
// time (user + system, /proc) before and after. Reports ms of server CPU per request for the bare GET,
// Verity's retrieve and create (a fresh Idempotency-Key on each), each round's and the median, and each as a
// multiple of the bare server's CPU in the same round.
//
// With CPU_BASELINE=<dir> (another checkout of Verity, its node_modules installed or linked), a second
// Verity child runs from there and is measured in turn with this one, so that a change is judged against the
// code before it under the same machine load.
//
// Environment: CPU_REQUESTS (per measurement, default 20000), CPU_ROUNDS (default 3), CPU_CONNECTIONS
// (default 50), CPU_ONLY (retrieve or create: measure that one only), CPU_THREADS=1 (also show the main
// thread's share against all other threads', and the write calls and bytes per request: sockets and files), CPU_PROF=<dir> (every child, the bare server too, writes a V8
// CPU profile into <dir> at exit, so Verity's profile can be read against what the framework alone costs),
// CPU_FLOOR=1 (then also the CPU SQLite alone spends on a create's rows, bench/api/floor.ts, against the bare
// server's request).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import autocannon, { type Options as CannonOptions } from 'autocannon';
import { randomBase62 } from '../../src/domain/ids.js';
import { freePort } from '../free-port.js';
import { formatFloor, sqliteFloor } from './floor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REQUESTS = Number(process.env.CPU_REQUESTS || 20_000);
const ROUNDS = Number(process.env.CPU_ROUNDS || 3);
const CONNECTIONS = Number(process.env.CPU_CONNECTIONS || 50);
const PROFILE = process.env.CPU_PROF || '';
const ONLY = process.env.CPU_ONLY || '';
const BASELINE = process.env.CPU_BASELINE || '';

const API_KEY = `sk_test_${randomBase62(40)}`;
const AUTH = { authorization: `Bearer ${API_KEY}`, 'stripe-version': '2026-10-28.endive' };
const SESSIONS = '/v1/identity/verification_sessions';
const CREATE_BODY =
  'type=document&client_reference_id=user_4242&metadata[order_id]=ord_4242&options[document][allowed_types][0]=driving_license' +
  '&options[document][allowed_types][1]=passport&options[document][require_matching_selfie]=true';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid: number | string): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

async function start(args: string[], env: Record<string, string>, cwd = ROOT): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [...(PROFILE ? ['--cpu-prof', '--cpu-prof-interval', process.env.CPU_PROF_INTERVAL || '1000', '--cpu-prof-dir', PROFILE] : []), '--import', 'tsx', ...args], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not yet listening
    }
    if (i > 600) throw new Error(`${args.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    url,
    pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGINT');
      await exited;
    },
  };
}

/** CPU seconds of a process's main thread and of all its other threads (workers, V8's and libuv's helpers). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = tid === String(pid) ? 'main thread' : 'other threads';
      out.set(name, (out.get(name) ?? 0) + cpuSeconds(`${pid}/task/${tid}`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The process's write(2)-family calls and bytes so far (/proc/<pid>/io, every thread). */
function writes(pid: number): { calls: number; bytes: number } {
  const io = Object.fromEntries(
    fs.readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ') as [string, string]),
  );
  return { calls: Number(io.syscw), bytes: Number(io.wchar) };
}

/** ms of the child's CPU per request over `amount` requests (and, with CPU_THREADS=1, per thread). */
async function measure(pid: number, url: string, opts: Omit<CannonOptions, 'url'>): Promise<number> {
  const before = cpuSeconds(pid);
  const threadsBefore = threadCpu(pid);
  const writesBefore = writes(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, amount: REQUESTS, ...opts });
  await new Promise((res) => setTimeout(res, 200));
  const cpu = cpuSeconds(pid) - before;
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  if (process.env.CPU_THREADS === '1') {
    const per = [...threadCpu(pid)].map(([name, s]) => [name, ((s - (threadsBefore.get(name) ?? 0)) * 1000) / r.requests.total] as const);
    const w = writes(pid);
    const n = r.requests.total;
    console.log(
      `  ${url.replace(/.*\/v1/, '')}: ${per.filter(([, ms]) => ms > 0).map(([n, ms]) => `${n} ${ms.toFixed(3)}`).join(', ')}; ` +
        `${((w.calls - writesBefore.calls) / n).toFixed(1)} write calls, ${((w.bytes - writesBefore.bytes) / n / 1024).toFixed(1)} KiB written`,
    );
  }
  return (cpu * 1000) / r.requests.total;
}

type Verity = Awaited<ReturnType<typeof start>>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-cpu-'));
const verityChild = (dir: string, cwd?: string) =>
  start(
    ['src/main.ts', 'serve'],
    { DATA_DIR: path.join(tmp, dir), DATABASE_URL: '', VERITY_API_KEYS: API_KEY, VERITY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'), VERITY_LOG: 'info' },
    cwd,
  );
const bare = await start(['bench/api/bare-server.ts'], {});
const verities: [string, Verity][] = [['verity', await verityChild('verity')]];
if (BASELINE) verities.push(['baseline', await verityChild('baseline', path.resolve(BASELINE))]);
try {
  const targets = [];
  for (const [name, v] of verities) {
    const created = await fetch(`${v.url}${SESSIONS}`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: CREATE_BODY,
    });
    const id = ((await created.json()) as { id: string }).id;
    let n = 0;
    const tag = randomBase62(6);
    const createOpts: Omit<CannonOptions, 'url'> = {
      requests: [
        {
          method: 'POST',
          headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
          body: CREATE_BODY,
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `cpu-${tag}-${++n}` } }),
        },
      ],
    };
    targets.push({ name, v, id, createOpts });
  }
  const rows: Record<string, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r: Record<string, number> = { bare: await measure(bare.pid, `${bare.url}${SESSIONS}/${targets[0].id}`, {}) };
    for (const t of targets) {
      if (ONLY !== 'create') r[`${t.name} retrieve`] = await measure(t.v.pid, `${t.v.url}${SESSIONS}/${t.id}`, { headers: AUTH });
      if (ONLY !== 'retrieve') r[`${t.name} create`] = await measure(t.v.pid, `${t.v.url}${SESSIONS}`, t.createOpts);
    }
    rows.push(r);
    console.log(`round ${round + 1}: ${Object.entries(r).map(([k, ms]) => `${k} ${ms.toFixed(3)}`).join('  ')} ms CPU/request`);
  }
  // Machine load moves every figure; the median round and each figure over the bare server's show it least.
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.keys(rows[0]).map((k) => {
    const ms = median(rows.map((r) => r[k]));
    return k === 'bare' ? `bare ${ms.toFixed(3)}` : `${k} ${ms.toFixed(3)} (${median(rows.map((r) => r[k] / r.bare)).toFixed(2)}× bare)`;
  });
  console.log(`median: ${summary.join('  ')} ms CPU/request`);
  if (process.env.CPU_FLOOR === '1') {
    const floor = await sqliteFloor();
    const bareMs = median(rows.map((r) => r.bare));
    console.log(`${formatFloor(floor)} = ${(floor.total / 1000 / bareMs).toFixed(2)}× the bare server's whole request`);
  }
} finally {
  await bare.stop();
  for (const [, v] of verities) await v.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
