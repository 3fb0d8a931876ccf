// pending_webhooks on an event counts the endpoints that have not acknowledged it yet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { Dispatcher, afterRetryDelay, eventOf, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

describe('pending_webhooks', () => {
  let v: Verity;
  let stripe: Stripe;
  let ok: Receiver;
  let failing: Receiver;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    ok = await startReceiver();
    failing = await startReceiver();
  });
  after(async () => {
    await ok.close();
    await failing.close();
    await v.close();
  });

  it('counts down as each of two endpoints acknowledges, one of them only after failing', async () => {
    const weOk = await stripe.webhookEndpoints.create({ url: ok.url, enabled_events: ['*'] });
    const weFailing = await stripe.webhookEndpoints.create({ url: failing.url, enabled_events: ['*'] });
    failing.behave(() => ({ status: 500 }));
    const dispatcher = new Dispatcher(v.deps);

    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const [created] = (await stripe.events.list({ limit: 1 })).data;
    assert.equal(created.data.object && (created.data.object as { id: string }).id, s.id, show(created));
    assert.equal(created.pending_webhooks, 2, `two subscribed endpoints, none acknowledged yet:\n${show(created)}`);

    await dispatcher.runDue();
    assert.equal(ok.received.length, 1, show(ok.received));
    assert.equal(failing.received.length, 1, show(failing.received));
    const afterOne = await stripe.events.retrieve(created.id);
    assert.equal(afterOne.pending_webhooks, 1, `one endpoint acknowledged, the other answered 500:\n${show(afterOne)}`);

    failing.behave(() => ({ status: 200 }));
    await afterRetryDelay(v, dispatcher, v.deps.config.webhooks.retryTest[0]);
    assert.equal(failing.received.length, 2, show(failing.received));
    const done = await stripe.events.retrieve(created.id);
    assert.equal(done.pending_webhooks, 0, `both acknowledged:\n${show(done)}`);
    assert.equal(ok.received.length, 1, `the endpoint that acknowledged is not sent it again:\n${show(ok.received.map(eventOf))}`);
    verified(ok.received[0], weOk.secret!);
    for (const r of failing.received) verified(r, weFailing.secret!);
  });

  it('is 0 for an event no endpoint subscribes to', async () => {
    const live = v.stripe(v.keys.live);
    await live.identity.verificationSessions.create({ type: 'document' });
    const [e] = (await live.events.list({ limit: 1 })).data;
    assert.equal(e.pending_webhooks, 0, show(e));
  });

  it('events.list({delivery_success}) separates acknowledged events from pending or failing ones', async () => {
    const v2 = await startVerity();
    try {
      const s2 = v2.stripe();
      const rx = await startReceiver();
      try {
        const we = await s2.webhookEndpoints.create({ url: rx.url, enabled_events: ['identity.verification_session.created'] });
        const delivered = await s2.identity.verificationSessions.create({ type: 'document' });
        await new Dispatcher(v2.deps).runDue();
        rx.behave(() => ({ status: 500 }));
        const failed = await s2.identity.verificationSessions.create({ type: 'document' });
        await new Dispatcher(v2.deps).runDue();
        const objectIds = (l: Stripe.ApiList<Stripe.Event>) => l.data.map((e) => (e.data.object as { id: string }).id);
        const ok = await s2.events.list({ delivery_success: true });
        const pending = await s2.events.list({ delivery_success: false });
        assert.deepEqual(objectIds(ok), [delivered.id], show(ok));
        assert.deepEqual(objectIds(pending), [failed.id], show(pending));
        assert.equal((await s2.events.list()).data.length, 2);
        void we;
      } finally {
        await rx.close();
      }
    } finally {
      await v2.close();
    }
  });
});
