import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { show } from '../../../test/identity.js';
import { checkEndpoint, verified } from '../../../test/webhooks/helpers.js';
import { type Receiver, startReceiver } from '../../../test/webhooks/receiver.js';
import { Dispatcher } from '../../webhooks/delivery.js';

describe('POST /v1/webhook_endpoints/:id/roll_secret (Verity extension)', () => {
  let v: Verity;
  let rx: Receiver;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    rx = await startReceiver();
    stripe = v.stripe();
  });
  after(async () => {
    await rx.close();
    await v.close();
  });

  async function rollRaw(id: string, body: string) {
    const res = await v.fetch(`/v1/webhook_endpoints/${id}/roll_secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  /** Creates a session and delivers what is due; returns the delivery for that session's created event. */
  async function deliverOne() {
    const before = rx.received.length;
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await new Dispatcher(v.deps).runDue();
    const got = rx.received.slice(before).find((r) => JSON.parse(r.body).data.object.id === s.id);
    assert.ok(got, `nothing delivered for ${s.id}: ${show(rx.received.slice(before))}`);
    return got;
  }

  it('returns the endpoint with a new secret, shown this once', async () => {
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    const r = await rollRaw(we.id, 'expires_in=3600');
    assert.equal(r.status, 200, show(r));
    checkEndpoint(r.json, true);
    assert.notEqual(r.json.secret, we.secret, show(r));
    checkEndpoint(JSON.parse(JSON.stringify(await stripe.webhookEndpoints.retrieve(we.id))));
    await stripe.webhookEndpoints.del(we.id);
  });

  it('signs with both secrets during the overlap, so constructEvent accepts either', async () => {
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['identity.verification_session.created'] });
    const r = await rollRaw(we.id, 'expires_in=3600');
    const got = await deliverOne();
    const header = String(got.headers['stripe-signature']);
    assert.equal(header.match(/v1=/g)?.length, 2, `expected two v1 signatures: ${header}`);
    verified(got, we.secret!);
    verified(got, r.json.secret);
    await stripe.webhookEndpoints.del(we.id);
  });

  it('stops signing with the old secret once the overlap has passed', async () => {
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['identity.verification_session.created'] });
    const r = await rollRaw(we.id, 'expires_in=60');
    v.clock.advance(61_000);
    const got = await deliverOne();
    const header = String(got.headers['stripe-signature']);
    assert.equal(header.match(/v1=/g)?.length, 1, header);
    verified(got, r.json.secret);
    assert.throws(() => Stripe.webhooks.constructEvent(got.body, header, we.secret!), /signature/i);
    await stripe.webhookEndpoints.del(we.id);
  });

  it('with expires_in=0 the old secret stops at once', async () => {
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['identity.verification_session.created'] });
    const r = await rollRaw(we.id, 'expires_in=0');
    const got = await deliverOne();
    assert.equal(String(got.headers['stripe-signature']).match(/v1=/g)?.length, 1, show(got.headers));
    verified(got, r.json.secret);
    await stripe.webhookEndpoints.del(we.id);
  });

  it('refuses an overlap longer than 24 hours', async () => {
    const we = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] });
    const r = await rollRaw(we.id, 'expires_in=86401');
    assert.equal(r.status, 400, show(r));
    assert.equal(r.json.error.param, 'expires_in', show(r));
    await stripe.webhookEndpoints.del(we.id);
  });

  it('gives 404 for an unknown endpoint', async () => {
    const r = await rollRaw('we_missing', '');
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json.error.code, 'resource_missing', show(r));
  });

});
