import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { Dispatcher } from '../../src/webhooks/delivery.js';
import { type Verity, startVerity } from '../harness.js';
import { type Receiver, startReceiver } from './receiver.js';

describe('webhook delivery', () => {
  let v: Verity;
  let rx: Receiver;
  before(async () => {
    v = await startVerity();
    rx = await startReceiver();
  });
  after(async () => {
    await rx.close();
    await v.close();
  });

  it('delivers a created event that stripe.webhooks.constructEvent accepts', async () => {
    const stripe = v.stripe();
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    assert.match(we.secret ?? '', /^whsec_/);
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await new Dispatcher(v.deps).runDue();
    const got = rx.received.find((r) => JSON.parse(r.body).data.object.id === s.id);
    assert.ok(got, `nothing received: ${JSON.stringify(rx.received)}`);
    const event = Stripe.webhooks.constructEvent(got.body, String(got.headers['stripe-signature']), we.secret!);
    assert.equal(event.type, 'identity.verification_session.created');
    const stored = await stripe.events.retrieve(event.id);
    assert.equal(stored.pending_webhooks, 0, JSON.stringify(stored));
  });
});
