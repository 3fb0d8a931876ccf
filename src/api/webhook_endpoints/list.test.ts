import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { checkEndpoint } from '../../../test/webhooks/helpers.js';

const RX = 'https://hooks.example.com/stripe';

describe('GET /v1/webhook_endpoints (list)', () => {
  let v: Verity;
  let stripe: Stripe;
  const made: Stripe.WebhookEndpoint[] = [];
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    for (let i = 0; i < 12; i++) {
      made.push(await stripe.webhookEndpoints.create({ url: `${RX}/${i}`, enabled_events: ['*'] }));
      v.clock.advance(1000);
    }
  });
  after(() => v.close());

  it('lists this mode’s endpoints newest first, ten to a page, in Stripe’s list envelope and without secrets', async () => {
    const res = await v.fetch('/v1/webhook_endpoints');
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.ok(!text.includes('whsec_'), `list never shows a secret:\n${text}`);
    const l = JSON.parse(text);
    assert.deepEqual(Object.keys(l), ['object', 'data', 'has_more', 'url'], text);
    assert.equal(l.object, 'list', text);
    assert.equal(l.url, '/v1/webhook_endpoints', text);
    assert.equal(l.has_more, true, text);
    assert.equal(l.data.length, 10, text);
    for (const e of l.data) checkEndpoint(e);
    assert.deepEqual(
      l.data.map((e: { id: string }) => e.id),
      made.slice(2).reverse().map((e) => e.id),
      text,
    );
  });

  it('pages through every endpoint with auto-pagination, none twice', async () => {
    const all = await stripe.webhookEndpoints.list({ limit: 5 }).autoPagingToArray({ limit: 100 });
    assert.deepEqual(all.map((e) => e.id), [...made].reverse().map((e) => e.id), show(all));
  });

  it('shows neither the other mode’s endpoints nor deleted ones', async () => {
    const live = await v.stripe(v.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const gone = await stripe.webhookEndpoints.create({ url: `${RX}/gone`, enabled_events: ['*'] });
    await stripe.webhookEndpoints.del(gone.id);
    const test = await stripe.webhookEndpoints.list({ limit: 100 });
    assert.ok(!test.data.some((e) => e.id === live.id || e.id === gone.id), show(test));
    assert.equal(test.data.length, made.length, show(test));
    const liveList = await v.stripe(v.keys.live).webhookEndpoints.list();
    assert.deepEqual(liveList.data.map((e) => e.id), [live.id], show(liveList));
    assert.equal(liveList.data[0].livemode, true, show(liveList));
  });

  it('refuses a limit above 100', async () => {
    const err = await stripeError(stripe.webhookEndpoints.list({ limit: 101 }));
    assertStripeError(err, { status: 400, param: 'limit' });
  });

  it('answers starting_after an unknown endpoint with resource_missing', async () => {
    const err = await stripeError(stripe.webhookEndpoints.list({ starting_after: 'we_nope' }));
    assertStripeError(err, { status: 404, code: 'resource_missing' });
  });
});
