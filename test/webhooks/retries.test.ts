// What counts as a failure, when a failed delivery is tried again, and when it stops being tried.
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Config, loadConfig } from '../../src/config.js';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { Dispatcher, afterRetryDelay, captureLog, eventOf, signatureTime, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

const TEST_SCHEDULE = [60, 120, 240];
const LIVE_SCHEDULE = [30, 60, 120, 240, 480];

describe('webhook retries', () => {
  let v: Verity;
  let stripe: Stripe;
  let rx: Receiver;
  let dispatcher: Dispatcher;
  const receivers: Receiver[] = [];

  async function boot(webhooks: Partial<Config['webhooks']> = {}) {
    v = await startVerity({ config: { webhooks: { ...loadConfig({}).webhooks, retryTest: TEST_SCHEDULE, retryLive: LIVE_SCHEDULE, ...webhooks } } });
    stripe = v.stripe();
    dispatcher = new Dispatcher(v.deps);
  }
  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }
  const onlyDelivery = async (endpointId: string) => {
    const ds = await v.deps.store.webhooks.listDeliveries({ endpoint_id: endpointId });
    assert.equal(ds.length, 1, show(ds));
    return ds[0];
  };

  beforeEach(async () => {
    await boot();
    rx = await receiver();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
    await v.close();
  });
  after(() => undefined);

  it('waits the scheduled delay, with at most ±15% jitter, before trying again', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    for (let i = 0; i < 10; i++) await stripe.identity.verificationSessions.create({ type: 'document' });
    const t0 = v.clock.nowMs();
    await dispatcher.runDue();
    const ds = await v.deps.store.webhooks.listDeliveries({ endpoint_id: we.id });
    const ratios = ds.map((d) => (d.next_attempt_at - t0) / (TEST_SCHEDULE[0] * 1000));
    for (const r of ratios) assert.ok(r >= 0.85 && r <= 1.15, `next attempt not within ±15% of ${TEST_SCHEDULE[0]} s:\n${show(ds)}`);
    assert.ok(new Set(ratios).size > 1, `retries are jittered, not all at once:\n${show(ratios)}`);
    v.clock.advance(TEST_SCHEDULE[0] * 1000 * 0.84);
    assert.equal(await dispatcher.runDue(), 0, 'nothing is retried before its time');
    assert.equal(rx.received.length, 10, show(rx.received.length));
    v.clock.advance(TEST_SCHEDULE[0] * 1000 * 0.32);
    assert.equal(await dispatcher.runDue(), 10, 'every retry is due once the jittered delay has passed');
  });

  it('counts a 302 redirect as a failure, does not follow it, and retries', async () => {
    const elsewhere = await receiver();
    rx.behave(() => ({ status: 302, headers: { location: elsewhere.url } }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    const d = await onlyDelivery(we.id);
    assert.deepEqual([d.state, d.attempts, d.last_status], ['pending', 1, 302], show(d));
    assert.match(String(d.last_error), /redirect \(302\) counts as a failure/, show(d));
    assert.equal(elsewhere.received.length, 0, `the redirect was followed:\n${show(elsewhere.received)}`);
    rx.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[0]);
    const done = await onlyDelivery(we.id);
    assert.deepEqual([done.state, done.attempts, done.last_status], ['succeeded', 2, 200], show(done));
    assert.equal(rx.received.length, 2, show(rx.received.length));
  });

  it('takes any 2xx (200, 201, 202, 204) as success and does not retry', async () => {
    for (const status of [200, 201, 202, 204]) {
      const r = await receiver();
      r.behave(() => ({ status }));
      await stripe.webhookEndpoints.create({ url: r.url, enabled_events: ['*'] });
    }
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[0]);
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[1]);
    const ds = await v.deps.store.webhooks.listDeliveries({});
    assert.deepEqual(ds.map((d) => [d.state, d.attempts]).sort(), [200, 201, 202, 204].map(() => ['succeeded', 1]), show(ds));
    for (const r of receivers.slice(1)) assert.equal(r.received.length, 1, show(r.received.length));
  });

  it('counts 4xx and other 5xx answers as failures', async () => {
    const statuses = [400, 404, 410, 429, 502];
    for (const status of statuses) {
      const r = await receiver();
      r.behave(() => ({ status }));
      await stripe.webhookEndpoints.create({ url: r.url, enabled_events: ['*'] });
    }
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    const ds = await v.deps.store.webhooks.listDeliveries({});
    assert.deepEqual(ds.map((d) => [d.state, d.last_status, d.last_error]).sort(), statuses.map((s) => ['pending', s, `HTTP ${s}`]), show(ds));
  });

  it('signs each retry again with a new t over a byte-identical body', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    // A second endpoint that acknowledges at once: the event's pending_webhooks changes between the attempts.
    const other = await receiver();
    await stripe.webhookEndpoints.create({ url: other.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[0]);
    rx.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[1]);
    const got = rx.received;
    assert.equal(got.length, 3, show(got.map((r) => r.headers)));
    const times = got.map(signatureTime);
    for (let i = 1; i < got.length; i++) {
      assert.equal(got[i].body, got[0].body, `attempt ${i + 1} sent another body:\n${got[0].body}\n---\n${got[i].body}`);
      assert.ok(times[i] >= times[i - 1] + TEST_SCHEDULE[i - 1] * 0.85, `attempt ${i + 1} reused an old t: ${show(times)}`);
      assert.notEqual(got[i].headers['stripe-signature'], got[i - 1].headers['stripe-signature'], show(got.map((r) => r.headers)));
    }
    for (const r of got) verified(r, we.secret!);
  });

  it('stops after the test-mode schedule runs out: one attempt plus one per delay, then failed', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    for (const delay of TEST_SCHEDULE) await afterRetryDelay(v, dispatcher, delay);
    assert.equal(rx.received.length, TEST_SCHEDULE.length + 1, show(rx.received.length));
    const d = await onlyDelivery(we.id);
    assert.deepEqual([d.state, d.attempts, d.last_status], ['failed', TEST_SCHEDULE.length + 1, 500], show(d));
    const e = await stripe.events.retrieve(d.event_id);
    assert.equal(e.pending_webhooks, 1, `a failed delivery was never acknowledged:\n${show(e)}`);
    v.clock.advance(10 * 86_400_000);
    assert.equal(await dispatcher.runDue(), 0);
    assert.equal(rx.received.length, TEST_SCHEDULE.length + 1, 'no attempt after the schedule ran out');
  });

  it('follows the live schedule for live events', async () => {
    rx.behave(() => ({ status: 500 }));
    const live = v.stripe(v.keys.live);
    const we = await live.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await live.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    for (const delay of LIVE_SCHEDULE) await afterRetryDelay(v, dispatcher, delay);
    await afterRetryDelay(v, dispatcher, 86_400);
    assert.equal(rx.received.length, LIVE_SCHEDULE.length + 1, show(rx.received.length));
    for (const r of rx.received) verified(r, we.secret!);
    const d = await onlyDelivery(we.id);
    assert.deepEqual([d.state, d.attempts], ['failed', LIVE_SCHEDULE.length + 1], show(d));
  });

  it('makes no more attempts for an endpoint disabled through the API', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await stripe.webhookEndpoints.update(we.id, { disabled: true });
    rx.behave(() => ({ status: 200 }));
    for (const delay of TEST_SCHEDULE) await afterRetryDelay(v, dispatcher, delay);
    assert.equal(rx.received.length, 1, `attempts after the endpoint was disabled:\n${show(rx.received.length)}`);
    const d = await onlyDelivery(we.id);
    assert.equal(d.state, 'canceled', show(d));
    await stripe.webhookEndpoints.update(we.id, { disabled: false });
    await afterRetryDelay(v, dispatcher, 86_400);
    assert.equal(rx.received.length, 1, 'a canceled delivery stays canceled after the endpoint is enabled again');
  });

  it('goes on retrying when the endpoint is enabled again before the retry is due', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await stripe.webhookEndpoints.update(we.id, { disabled: true });
    await stripe.webhookEndpoints.update(we.id, { disabled: false });
    rx.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, TEST_SCHEDULE[0]);
    const d = await onlyDelivery(we.id);
    assert.deepEqual([d.state, d.attempts], ['succeeded', 2], show(d));
  });

  it('makes no more attempts for a deleted endpoint', async () => {
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await stripe.webhookEndpoints.del(we.id);
    rx.behave(() => ({ status: 200 }));
    for (const delay of TEST_SCHEDULE) await afterRetryDelay(v, dispatcher, delay);
    assert.equal(rx.received.length, 1, show(rx.received.length));
    assert.equal((await onlyDelivery(we.id)).state, 'canceled');
  });

  it('disables an endpoint that has failed continuously for disableAfterS, with a log line', async () => {
    await v.close();
    await boot({ disableAfterS: 300, retryTest: [60, 60, 60, 60, 60, 60, 60, 60] });
    const log = captureLog();
    v.deps.log = log;
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    const started = v.clock.nowMs();
    await dispatcher.runDue();
    while ((await stripe.webhookEndpoints.retrieve(we.id)).status === 'enabled') {
      assert.ok(v.clock.nowMs() - started < 600_000, `still enabled after 10 minutes of failures:\n${show(log.lines)}`);
      await afterRetryDelay(v, dispatcher, 60);
    }
    const failedFor = (v.clock.nowMs() - started) / 1000;
    assert.ok(failedFor >= 300, `disabled after only ${failedFor} s of failures`);
    const line = log.lines.find((l) => /disabled/.test(l.msg));
    assert.ok(line, `no log line about disabling:\n${show(log.lines)}`);
    assert.equal(line.fields?.endpoint, we.id, show(line));
    assert.ok(!JSON.stringify(log.lines).includes(we.secret!), 'the log must not contain the signing secret');
    const n = rx.received.length;
    rx.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, 60);
    await afterRetryDelay(v, dispatcher, 60);
    assert.equal(rx.received.length, n, 'no attempts after the endpoint was disabled');
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    assert.equal(rx.received.length, n, 'no new events are queued for a disabled endpoint');
  });

  it('does not disable an endpoint whose failures are interrupted by a success', async () => {
    await v.close();
    await boot({ disableAfterS: 300, retryTest: [200, 200, 200] });
    rx.behave(() => ({ status: 500 }));
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    // Fails at t=0 and t≈200; succeeds at t≈400 (another event) ...
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await afterRetryDelay(v, dispatcher, 200);
    rx.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, 200);
    assert.equal((await stripe.webhookEndpoints.retrieve(we.id)).status, 'enabled');
    // ... then fails again for less than 300 s.
    rx.behave(() => ({ status: 500 }));
    await stripe.identity.verificationSessions.create({ type: 'document' });
    await dispatcher.runDue();
    await afterRetryDelay(v, dispatcher, 200);
    const r = await stripe.webhookEndpoints.retrieve(we.id);
    assert.equal(r.status, 'enabled', `the failure window restarts after a success:\n${show(r)}`);
  });

  it('keeps at most `concurrency` deliveries in flight in the background loop', async () => {
    await v.close();
    await boot({ concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    const slow = await receiver();
    slow.behave(() => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 60);
      return { status: 200, delayMs: 60 };
    });
    const we = await stripe.webhookEndpoints.create({ url: slow.url, enabled_events: ['*'] });
    for (let i = 0; i < 12; i++) await stripe.identity.verificationSessions.create({ type: 'document' });
    const loop = dispatcher.start({ idleMs: 10 });
    const deadline = Date.now() + 15_000;
    while (slow.received.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    assert.equal(slow.received.length, 12, show(slow.received.map(eventOf)));
    assert.ok(peak <= 3, `peak of ${peak} deliveries in flight with concurrency 3`);
    assert.ok(peak >= 2, `deliveries ran one at a time (peak ${peak})`);
    for (const r of slow.received) verified(r, we.secret!);
  });
});
