import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { checkEndpoint } from '../../../test/webhooks/helpers.js';

const RX = 'https://hooks.example.com/stripe';

describe('GET /v1/webhook_endpoints/:id (retrieve)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  it('returns the endpoint as created, without its secret', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], description: 'd', metadata: { k: 'v' } });
    const r = await stripe.webhookEndpoints.retrieve(we.id);
    checkEndpoint(r);
    assert.ok(!('secret' in r), `retrieve never shows the secret:\n${show(r)}`);
    const { secret: _secret, ...rest } = JSON.parse(JSON.stringify(we));
    assert.deepEqual(JSON.parse(JSON.stringify(r)), rest, show({ created: we, retrieved: r }));
  });

  it('never shows the secret in the raw response either', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const res = await v.fetch(`/v1/webhook_endpoints/${we.id}`);
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.ok(!body.includes(we.secret!) && !body.includes('whsec_'), body);
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(stripe.webhookEndpoints.retrieve('we_doesnotexist'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id', message: "No such webhook_endpoint: 'we_doesnotexist'" });
  });

  it('hides a live endpoint from a test key, saying a similar object exists in live mode', async () => {
    const live = await v.stripe(v.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const err = await stripeError(stripe.webhookEndpoints.retrieve(live.id));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      param: 'id',
      message: `No such webhook_endpoint: '${live.id}'; a similar object exists in live mode, but a test mode key was used to make this request.`,
    });
  });

  it('hides a test endpoint from a live key, saying a similar object exists in test mode', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const err = await stripeError(v.stripe(v.keys.live).webhookEndpoints.retrieve(we.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in test mode, but a live mode key/ });
  });

  it('answers a deleted endpoint with resource_missing', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    await stripe.webhookEndpoints.del(we.id);
    const err = await stripeError(stripe.webhookEndpoints.retrieve(we.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: `No such webhook_endpoint: '${we.id}'` });
  });
});
