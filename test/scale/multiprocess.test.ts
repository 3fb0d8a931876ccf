// Scale-out on PostgreSQL: two API processes and two workers share one database, started together (so their
// migrations race). A burst of creates whose idempotency keys are sent to both API processes at once, then
// delayed test-helper outcomes, while one worker is SIGKILLed mid-run: every session must end in the right
// state with exactly one report and one event per transition, and every event must reach the webhook.
// Runs only with DATABASE_URL (npm run test:postgres); SQLite is one process by design.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { freshPostgres } from '../harness.js';
import { show } from '../identity.js';
import { type Proc, freePort, spawnVerity, untilServing } from '../processes.js';
import { verified } from '../webhooks/helpers.js';
import { type Receiver, startReceiver } from '../webhooks/receiver.js';

const SESSIONS = 40;
const PROCESSING_MS = 1500;
const KEY = `sk_test_${crypto.randomBytes(18).toString('hex')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, path: string, body: string, idempotencyKey?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(url + path, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

/** A create as a client with retries would send it: again (same key) while another process holds the key. */
async function createWithRetries(url: string, key: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const r = await post(url, '/v1/identity/verification_sessions', 'type=document&metadata[k]=' + key, key);
    if (r.status === 200) return r.json.id;
    assert.equal(r.status, 409, `only "in use" may interrupt a create: ${show(r)}`);
    assert.equal(r.json.error.code, 'idempotency_key_in_use', show(r));
    await sleep(20);
  }
  throw new Error(`idempotency key ${key} stayed in use`);
}

describe('two API processes and two workers on one PostgreSQL', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (npm run test:postgres)', timeout: 120_000 }, () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let rx: Receiver;
  const api: { proc: Proc; url: string }[] = [];
  const workers: Proc[] = [];
  let stripe: Stripe;
  let endpointSecret = '';

  before(async () => {
    db = await freshPostgres();
    rx = await startReceiver();
    const env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      VERITY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
      VERITY_API_KEYS: KEY,
      VERITY_LOG: 'silent',
      VERITY_JOB_LEASE_MS: '2000',
      VERITY_SIMULATED_PROCESSING_MS: String(PROCESSING_MS),
      VERITY_WEBHOOK_TIMEOUT_MS: '1000',
      VERITY_WEBHOOK_RETRY_TEST: '1,1,2,2,4,4',
    };
    const ports = [await freePort(), await freePort()];
    // All four start at once: each applies migrations at start-up, and the migrator's lock must serialise them.
    for (const port of ports) api.push({ proc: spawnVerity(['serve', '--no-worker'], { ...env, PORT: String(port), HOST: '127.0.0.1' }), url: `http://127.0.0.1:${port}` });
    for (let i = 0; i < 2; i++) workers.push(spawnVerity(['worker'], env));
    await Promise.all(api.map((a) => untilServing(a.proc, a.url)));
    stripe = new Stripe(KEY, { host: '127.0.0.1', port: ports[0], protocol: 'http', maxNetworkRetries: 0, telemetry: false });
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    endpointSecret = we.secret!;
  });

  after(async () => {
    for (const p of [...api.map((a) => a.proc), ...workers]) p.child.kill('SIGKILL');
    await Promise.all([...api.map((a) => a.proc.exited), ...workers.map((w) => w.exited)]);
    await rx?.close();
    await db?.drop();
  });

  it('processes every session exactly once while a worker is killed, and delivers every event', async () => {
    // One idempotency key per session, sent to both API processes at the same moment, then once more later.
    const keys = Array.from({ length: SESSIONS }, (_, i) => `burst-${i}-${crypto.randomBytes(4).toString('hex')}`);
    const ids = await Promise.all(
      keys.map(async (k) => {
        const [a, b] = await Promise.all([createWithRetries(api[0].url, k), createWithRetries(api[1].url, k)]);
        assert.equal(a, b, `one key, two processes, two sessions: ${a} and ${b}`);
        return a;
      }),
    );
    assert.equal(new Set(ids).size, SESSIONS, 'every key created its own session');
    const replay = await createWithRetries(api[1].url, keys[0]);
    assert.equal(replay, ids[0], 'a later retry of the same key replays the first session');

    // Half to verified, half to requires_input, each after the simulated processing delay, spread over both APIs.
    const started = Date.now();
    await Promise.all(
      ids.map(async (id, i) => {
        const r = await post(api[i % 2].url, `/v1/test_helpers/identity/verification_sessions/${id}/${i % 2 ? 'unverify' : 'verify'}`, 'simulate_delay=true');
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.status, 'processing', show(r));
      }),
    );
    // The jobs fall due together; kill one worker just as they do, with some of them claimed.
    await sleep(Math.max(0, PROCESSING_MS + 100 - (Date.now() - started)));
    workers[0].child.kill('SIGKILL');
    await workers[0].exited;

    const deadline = Date.now() + 60_000;
    let sessions: Stripe.Identity.VerificationSession[] = [];
    for (;;) {
      sessions = await stripe.identity.verificationSessions.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
      if (sessions.every((s) => s.status !== 'processing') || Date.now() > deadline) break;
      await sleep(200);
    }
    const byId = new Map(sessions.map((s) => [s.id, s]));
    for (const [i, id] of ids.entries()) {
      const s = byId.get(id);
      assert.equal(s?.status, i % 2 ? 'requires_input' : 'verified', `session ${i}: ${show(s)}\nworker output:\n${workers[1].output()}`);
      const reports = await stripe.identity.verificationReports.list({ verification_session: id });
      assert.equal(reports.data.length, 1, `exactly one report for ${id}: ${show(reports.data)}`);
    }

    const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    const perSession = new Map<string, string[]>();
    for (const e of events) {
      const id = (e.data.object as { id: string }).id;
      perSession.set(id, [...(perSession.get(id) ?? []), e.type]);
    }
    for (const [i, id] of ids.entries()) {
      const types = (perSession.get(id) ?? []).sort();
      const final = i % 2 ? 'identity.verification_session.requires_input' : 'identity.verification_session.verified';
      assert.deepEqual(types, ['identity.verification_session.created', final, 'identity.verification_session.processing'].sort(), `one event per transition for ${id}`);
    }

    // At-least-once delivery: every event arrives (duplicates allowed after the kill), correctly signed.
    const want = new Set(events.map((e) => e.id));
    const until = Date.now() + 60_000;
    const got = new Set<string>();
    while (Date.now() < until) {
      for (const r of rx.received) got.add(verified(r, endpointSecret).id);
      if ([...want].every((id) => got.has(id))) break;
      await sleep(200);
    }
    const missing = [...want].filter((id) => !got.has(id));
    assert.deepEqual(missing, [], `events never delivered (${got.size} of ${want.size} arrived)`);
  });

  it('a SIGTERMed worker and API process finish and exit cleanly', async () => {
    // In-flight creates when the API process is told to stop: each either completes or is refused, never half-done.
    const results = Array.from({ length: 20 }, (_, i) =>
      post(api[1].url, '/v1/identity/verification_sessions', 'type=document', `term-${i}`).then(
        (r) => r.status,
        () => 'refused' as const,
      ),
    );
    await sleep(5);
    api[1].proc.child.kill('SIGTERM');
    workers[1].child.kill('SIGTERM');
    const [apiCode, workerCode] = await Promise.all([api[1].proc.exited, workers[1].exited]);
    assert.equal(apiCode, 0, `API exit code; output:\n${api[1].proc.output()}`);
    assert.equal(workerCode, 0, `worker exit code; output:\n${workers[1].output()}`);
    const statuses = await Promise.all(results);
    assert.ok(statuses.every((s) => s === 200 || s === 'refused'), `each create completed or was refused: ${statuses.join(', ')}`);
    // What completed is stored; what was refused can be retried on the other process with the same key.
    for (const [i, s] of statuses.entries()) {
      const again = await post(api[0].url, '/v1/identity/verification_sessions', 'type=document', `term-${i}`);
      assert.equal(again.status, 200, show(again));
      void s;
    }
  });
});
