// End-to-end latency of live verifications: a real `verity serve` (SQLite in a temp DATA_DIR, worker and engine
// thread in the same process) takes live sessions through the hosted page's API with synthetic documents and
// sample faces; each latency runs from the submit call's answer to the arrival of the webhook event that
// reports the final status (identity.verification_session.verified or .requires_input), as an integration
// learns it. (Until session 6 the bench polled the session every 20 ms: 50 retrieves a second per session in
// flight, which the server's CPU per session and the other sessions' latency paid for.) Peak RSS is the
// server process's high-water mark (engine thread included).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { freePort, spawnVerity, untilServing } from '../../test/processes.js';
import { randomSpec, renderDocument } from '../../test/fixtures/documents.js';
import { randomLicenceSpec, renderLicence } from '../../test/fixtures/licences.js';
import { FACES, documentPortrait, faceCrop } from '../../test/fixtures/faces.js';

export interface LatencyFigures {
  concurrency: number;
  sessions: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  verified: number;
  /**
   * The server process's CPU time (every thread: API, worker, engine threads, OCR) over the run, per session:
   * what the machine must supply per session, unaffected by other load on it, unlike the latencies.
   */
  cpu_ms_per_session: number;
  /** last_error codes of the sessions that were not verified (all these people are genuine). */
  failed: Record<string, number>;
}

export interface Case {
  type: 'passport' | 'id_card' | 'driving_license';
  front: Buffer;
  back: Buffer | null;
  selfie: Buffer;
}

