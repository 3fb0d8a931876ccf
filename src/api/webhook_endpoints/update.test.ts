import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { checkEndpoint } from '../../../test/webhooks/helpers.js';

const RX = 'https://hooks.example.com/stripe';

describe('POST /v1/webhook_endpoints/:id (update)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  const make = (p: Partial<Stripe.WebhookEndpointCreateParams> = {}) => stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], ...p });

  it('changes the url and enabled_events, and returns the endpoint without its secret', async () => {
    const we = await make();
    const u = await stripe.webhookEndpoints.update(we.id, {
      url: 'https://other.example.com/hooks',
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.redacted'],
    });
    checkEndpoint(u);
    assert.equal(u.url, 'https://other.example.com/hooks', show(u));
    assert.deepEqual(u.enabled_events, ['identity.verification_session.verified', 'identity.verification_session.redacted'], show(u));
    const r = await stripe.webhookEndpoints.retrieve(we.id);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), JSON.parse(JSON.stringify(u)), show({ updated: u, retrieved: r }));
  });

  it('keeps the same secret across updates', async () => {
    const we = await make();
    await stripe.webhookEndpoints.update(we.id, { url: 'https://other.example.com/hooks' });
    const stored = await v.deps.store.webhooks.findEndpoint(we.id);
    assert.equal(stored?.secret, we.secret, 'the signing secret must not change on update');
  });

  it('disables and re-enables with disabled', async () => {
    const we = await make();
    const off = await stripe.webhookEndpoints.update(we.id, { disabled: true });
    assert.equal(off.status, 'disabled', show(off));
    const on = await stripe.webhookEndpoints.update(we.id, { disabled: false });
    assert.equal(on.status, 'enabled', show(on));
  });

  it('sets and clears the description', async () => {
    const we = await make({ description: 'first' });
    const u = await stripe.webhookEndpoints.update(we.id, { description: 'second' });
    assert.equal(u.description, 'second', show(u));
    const cleared = await stripe.webhookEndpoints.update(we.id, { description: '' });
    assert.equal(cleared.description, null, show(cleared));
  });

  it('merges metadata: new keys added, empty values remove keys, others kept', async () => {
    const we = await make({ metadata: { a: '1', b: '2' } });
    const u = await stripe.webhookEndpoints.update(we.id, { metadata: { b: '', c: '3' } });
    assert.deepEqual(u.metadata, { a: '1', c: '3' }, show(u));
    const cleared = await stripe.webhookEndpoints.update(we.id, { metadata: null as never });
    assert.deepEqual(cleared.metadata, {}, show(cleared));
  });

  it('leaves every field it was not given as it was', async () => {
    const we = await make({ description: 'keep', metadata: { k: 'v' }, enabled_events: ['identity.verification_session.canceled'] });
    const u = await stripe.webhookEndpoints.update(we.id, {});
    const { secret: _s, ...before } = JSON.parse(JSON.stringify(we));
    assert.deepEqual(JSON.parse(JSON.stringify(u)), before, show({ before: we, after: u }));
  });

  it('refuses an unknown event type and an empty enabled_events', async () => {
    const we = await make();
    const bad = await stripeError(stripe.webhookEndpoints.update(we.id, { enabled_events: ['nope.nope'] as never }));
    assertStripeError(bad, { status: 400, param: 'enabled_events[0]', message: /^Invalid enabled_events\[0\]: must be one of/ });
    const res = await v.fetch(`/v1/webhook_endpoints/${we.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'enabled_events=',
    });
    const body = await res.text();
    assert.equal(res.status, 400, body);
    assert.match(JSON.parse(body).error.param ?? '', /^enabled_events/, body);
    const r = await stripe.webhookEndpoints.retrieve(we.id);
    assert.deepEqual(r.enabled_events, ['*'], `a refused update changes nothing:\n${show(r)}`);
  });

  it('refuses a url pointing at this server, and a private one when privateAddresses is deny', async () => {
    const we = await make();
    const self = await stripeError(stripe.webhookEndpoints.update(we.id, { url: `${v.url}/hooks` }));
    assertStripeError(self, { status: 400, code: 'url_invalid', param: 'url', message: /points at this Verity server/ });
    const priv = await stripe.webhookEndpoints.update(we.id, { url: 'http://10.0.0.7/hooks' });
    assert.equal(priv.url, 'http://10.0.0.7/hooks', `private addresses are allowed by default:\n${show(priv)}`);
    const strict = await startVerity({ config: { webhooks: { ...v.deps.config.webhooks, privateAddresses: 'deny' } } });
    try {
      const s = strict.stripe();
      const w = await s.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
      const err = await stripeError(s.webhookEndpoints.update(w.id, { url: 'http://10.0.0.7/hooks' }));
      assertStripeError(err, { status: 400, code: 'url_invalid', param: 'url', message: /private address/ });
    } finally {
      await strict.close();
    }
  });

  it('refuses to update a live endpoint with a test key, with the live-mode hint', async () => {
    const live = await v.stripe(v.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const err = await stripeError(stripe.webhookEndpoints.update(live.id, { disabled: true }));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in live mode/ });
    const still = await v.stripe(v.keys.live).webhookEndpoints.retrieve(live.id);
    assert.equal(still.status, 'enabled', show(still));
  });

  it('refuses api_version, which only create takes', async () => {
    const we = await make();
    const err = await stripeError(stripe.webhookEndpoints.update(we.id, { api_version: '2024-06-20' } as never));
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'api_version' });
  });
});
