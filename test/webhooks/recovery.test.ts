// A receiver that fails for a while — 500s, then a timeout, then a refused connection — and then recovers
// receives every event. Retries are driven by the manual clock and runDue(); the only real wait is the
// (short) per-attempt timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { loadConfig } from '../../src/config.js';
import type { AttemptRecord, DeliveryRecord } from '../../src/store/webhook-store.js';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { Dispatcher, afterRetryDelay, eventOf, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

const TIMEOUT_MS = 1000; // generous: a loaded CI machine can take a few hundred ms for a plain local request
const SCHEDULE = [10, 20, 40, 80, 160];

describe('a receiver that fails for a while, then recovers', () => {
  let v: Verity;
  let stripe: Stripe;
  let rx: Receiver;
  let we: Stripe.WebhookEndpoint;
  let dispatcher: Dispatcher;
  const acknowledged = new Set<string>();
  let eventIds: string[] = [];
  let deliveries: DeliveryRecord[] = [];
  const attempts = new Map<number, AttemptRecord[]>();
  let port: number;

  before(async () => {
    v = await startVerity({ config: { webhooks: { ...loadConfig({}).webhooks, timeoutMs: TIMEOUT_MS, retryTest: SCHEDULE } } });
    stripe = v.stripe();
    rx = await startReceiver();
    port = rx.port;
    we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    dispatcher = new Dispatcher(v.deps);

    // 1st attempt: 500. (Connection: close, so that no kept-alive socket outlives the receiver below and the
    // 4th attempt really meets a refused connection.)
    rx.behave(() => ({ status: 500, headers: { connection: 'close' } }));
    for (let i = 0; i < 3; i++) await stripe.identity.verificationSessions.create({ type: 'document' });
    assert.equal(await dispatcher.runDue(), 3);

    // 2nd attempt: 503; a new event made meanwhile fails its first attempt too.
    rx.behave(() => ({ status: 503, headers: { connection: 'close' } }));
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await afterRetryDelay(v, dispatcher, SCHEDULE[0]);

    // 3rd attempt: the receiver takes longer than the timeout.
    rx.behave(() => ({ status: 200, delayMs: TIMEOUT_MS * 3 }));
    await afterRetryDelay(v, dispatcher, SCHEDULE[1]);

    // 4th attempt: nothing listens on the port any more.
    await rx.close();
    await afterRetryDelay(v, dispatcher, SCHEDULE[2]);

    // Recovered, on the same port.
    rx = await startReceiver(port);
    rx.behave((r) => {
      acknowledged.add(eventOf(r).id);
      return { status: 200 };
    });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await afterRetryDelay(v, dispatcher, SCHEDULE[3]);
    // Everything is done: nothing more is due, however far the clock moves.
    await afterRetryDelay(v, dispatcher, SCHEDULE[4]);

    eventIds = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id);
    deliveries = await v.deps.store.webhooks.listDeliveries({ endpoint_id: we.id });
    for (const d of deliveries) attempts.set(d.id, await v.deps.store.webhooks.listAttempts(d.id));
  });
  after(async () => {
    await rx.close();
    await v.close();
  });

  it('ends with every event acknowledged by the receiver', () => {
    assert.equal(eventIds.length, 5, show(eventIds));
    assert.deepEqual([...acknowledged].sort(), [...eventIds].sort(), show({ acknowledged: [...acknowledged], events: eventIds }));
  });

  it('signs the successful deliveries so that constructEvent accepts them', () => {
    assert.equal(rx.received.length, 5, show(rx.received.map(eventOf)));
    for (const r of rx.received) verified(r, we.secret!);
  });

  it('marks every delivery succeeded and pending_webhooks 0', async () => {
    assert.deepEqual(
      deliveries.map((d) => [d.state, d.last_status, d.last_error]),
      eventIds.map(() => ['succeeded', 200, null]),
      show(deliveries),
    );
    for (const id of eventIds) {
      const e = await stripe.events.retrieve(id);
      assert.equal(e.pending_webhooks, 0, show(e));
    }
  });

  it('records every attempt with its status, duration and error', () => {
    const early = deliveries.filter((d) => d.attempts === 5);
    assert.equal(early.length, 3, `the first three events took five attempts:\n${show(deliveries)}`);
    for (const d of early) {
      const a = attempts.get(d.id)!;
      const got = a.map((x) => ({ status: x.status, error: x.error }));
      assert.equal(a.length, 5, show(a));
      assert.deepEqual(got[0], { status: 500, error: 'HTTP 500' }, show(a));
      assert.deepEqual(got[1], { status: 503, error: 'HTTP 503' }, show(a));
      assert.deepEqual(got[2], { status: null, error: `timed out after ${TIMEOUT_MS} ms` }, show(a));
      assert.equal(got[3].status, null, show(a));
      assert.match(String(got[3].error), /ECONNREFUSED/, show(a));
      assert.deepEqual(got[4], { status: 200, error: null }, show(a));
      assert.ok(a[2].duration_ms >= TIMEOUT_MS - 5 && a[2].duration_ms < TIMEOUT_MS * 3, `the timed-out attempt lasted about the timeout:\n${show(a)}`);
      for (const x of a) assert.ok(Number.isInteger(x.duration_ms) && x.duration_ms >= 0, show(a));
      for (let i = 1; i < a.length; i++) assert.ok(a[i].at > a[i - 1].at, `attempts are recorded in order:\n${show(a)}`);
    }
    const counts = deliveries.map((d) => attempts.get(d.id)!.length);
    assert.deepEqual(counts, deliveries.map((d) => d.attempts), show(deliveries));
  });
});
