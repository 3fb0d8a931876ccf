// At-least-once across a crash: a real `verity serve` process is killed with SIGKILL in the middle of a burst
// of status changes while deliveries are in flight, then restarted on the same DATA_DIR. Every event the
// database holds must reach the right receiver (and only that one), correctly signed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import Stripe from 'stripe';
import { show } from '../identity.js';
import { type Proc, freePort, spawnVerity, untilServing } from '../processes.js';
import { eventOf, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

const PER_MODE = 120;
const CONCURRENCY = 32; // VERITY_WEBHOOK_CONCURRENCY: at most this many deliveries are lost in flight by the kill
const CLIENTS = 6;
const TIMEOUT_MS = 1000; // the lease of a delivery lost in the crash is 3 × this + 5 s

const rand = () => crypto.randomBytes(18).toString('hex');
const KEYS = { test: `sk_test_${rand()}`, live: `sk_live_${rand()}` };

interface Served extends Proc {
  url: string;
  port: number;
}

async function serve(dataDir: string, port: number): Promise<Served> {
  const p = spawnVerity(['serve'], {
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    VERITY_API_KEYS: `${KEYS.test},${KEYS.live}`,
    VERITY_LOG: 'silent',
    VERITY_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    VERITY_WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    VERITY_WEBHOOK_RETRY_TEST: '1,1,2,2,4,4,8',
    VERITY_WEBHOOK_RETRY_LIVE: '1,1,2,2,4,4,8',
  });
  const url = `http://127.0.0.1:${port}`;
  await untilServing(p, url);
  return { ...p, url, port };
}

const client = (p: Served, key: string) => new Stripe(key, { host: '127.0.0.1', port: p.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

describe('webhook delivery across a SIGKILL', { timeout: 90_000 }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-crash-'));
  let proc: Served | undefined;
  const rx = {} as Record<'test' | 'live' | 'canceledOnly', Receiver>;
  const inFlight = { test: 0, live: 0 };
  const secrets = {} as Record<keyof typeof rx, string>;
  const created = { test: 0, live: 0 };
  let atKill = { received: 0, inFlight: 0, created: 0 };
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (name: string) => (timings[name] = Date.now() - t0);
  const events = {} as Record<'test' | 'live', Stripe.Event[]>;

  // Creates sessions in one mode with a few concurrent clients until `total` exist or the server goes away.
  async function burst(p: Served, mode: 'test' | 'live', total: number): Promise<void> {
    const worker = async () => {
      while (created[mode] < total) {
        try {
          const res = await fetch(`${p.url}/v1/identity/verification_sessions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEYS[mode]}`, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'type=document',
          });
          if (res.status !== 200) throw new Error(`create answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
          created[mode]++;
        } catch (e) {
          if (p.child.killed) return; // the kill cut this request off
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS / 2 }, worker));
  }

  before(async () => {
    for (const k of ['test', 'live', 'canceledOnly'] as const) rx[k] = await startReceiver();
    for (const mode of ['test', 'live'] as const) {
      // Slow receivers, so that deliveries are in flight when the process dies.
      rx[mode].behave(() => {
        inFlight[mode]++;
        setTimeout(() => inFlight[mode]--, 40);
        return { status: 200, delayMs: 40 };
      });
    }
    const port = await freePort();
    proc = await serve(dataDir, port);
    mark('started');
    secrets.test = (await client(proc, KEYS.test).webhookEndpoints.create({ url: rx.test.url, enabled_events: ['*'] })).secret!;
    secrets.live = (await client(proc, KEYS.live).webhookEndpoints.create({ url: rx.live.url, enabled_events: ['*'] })).secret!;
    secrets.canceledOnly = (
      await client(proc, KEYS.test).webhookEndpoints.create({ url: rx.canceledOnly.url, enabled_events: ['identity.verification_session.canceled'] })
    ).secret!;

    // The burst; SIGKILL once a third of it is done and deliveries are in flight.
    const first = proc;
    const running = Promise.all([burst(first, 'test', PER_MODE), burst(first, 'live', PER_MODE)]);
    const deadline = Date.now() + 30_000;
    while (!(created.test + created.live >= (2 * PER_MODE) / 3 && inFlight.test + inFlight.live > 0)) {
      if (Date.now() > deadline) throw new Error(`the burst did not get going: ${show({ created, inFlight })}\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    atKill = { received: rx.test.received.length + rx.live.received.length, inFlight: inFlight.test + inFlight.live, created: created.test + created.live };
    first.child.kill('SIGKILL');
    await first.exited;
    await running;
    mark('killed');

    // Restart on the same data, finish the burst, and wait until every recorded event has arrived.
    proc = await serve(dataDir, port);
    mark('restarted');
    await Promise.all([burst(proc, 'test', PER_MODE), burst(proc, 'live', PER_MODE)]);
    mark('burst done');
    const until = Date.now() + 45_000;
    for (;;) {
      events.test = await client(proc, KEYS.test).events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
      events.live = await client(proc, KEYS.live).events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
      const missing = (['test', 'live'] as const).flatMap((m) => {
        const got = new Set(rx[m].received.map((r) => eventOf(r).id));
        return events[m].filter((e) => !got.has(e.id)).map((e) => e.id);
      });
      if (missing.length === 0) break;
      if (Date.now() > until) throw new Error(`still undelivered after 45 s: ${missing.length} events, e.g. ${missing.slice(0, 5)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    mark('all delivered');
    // A moment for any stray duplicate still on its way, so the "nowhere else" checks see it.
    await new Promise((r) => setTimeout(r, 300));
  });
  after(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    for (const r of Object.values(rx)) await r?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed the process mid-burst with deliveries in flight (the premise)', () => {
    assert.ok(atKill.inFlight > 0, show(atKill));
    assert.ok(atKill.created < 2 * PER_MODE, show(atKill));
    assert.ok(atKill.received < events.test.length + events.live.length, show(atKill));
    // A create that committed just before the kill but whose answer was lost is not counted, and is made again.
    for (const m of ['test', 'live'] as const)
      assert.ok(events[m].length >= PER_MODE && events[m].length <= PER_MODE + CLIENTS, `one created event per ${m} session:\n${show({ atKill, n: events[m].length })}`);
  });

  it('delivered every event in the database at least once to its mode’s endpoint', () => {
    for (const m of ['test', 'live'] as const) {
      const got = new Set(rx[m].received.map((r) => eventOf(r).id));
      const missing = events[m].filter((e) => !got.has(e.id));
      assert.deepEqual(missing.map((e) => e.id), [], `${m} events never delivered`);
    }
  });

  it('delivered nothing to the wrong mode or endpoint, and nothing the database does not hold', () => {
    for (const m of ['test', 'live'] as const) {
      const known = new Set(events[m].map((e) => e.id));
      for (const r of rx[m].received) {
        const e = eventOf(r);
        assert.equal(e.livemode, m === 'live', `the ${m} receiver got:\n${r.body}`);
        assert.ok(known.has(e.id), `the ${m} receiver got an event the ${m} Events API does not list:\n${r.body}`);
      }
    }
    assert.equal(rx.canceledOnly.received.length, 0, `an endpoint for canceled events only got:\n${show(rx.canceledOnly.received.map(eventOf))}`);
  });

  it('signed every delivery, before and after the crash, with the endpoint’s secret', () => {
    for (const m of ['test', 'live'] as const) for (const r of rx[m].received) verified(r, secrets[m]);
  });

  it('sent duplicates only for attempts that failed or were cut off by the kill (receivers dedupe on the event id)', (t) => {
    const total = rx.test.received.length + rx.live.received.length;
    const distinct = new Set([...rx.test.received, ...rx.live.received].map((r) => eventOf(r).id)).size;
    const db = new SQLite(path.join(dataDir, 'verity.sqlite'), { readonly: true });
    const outcomes = db.prepare('SELECT error, count(*) AS n FROM webhook_attempts GROUP BY error').all() as { error: string | null; n: number }[];
    db.close();
    const failed = outcomes.filter((o) => o.error !== null).reduce((a, o) => a + o.n, 0);
    t.diagnostic(`${total} deliveries of ${distinct} events (${total - distinct} duplicates); at the kill: ${JSON.stringify(atKill)}`);
    t.diagnostic(`attempts by outcome: ${JSON.stringify(outcomes)}; timings (ms): ${JSON.stringify(timings)}`);
    // A duplicate is a request the receiver saw whose success was never recorded: a failed attempt (a timeout
    // on a slow machine), or one of at most CONCURRENCY deliveries in flight when the process died.
    assert.ok(total - distinct <= failed + CONCURRENCY, `${total - distinct} duplicates, ${failed} failed attempts`);
  });
});
