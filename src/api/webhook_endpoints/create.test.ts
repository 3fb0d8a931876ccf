import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { checkEndpoint } from '../../../test/webhooks/helpers.js';

const RX = 'https://hooks.example.com/stripe';

describe('POST /v1/webhook_endpoints (create)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  it('creates an enabled endpoint in Stripe’s shape and field order, with a whsec_ secret', async () => {
    const we = await stripe.webhookEndpoints.create({
      url: RX,
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.requires_input'],
      description: 'KYC outcomes',
      metadata: { team: 'risk' },
    });
    checkEndpoint(we, true);
    const now = Math.floor(v.clock.nowMs() / 1000);
    assert.ok(Math.abs(we.created - now) <= 5, show(we));
    assert.deepEqual(
      { ...JSON.parse(JSON.stringify(we)), id: undefined, created: undefined, secret: undefined },
      {
        id: undefined,
        object: 'webhook_endpoint',
        api_version: null,
        application: null,
        created: undefined,
        description: 'KYC outcomes',
        enabled_events: ['identity.verification_session.verified', 'identity.verification_session.requires_input'],
        livemode: false,
        metadata: { team: 'risk' },
        secret: undefined,
        status: 'enabled',
        url: RX,
      },
      show(we),
    );
  });

  it('gives every endpoint its own secret', async () => {
    const a = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    const b = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    assert.notEqual(a.secret, b.secret, show({ a, b }));
    assert.notEqual(a.id, b.id, show({ a, b }));
  });

  it('accepts * and fixes api_version at creation when one is given', async () => {
    const we = await stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], api_version: '2024-06-20' });
    checkEndpoint(we, true);
    assert.deepEqual(we.enabled_events, ['*'], show(we));
    assert.equal(we.api_version, '2024-06-20', show(we));
  });

  it('creates a live endpoint with a live key', async () => {
    const we = await v.stripe(v.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
    checkEndpoint(we, true);
    assert.equal(we.livemode, true, show(we));
  });

  it('requires url', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ enabled_events: ['*'] } as Stripe.WebhookEndpointCreateParams));
    assertStripeError(err, { status: 400, code: 'parameter_missing', param: 'url', message: 'Missing required param: url.' });
  });

  it('requires enabled_events (an empty list sends nothing, so it is missing too)', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ url: RX } as Stripe.WebhookEndpointCreateParams));
    assertStripeError(err, { status: 400, code: 'parameter_missing', param: 'enabled_events' });
    const empty = await stripeError(stripe.webhookEndpoints.create({ url: RX, enabled_events: [] }));
    assertStripeError(empty, { status: 400, code: 'parameter_missing', param: 'enabled_events' });
  });

  it('refuses enabled_events sent as an empty value', async () => {
    const res = await v.fetch('/v1/webhook_endpoints', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `url=${encodeURIComponent(RX)}&enabled_events=`,
    });
    const body = await res.text();
    assert.equal(res.status, 400, body);
    assert.match(JSON.parse(body).error.param ?? '', /^enabled_events/, body);
  });

  it('refuses an event type that does not exist, naming the parameter', async () => {
    const err = await stripeError(
      stripe.webhookEndpoints.create({ url: RX, enabled_events: ['identity.verification_session.verified', 'charge.succeeded'] as never }),
    );
    assertStripeError(err, { status: 400, param: 'enabled_events[1]', message: /^Invalid enabled_events\[1\]: must be one of/ });
  });

  it('refuses a malformed api_version', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], api_version: 'garbage' as never }));
    assertStripeError(err, { status: 400, param: 'api_version', message: 'Invalid api_version: garbage' });
  });

  it('refuses connect=true: there are no connected accounts', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], connect: true }));
    assertStripeError(err, { status: 400, param: 'connect', message: /Connect endpoints are not supported/ });
  });

  it('refuses a url that is not http(s)', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ url: 'ftp://hooks.example.com/x', enabled_events: ['*'] }));
    assertStripeError(err, { status: 400, code: 'url_invalid', param: 'url', message: /must use http or https/ });
    const notUrl = await stripeError(stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }));
    assertStripeError(notUrl, { status: 400, code: 'url_invalid', param: 'url' });
  });

  it('refuses a url that points at this server itself', async () => {
    const p = v.port;
    for (const url of [
      `${v.url}/hooks`,
      `${v.url}/v1/webhook_endpoints`,
      `http://localhost:${p}/hooks`,
      `http://localhost.:${p}/hooks`,
      `http://127.0.0.2:${p}/hooks`,
      `http://0.0.0.0:${p}/hooks`,
      `http://[::1]:${p}/hooks`,
      `http://[::]:${p}/hooks`,
      `http://[::ffff:127.0.0.1]:${p}/hooks`,
    ]) {
      const err = await stripeError(stripe.webhookEndpoints.create({ url, enabled_events: ['*'] }));
      assertStripeError(err, { status: 400, code: 'url_invalid', param: 'url', message: /points at this Verity server/ });
    }
  });

  it('accepts private and loopback addresses by default (self-hosted receivers)', async () => {
    for (const url of ['http://127.0.0.1:9/hooks', 'http://10.1.2.3/hooks', 'http://192.168.1.20:8080/x', 'http://localhost:9/hooks']) {
      const we = await stripe.webhookEndpoints.create({ url, enabled_events: ['*'] });
      assert.equal(we.url, url, show(we));
      await stripe.webhookEndpoints.del(we.id);
    }
  });

  it('refuses private and loopback addresses when privateAddresses is deny', async () => {
    const strict = await startVerity({ config: { webhooks: { ...v.deps.config.webhooks, privateAddresses: 'deny' } } });
    try {
      const s = strict.stripe();
      for (const url of ['http://127.0.0.1:9/hooks', 'http://10.1.2.3/hooks', 'http://192.168.1.20:8080/x', 'http://localhost:9/hooks', 'http://[::1]:9/x', 'http://169.254.169.254/latest', 'http://[::ffff:10.0.0.1]/x', 'http://[::ffff:127.0.0.1]:9/x', 'http://api.localhost:9/x']) {
        const err = await stripeError(s.webhookEndpoints.create({ url, enabled_events: ['*'] }));
        assertStripeError(err, { status: 400, code: 'url_invalid', param: 'url', message: /private address/ });
      }
      const ok = await s.webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
      assert.equal(ok.url, RX, show(ok));
    } finally {
      await strict.close();
    }
  });

  it('allows 16 endpoints per mode and refuses the 17th', async () => {
    const own = await startVerity();
    try {
      const s = own.stripe();
      for (let i = 0; i < 16; i++) await s.webhookEndpoints.create({ url: `${RX}/${i}`, enabled_events: ['*'] });
      const err = await stripeError(s.webhookEndpoints.create({ url: `${RX}/16`, enabled_events: ['*'] }));
      assertStripeError(err, { status: 400, message: /maximum of 16 webhook endpoints in test mode/ });
      const live = await own.stripe(own.keys.live).webhookEndpoints.create({ url: RX, enabled_events: ['*'] });
      assert.equal(live.livemode, true, `the limit is per mode:\n${show(live)}`);
      const first = (await s.webhookEndpoints.list({ limit: 1 })).data[0];
      await s.webhookEndpoints.del(first.id);
      const again = await s.webhookEndpoints.create({ url: `${RX}/again`, enabled_events: ['*'] });
      assert.equal(again.status, 'enabled', `a deleted endpoint frees its place:\n${show(again)}`);
    } finally {
      await own.close();
    }
  });

  it('refuses an unknown parameter', async () => {
    const err = await stripeError(stripe.webhookEndpoints.create({ url: RX, enabled_events: ['*'], bogus: 'x' } as never));
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'bogus' });
  });
});