export async function corpus(n: number): Promise<Case[]> {
  const people = FACES.map((f) => f.id);
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const who = people[i % people.length];
    const portrait = await documentPortrait(who);
    const selfie = await faceCrop(who);
    const kind = (['passport', 'id_card', 'driving_license'] as const)[i % 3];
    if (kind === 'driving_license') {
      const lic = await renderLicence({ ...randomLicenceSpec(100 + i), expiry: { day: 1, month: 1, year: 2034 }, portrait });
      out.push({ type: kind, front: lic.front, back: lic.back, selfie });
    } else {
      // Documents that expired are part of the accuracy corpus, not of this latency run.
      const spec = { ...randomSpec(100 + i, kind), portrait, expiry: { day: 1, month: 1, year: 2034 } };
      const doc = await renderDocument(spec);
      out.push({ type: kind, front: doc.front, back: doc.back, selfie });
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

export interface ApiFigures {
  requests: number;
  p50_ms: number;
  p99_ms: number;
}

export async function measureEndToEnd(opts: {
  sessions1: number;
  sessions4: number;
}): Promise<{ runs: LatencyFigures[]; api_idle: ApiFigures; api: ApiFigures; peak_rss_mb: number; idle_rss_mb: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-bench-verification-'));
  // The final-status events, by session id: whoever waits for a session takes its event (or finds it here).
  const finals = new Map<string, { at: number; status: string; code: string | null }>();
  const waiting = new Map<string, () => void>();
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { object: { id: string; status: string; last_error: { code: string | null } | null } };
      };
      const o = event.data.object;
      if (o.status === 'processing' || finals.has(o.id)) return;
      finals.set(o.id, { at, status: o.status, code: o.last_error?.code ?? null });
      waiting.get(o.id)?.();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const port = await freePort();
  const key = `sk_live_${crypto.randomBytes(20).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  // Review off: every session is decided automatically, so each latency ends (a held session would wait for a person).
  const proc = spawnVerity(['serve'], {
    PORT: String(port),
    DATA_DIR: dataDir,
    VERITY_API_KEYS: key,
    VERITY_LOG: 'silent',
    PUBLIC_URL: url,
    VERITY_FACE_REVIEW_BAND: '0',
  });
  try {
    await untilServing(proc, url);
    const stripe = new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', telemetry: false });
    await stripe.webhookEndpoints.create({
      url: receiverUrl,
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.requires_input'],
    });
    const cases = await corpus(Math.max(opts.sessions1, opts.sessions4));
    const idle = rssMb(proc.child.pid!, 'VmRSS');

    const one = async (c: Case): Promise<{ ms: number; status: string; code: string | null }> => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', options: { document: { require_matching_selfie: true } } });
      const token = new URL(s.url!).pathname.split('/').pop()!;
      const call = async (p: string, body: unknown) => {
        const r = await fetch(`${url}/verify/api${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      };
      const image = async (side: string, file: Buffer) => {
        const form = new FormData();
        form.set('side', side);
        form.set('upload_method', 'file_upload');
        form.set('file', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), `${side}.jpg`);
        const r = await fetch(`${url}/verify/api/images`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
        if (!r.ok) throw new Error(`image ${side}: ${r.status} ${await r.text()}`);
      };
      await call('/consent', { accepted: true, locale: 'en' });
      await call('/document_type', { type: c.type });
      await image('front', c.front);
      if (c.back) await image('back', c.back);
      await image('selfie', c.selfie);
      const reported = new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${s.id}: no final status after 120 s`)), 120_000);
        waiting.set(s.id, () => {
          clearTimeout(t);
          resolve();
        });
      });
      await call('/submit', {});
      const t0 = performance.now();
      if (!finals.has(s.id)) await reported;
      waiting.delete(s.id);
      const f = finals.get(s.id)!;
      return { ms: f.at - t0, status: f.status, code: f.code };
    };

    // The API's own latency, idle and while verifications run: one client retrieving a session back to back.
    const probe = await stripe.identity.verificationSessions.create({ type: 'document' });
    const apiLoop = () => {
      let stop = false;
      const times: number[] = [];
      const done = (async () => {
        while (!stop) {
          const t = performance.now();
          await stripe.identity.verificationSessions.retrieve(probe.id);
          times.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      return async (): Promise<ApiFigures> => {
        stop = true;
        await done;
        return { requests: times.length, p50_ms: round1(pct(times, 50)), p99_ms: round1(pct(times, 99)) };
      };
    };

    const runs: LatencyFigures[] = [];
    // One warm-up session loads the models (not counted: a running server has them loaded).
    await one(cases[0]);
    const idleApi = apiLoop();
    await new Promise((r) => setTimeout(r, 3000));
    const api_idle = await idleApi();
    let api: ApiFigures | null = null;
    for (const [concurrency, n] of [
      [1, opts.sessions1],
      [4, opts.sessions4],
    ] as const) {
      const results: { ms: number; status: string; code: string | null }[] = [];
      let next = 0;
      const busyApi = concurrency === 4 ? apiLoop() : null;
      const cpu0 = cpuMs(proc.child.pid!);
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) results.push(await one(cases[next++ % cases.length]));
        }),
      );
      const cpu = cpuMs(proc.child.pid!) - cpu0;
      if (busyApi) api = await busyApi();
      const ms = results.map((r) => r.ms);
      if (process.env.BENCH_VERBOSE) console.error(`[e2e] ${concurrency} at once, in order: ${ms.map(Math.round).join(" ")}`);
      runs.push({
        concurrency,
        sessions: n,
        p50_ms: Math.round(pct(ms, 50)),
        p95_ms: Math.round(pct(ms, 95)),
        max_ms: Math.round(Math.max(...ms)),
        verified: results.filter((r) => r.status === 'verified').length,
        cpu_ms_per_session: Math.round(cpu / n),
        failed: results.reduce<Record<string, number>>((a, r) => (r.code ? { ...a, [r.code]: (a[r.code] ?? 0) + 1 } : a), {}),
      });
    }
    return { runs, api_idle, api: api!, peak_rss_mb: rssMb(proc.child.pid!, 'VmHWM'), idle_rss_mb: idle };
  } finally {
    receiver.close();
    proc.child.kill('SIGTERM');
    await proc.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** User + system CPU of a process so far, from /proc (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}
