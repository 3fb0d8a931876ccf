// Which endpoint receives which event, and that each delivery is signed so that stripe-node accepts it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type Verity, startVerity } from '../harness.js';
import { show, testHelper } from '../identity.js';
import { Dispatcher, eventOf, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

const ALL_BUT_REDACTED = [
  'identity.verification_session.created',
  'identity.verification_session.processing',
  'identity.verification_session.verified',
  'identity.verification_session.requires_input',
  'identity.verification_session.canceled',
];

describe('webhook routing and signatures', () => {
  let v: Verity;
  let stripe: Stripe;
  let live: Stripe;
  let dispatcher: Dispatcher;
  const rx: Record<'star' | 'named' | 'verifiedOnly' | 'liveStar', Receiver> = {} as never;
  const we: Record<keyof typeof rx, Stripe.WebhookEndpoint> = {} as never;
  let testSessionIds: string[] = [];
  let liveSessionIds: string[] = [];

  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    live = v.stripe(v.keys.live);
    dispatcher = new Dispatcher(v.deps);
    for (const k of Object.keys({ star: 1, named: 1, verifiedOnly: 1, liveStar: 1 }) as (keyof typeof rx)[]) rx[k] = await startReceiver();
    we.star = await stripe.webhookEndpoints.create({ url: rx.star.url, enabled_events: ['*'] });
    we.named = await stripe.webhookEndpoints.create({ url: rx.named.url, enabled_events: ['*', 'identity.verification_session.redacted'] });
    we.verifiedOnly = await stripe.webhookEndpoints.create({ url: rx.verifiedOnly.url, enabled_events: ['identity.verification_session.verified'] });
    we.liveStar = await live.webhookEndpoints.create({ url: rx.liveStar.url, enabled_events: ['*'] });

    // Every identity event type, in test mode: created, processing + verified, processing + requires_input,
    // canceled, redacted.
    const a = await stripe.identity.verificationSessions.create({ type: 'document' });
    await testHelper(stripe, a.id, 'verify');
    const b = await stripe.identity.verificationSessions.create({ type: 'document' });
    await testHelper(stripe, b.id, 'unverify');
    const c = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(c.id);
    await stripe.identity.verificationSessions.redact(c.id);
    v.clock.advance(v.deps.config.redactionDelayMs);
    await v.runJobs();
    testSessionIds = [a.id, b.id, c.id];
    // And a live one.
    const l = await live.identity.verificationSessions.create({ type: 'document' });
    await live.identity.verificationSessions.cancel(l.id);
    liveSessionIds = [l.id];
    await dispatcher.runDue();
  });
  after(async () => {
    for (const r of Object.values(rx)) await r.close();
    await v.close();
  });

  const typesOf = (r: Receiver) => r.received.map((x) => eventOf(x).type);
  const allTestEvents = async () => (await stripe.events.list({ limit: 100 })).data;

  it('produced every identity event type in test mode (the premise of this suite)', async () => {
    const types = new Set((await allTestEvents()).map((e) => e.type));
    assert.deepEqual([...types].sort(), [...ALL_BUT_REDACTED, 'identity.verification_session.redacted'].sort(), show([...types]));
  });

  it('signs every delivery so that stripe.webhooks.constructEvent accepts it with the endpoint’s secret', () => {
    let n = 0;
    for (const k of Object.keys(rx) as (keyof typeof rx)[]) {
      for (const r of rx[k].received) {
        const e = verified(r, we[k].secret!);
        assert.equal(e.object, 'event', show(e));
        n++;
      }
    }
    assert.ok(n >= 15, `expected deliveries to check, got ${n}`);
  });

  it('sends a signature that another endpoint’s secret does not verify', () => {
    const r = rx.star.received[0];
    assert.throws(() => Stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), we.named.secret!), /No signatures found matching/);
  });

  it('sends a JSON POST with a Stripe-Signature header of the form t=…,v1=<64 hex>', () => {
    for (const r of rx.star.received) {
      assert.match(String(r.headers['stripe-signature']), /^t=\d{10},v1=[0-9a-f]{64}$/, show(r.headers));
      assert.match(String(r.headers['content-type']), /^application\/json/, show(r.headers));
    }
  });

  it('sends the event as the Events API shows it', async () => {
    const stored = new Map((await allTestEvents()).map((e) => [e.id, e]));
    for (const r of rx.star.received) {
      const got = JSON.parse(r.body);
      const e = stored.get(got.id);
      assert.ok(e, `delivered an event the API does not know:\n${r.body}`);
      const { pending_webhooks: _a, ...gotRest } = got;
      const { pending_webhooks: _b, ...storedRest } = JSON.parse(JSON.stringify(e));
      assert.deepEqual(gotRest, storedRest, show({ delivered: got, api: e }));
      const fanout = got.type === 'identity.verification_session.verified' ? 3 : 2;
      assert.equal(got.pending_webhooks, fanout, `pending_webhooks as the event was recorded (endpoints subscribed):\n${r.body}`);
    }
  });

  it('sends * every test event except identity.verification_session.redacted, each once', async () => {
    const expected = (await allTestEvents()).filter((e) => e.type !== 'identity.verification_session.redacted').map((e) => e.id).sort();
    const got = rx.star.received.map((r) => eventOf(r).id).sort();
    assert.deepEqual(got, expected, show(typesOf(rx.star)));
    assert.ok(!typesOf(rx.star).includes('identity.verification_session.redacted'), show(typesOf(rx.star)));
  });

  it('sends identity.verification_session.redacted to an endpoint that names it', async () => {
    const expected = (await allTestEvents()).map((e) => e.id).sort();
    const got = rx.named.received.map((r) => eventOf(r).id).sort();
    assert.deepEqual(got, expected, show(typesOf(rx.named)));
    const redacted = rx.named.received.map(eventOf).filter((e) => e.type === 'identity.verification_session.redacted');
    assert.equal(redacted.length, 1, show(typesOf(rx.named)));
    assert.equal(redacted[0].data.object.id, testSessionIds[2], show(redacted));
  });

  it('sends an endpoint only the event types it names', () => {
    const types = typesOf(rx.verifiedOnly);
    assert.deepEqual(types, ['identity.verification_session.verified'], show(types));
    assert.equal(eventOf(rx.verifiedOnly.received[0]).data.object.id, testSessionIds[0], show(rx.verifiedOnly.received));
  });

  it('sends test events only to test endpoints and live events only to live endpoints', () => {
    for (const k of ['star', 'named', 'verifiedOnly'] as const) {
      for (const r of rx[k].received) {
        const e = eventOf(r);
        assert.equal(e.livemode, false, `${k} got a live event:\n${r.body}`);
        assert.ok(testSessionIds.includes(e.data.object.id), r.body);
      }
    }
    const liveGot = rx.liveStar.received.map(eventOf);
    assert.deepEqual(
      liveGot.map((e) => [e.type, e.livemode, e.data.object.id]),
      [
        ['identity.verification_session.created', true, liveSessionIds[0]],
        ['identity.verification_session.canceled', true, liveSessionIds[0]],
      ],
      show(liveGot),
    );
  });

  it('does not queue events for an endpoint created after them, nor for a disabled one', async () => {
    const late = await startReceiver();
    try {
      const lateWe = await stripe.webhookEndpoints.create({ url: late.url, enabled_events: ['*'] });
      await stripe.webhookEndpoints.update(lateWe.id, { disabled: true });
      await stripe.identity.verificationSessions.create({ type: 'document' });
      await dispatcher.runDue();
      assert.equal(late.received.length, 0, show(late.received));
      await stripe.webhookEndpoints.update(lateWe.id, { disabled: false });
      await dispatcher.runDue();
      assert.equal(late.received.length, 0, `events made while it was disabled are never sent:\n${show(late.received)}`);
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      await dispatcher.runDue();
      assert.deepEqual(late.received.map((r) => eventOf(r).data.object.id), [s.id], show(late.received));
      verified(late.received[0], lateWe.secret!);
    } finally {
      await late.close();
    }
  });
});
