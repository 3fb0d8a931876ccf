// `npx tsx bench/webhooks/profile.ts [events]`: the dispatcher's own CPU cost per delivered event, the yardstick
// for delivery work. Wall-clock events/s depends on whatever else the machine runs; the CPU this process
// spends per delivery does not (much).
//
// One process holds Verity's store and dispatcher (SQLite on disk, as `verity serve` runs it); the receiver
// is bench/webhooks/receiver.ts in its own process, so its signature checks are not counted. A backlog of
// identity.verification_session.created events is made through the API in-process with no dispatcher
// running, then the background dispatcher drains it; CPU is process.cpuUsage() over the drain only.
// PROFILE=1 also writes a V8 CPU profile of the drain (open in Chrome DevTools) to PROFILE_OUT
// (default /tmp/webhooks-drain.cpuprofile). PROFILE_TEMPLATE=dir keeps the backlog's database there and starts
// later runs from a copy of it (same event count), which saves making the events again.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { ensureKeys } from '../../src/server.js';
import { Dispatcher } from '../../src/webhooks/delivery.js';
import { freePort } from '../free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.argv[2] ?? 5000);
const KEY = `sk_test_${crypto.randomBytes(20).toString('hex')}`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-webhooks-profile-'));
const template = process.env.PROFILE_TEMPLATE ? `${process.env.PROFILE_TEMPLATE}-${N}` : undefined;
const reuse = template !== undefined && fs.existsSync(path.join(template, 'key'));
if (reuse) fs.cpSync(template, dataDir, { recursive: true });
const encryptionKey = reuse ? fs.readFileSync(path.join(template, 'key'), 'utf8') : crypto.randomBytes(32).toString('base64');
const rxPort = await freePort();
const rx = spawn(process.execPath, ['--import', 'tsx', 'bench/webhooks/receiver.ts'], { cwd: ROOT, env: { ...process.env, PORT: String(rxPort) }, stdio: 'ignore' });
const rxUrl = `http://127.0.0.1:${rxPort}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${rxUrl}/count`)).ok) break;
    } catch {
      if (i > 600) throw new Error('the receiver did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const config = {
    ...loadConfig({ DATA_DIR: dataDir, VERITY_API_KEYS: KEY, VERITY_ENCRYPTION_KEY: encryptionKey, ...process.env, VERITY_LOG: 'silent' }),
    logLevel: 'silent' as const,
  };
  let deps = await buildDeps(config);
  await ensureKeys(deps, () => {});
  const app = createApp(deps);
  const post = async (p: string, body: string) => {
    const r = await app.request(p, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<{ secret?: string }>;
  };
  let secret: string;
  if (reuse) {
    // The receiver's port is new: point the stored endpoint at it.
    const [id] = fs.readFileSync(path.join(template, 'endpoint'), 'utf8').split('\n');
    const e = (await deps.store.webhooks.findEndpoint(id))!;
    await deps.store.webhooks.updateEndpoint({ ...e, url: `${rxUrl}/hooks` });
    secret = e.secret;
  } else {
    const we = (await post('/v1/webhook_endpoints', `url=${encodeURIComponent(`${rxUrl}/hooks`)}&enabled_events[0]=*`)) as { id: string; secret: string };
    secret = we.secret;
    process.stdout.write(`making ${N} events … `);
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < N; i += 8) await post('/v1/identity/verification_sessions', 'type=document&metadata[bench]=webhooks');
      }),
    );
    console.log('done');
    if (template) {
      await deps.close();
      fs.rmSync(template, { recursive: true, force: true });
      fs.cpSync(dataDir, template, { recursive: true });
      fs.writeFileSync(path.join(template, 'key'), encryptionKey);
      fs.writeFileSync(path.join(template, 'endpoint'), we.id);
      deps = await buildDeps(config);
    }
  }
  await fetch(`${rxUrl}/secret`, { method: 'POST', body: secret });

  const session = process.env.PROFILE ? new inspector.Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const dispatcher = new Dispatcher(deps).start({ idleMs: 20 });
  const pending = async () => (await deps.store.webhooks.nextDeliveryDue()) !== undefined;
  while (await pending()) await new Promise((r) => setTimeout(r, 100));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await dispatcher.stop();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    const out = process.env.PROFILE_OUT ?? '/tmp/webhooks-drain.cpuprofile';
    fs.writeFileSync(out, JSON.stringify(profile));
    console.log(`profile: ${out}`);
  }
  const stats = (await (await fetch(`${rxUrl}/stats`)).json()) as { bad: number; rows: unknown[] };
  const us = (cpu.user + cpu.system) / N;
  console.log(
    `delivered ${stats.rows.length} of ${N} (bad signatures ${stats.bad}) in ${(wallMs / 1000).toFixed(2)} s: ${Math.round(N / (wallMs / 1000))} events/s; ` +
      `CPU ${us.toFixed(0)} µs per event (user ${(cpu.user / N).toFixed(0)}, system ${(cpu.system / N).toFixed(0)})`,
  );
  await deps.close();
} finally {
  rx.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
}
