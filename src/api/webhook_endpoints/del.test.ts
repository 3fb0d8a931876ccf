import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';

const RX = 'https://hooks.example.com/stripe';

describe('DELETE /v1/webhook_endpoints/:id (del)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  it('returns {id, object, deleted: true}, after which the endpoint is gone', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const d = await stripe.webhookEndpoints.del(we.id);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), { id: we.id, object: 'webhook_endpoint', deleted: true }, show(d));
    const err = await stripeError(stripe.webhookEndpoints.retrieve(we.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: `No such webhook_endpoint: '${we.id}'` });
    const again = await stripeError(stripe.webhookEndpoints.del(we.id));
    assertStripeError(again, { status: 404, code: 'resource_missing' });
    const upd = await stripeError(stripe.webhookEndpoints.update(we.id, { description: 'x' }));
    assertStripeError(upd, { status: 404, code: 'resource_missing' });
  });

  it('cannot delete a live endpoint with a test key', async () => {
    const live = await v.stripe(v.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const err = await stripeError(stripe.webhookEndpoints.del(live.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in live mode/ });
    const still = await v.stripe(v.keys.live).webhookEndpoints.retrieve(live.id);
    assert.equal(still.status, 'enabled', show(still));
  });

  it('stops new events from being queued for the deleted endpoint', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    await stripe.webhookEndpoints.del(we.id);
    await stripe.identity.verificationSessions.create({ type: 'document' });
    const queued = await v.deps.store.webhooks.listDeliveries({ endpoint_id: we.id });
    assert.deepEqual(queued, [], show(queued));
  });
});
