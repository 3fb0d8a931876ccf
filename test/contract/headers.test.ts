// Response headers and the SDK's retry rules: Request-Id, Stripe-Version, Cache-Control, CORS, and
// Stripe-Should-Retry on 500 and 429 lock_timeout. Platform-conventions §3.4 and §6, checklist items 24–28.
// Faults are injected in-process by patching a Store method for the length of one test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { KeyRing } from '../../src/api/stripe/auth.js';
import { MSG } from '../../src/api/stripe/errors.js';
import { Store } from '../../src/store/store.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { errorBody, read, patch, sdkError, show } from './wire.js';

const SESSIONS = '/v1/identity/verification_sessions';
const SDK_VERSION = '2026-10-28.endive';

describe('headers and retries', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  /** Counts API requests that reach the server (every Stripe endpoint authenticates exactly once). */
  function countHits(): { hits: () => number; restore: () => void } {
    let n = 0;
    const restore = patch(KeyRing.prototype, 'authenticate', (orig) =>
      function (this: KeyRing, ...args: Parameters<KeyRing['authenticate']>) {
        n += 1;
        return orig.apply(this, args);
      },
    );
    return { hits: () => n, restore };
  }

  describe('on every response', () => {
    it('lastResponse carries a req_ request id, the Stripe-Version sent, and Cache-Control: no-cache, no-store', async () => {
      const sent: string[] = [];
      const onRequest = (e: { api_version?: string }) => sent.push(e.api_version ?? '');
      stripe.on('request', onRequest);
      try {
        const s = await stripe.identity.verificationSessions.create({ type: 'document' });
        assertSchema('session', s);
        const res = s.lastResponse;
        assert.match(res.requestId, /^req_[A-Za-z0-9]{14}$/, JSON.stringify(res.headers));
        assert.deepEqual(sent, [SDK_VERSION]);
        assert.equal(res.apiVersion, SDK_VERSION, JSON.stringify(res.headers));
        assert.equal(res.headers['cache-control'], 'no-cache, no-store', JSON.stringify(res.headers));
        assert.match(res.headers['content-type'] ?? '', /^application\/json/, JSON.stringify(res.headers));
      } finally {
        stripe.off('request', onRequest);
      }
    });

    it('each request gets its own request id', async () => {
      const a = await stripe.identity.verificationSessions.list({ limit: 1 });
      const b = await stripe.identity.verificationSessions.list({ limit: 1 });
      assert.notEqual(a.lastResponse.requestId, b.lastResponse.requestId);
    });

    it('an error response carries Cache-Control: no-cache, no-store too', async () => {
      const r = await read(await v.fetch(`${SESSIONS}/vs_missing`));
      assert.equal(r.status, 404, r.desc);
      assert.equal(r.headers.get('cache-control'), 'no-cache, no-store', r.desc);
    });
  });

  describe('Stripe-Version', () => {
    it('a dated release version (2024-09-30.acacia) is accepted and echoed', async () => {
      const old = v.stripe(v.keys.test, { apiVersion: '2024-09-30.acacia' as never });
      const s = await old.identity.verificationSessions.create({ type: 'document' });
      assertSchema('session', s);
      assert.equal(s.lastResponse.apiVersion, '2024-09-30.acacia', JSON.stringify(s.lastResponse.headers));
    });

    it('a plain date version from before named releases (2023-08-16) is accepted and echoed', async () => {
      const r = await read(await v.fetch(SESSIONS, { headers: { 'stripe-version': '2023-08-16' } }));
      assert.equal(r.status, 200, r.desc);
      assert.equal(r.headers.get('stripe-version'), '2023-08-16', r.desc);
    });

    it('without Stripe-Version the response names the default version', async () => {
      const r = await read(await v.fetch(SESSIONS));
      assert.equal(r.status, 200, r.desc);
      assert.equal(r.headers.get('stripe-version'), v.deps.config.defaultApiVersion, r.desc);
    });

    it('Stripe-Version: garbage is refused with 400 "Invalid Stripe API version"', async () => {
      const bad = v.stripe(v.keys.test, { apiVersion: 'garbage' as never });
      const err = await sdkError(bad.identity.verificationSessions.list());
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.message, MSG.invalidApiVersion('garbage'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a release name on a date before named releases existed is refused', async () => {
      const r = await read(await v.fetch(SESSIONS, { headers: { 'stripe-version': '2023-08-16.acacia' } }));
      assert.equal(r.status, 400, r.desc);
      assertSchema('error', r.body);
      assert.equal(r.body.error.message, MSG.invalidApiVersion('2023-08-16.acacia'), r.desc);
    });

    it('a version with an impossible month is refused', async () => {
      const r = await read(await v.fetch(SESSIONS, { headers: { 'stripe-version': '2024-13-01' } }));
      assert.equal(r.status, 400, r.desc);
      assert.equal(r.body.error.message, MSG.invalidApiVersion('2024-13-01'), r.desc);
    });

    it('a refused version creates nothing', async () => {
      const before = await stripe.identity.verificationSessions.list({ limit: 100 });
      const bad = v.stripe(v.keys.test, { apiVersion: 'garbage' as never });
      await sdkError(bad.identity.verificationSessions.create({ type: 'document' }));
      const afterList = await stripe.identity.verificationSessions.list({ limit: 100 });
      assert.deepEqual(afterList.data.map((s) => s.id), before.data.map((s) => s.id));
    });
  });

  describe('Stripe-Should-Retry', () => {
    it('an internal error is a 500 api_error with Stripe-Should-Retry: false, attempted once by a retrying SDK', async () => {
      const retrying = v.stripe(v.keys.test, { maxNetworkRetries: 2 });
      const counter = countHits();
      const restore = patch(Store.prototype, 'insertSession', () => async () => {
        throw new Error('injected fault: disk on fire');
      });
      try {
        const err = await sdkError(retrying.identity.verificationSessions.create({ type: 'document' }));
        assert.ok(err instanceof Stripe.errors.StripeAPIError, show(err));
        assert.equal(err.statusCode, 500, show(err));
        assert.equal(err.rawType, 'api_error', show(err));
        assert.equal(err.message, MSG.internal, show(err));
        assert.equal(err.headers?.['stripe-should-retry'], 'false', show(err));
        assert.match(err.requestId ?? '', /^req_[A-Za-z0-9]+$/, show(err));
        assert.ok(!JSON.stringify(err.raw).includes('disk on fire'), show(err));
        assertSchema('error', errorBody(err));
        assert.equal(counter.hits(), 1, `the SDK made ${counter.hits()} attempts`);
      } finally {
        restore();
        counter.restore();
      }
    });

    it('an internal error on a GET also tells the SDK not to retry', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      const retrying = v.stripe(v.keys.test, { maxNetworkRetries: 2 });
      const counter = countHits();
      const restore = patch(Store.prototype, 'findSession', () => async () => {
        throw new Error('injected fault');
      });
      try {
        const err = await sdkError(retrying.identity.verificationSessions.retrieve(s.id));
        assert.equal(err.statusCode, 500, show(err));
        assert.equal(err.headers?.['stripe-should-retry'], 'false', show(err));
        assertSchema('error', errorBody(err));
        assert.equal(counter.hits(), 1, `the SDK made ${counter.hits()} attempts`);
      } finally {
        restore();
        counter.restore();
      }
    });

    it('a lock_timeout is a 429 with Stripe-Should-Retry: true', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      let failures = 1;
      const restore = patch(Store.prototype, 'updateSession', (orig) =>
        async function (this: Store, ...args: Parameters<Store['updateSession']>) {
          // As if another writer changed the row between read and write.
          if (failures-- > 0) return false;
          return orig.apply(this, args);
        },
      );
      try {
        const err = await sdkError(stripe.identity.verificationSessions.update(s.id, { metadata: { a: '1' } }));
        assert.ok(err instanceof Stripe.errors.StripeRateLimitError, show(err));
        assert.equal(err.statusCode, 429, show(err));
        assert.equal(err.rawType, 'invalid_request_error', show(err));
        assert.equal(err.code, 'lock_timeout', show(err));
        assert.equal(err.headers?.['stripe-should-retry'], 'true', show(err));
        assertSchema('error', errorBody(err));
      } finally {
        restore();
      }
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.deepEqual(back.metadata, {}, JSON.stringify(back));
    });

    it('a lock_timeout is retried by the SDK with the same idempotency key and then succeeds', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      const retrying = v.stripe(v.keys.test, { maxNetworkRetries: 2 });
      const keys: string[] = [];
      retrying.on('request', (e: { idempotency_key?: string }) => keys.push(e.idempotency_key ?? ''));
      let failures = 1;
      const counter = countHits();
      const restore = patch(Store.prototype, 'updateSession', (orig) =>
        async function (this: Store, ...args: Parameters<Store['updateSession']>) {
          if (failures-- > 0) return false;
          return orig.apply(this, args);
        },
      );
      try {
        const u = await retrying.identity.verificationSessions.update(s.id, { metadata: { a: '1' } });
        assertSchema('session', u);
        assert.deepEqual(u.metadata, { a: '1' }, JSON.stringify(u));
        assert.equal(counter.hits(), 2, `the SDK made ${counter.hits()} attempts`);
        assert.equal(keys.length, 2, JSON.stringify(keys));
        assert.equal(keys[0], keys[1], JSON.stringify(keys));
      } finally {
        restore();
        counter.restore();
      }
    });
  });

  describe('CORS', () => {
    it('an OPTIONS preflight is answered without a key, with the CORS header set', async () => {
      const r = await read(
        await v.fetch(SESSIONS, {
          method: 'OPTIONS',
          key: null,
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,idempotency-key,stripe-version',
          },
        }),
      );
      assert.ok(r.status === 200 || r.status === 204, r.desc);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', r.desc);
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true', r.desc);
      assert.equal(r.headers.get('access-control-max-age'), '300', r.desc);
      const methods = (r.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
      for (const m of ['GET', 'POST', 'DELETE']) assert.ok(methods.includes(m), `${m} not allowed: ${r.desc}`);
      const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
      for (const h of ['authorization', 'content-type', 'idempotency-key', 'stripe-version'])
        assert.ok(allowed.includes(h), `${h} not allowed: ${r.desc}`);
      const exposed = (r.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
      for (const h of ['request-id', 'stripe-should-retry']) assert.ok(exposed.includes(h), `${h} not exposed: ${r.desc}`);
    });

    it('a preflight for a path with an id is answered the same way', async () => {
      const r = await read(await v.fetch(`${SESSIONS}/vs_anything/cancel`, { method: 'OPTIONS', key: null }));
      assert.ok(r.status === 200 || r.status === 204, r.desc);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', r.desc);
    });

    it('GET responses, successful or not, carry Access-Control-Allow-Origin', async () => {
      for (const path of [SESSIONS, `${SESSIONS}/vs_missing`, '/v1/nope']) {
        const r = await read(await v.fetch(path, { headers: { origin: 'https://app.example' } }));
        assert.equal(r.headers.get('access-control-allow-origin'), '*', r.desc);
        assert.match(r.headers.get('access-control-expose-headers') ?? '', /Request-Id/, r.desc);
      }
    });
  });
});
