// Idempotent POSTs as Stripe promises them: platform-conventions §4 and §11, checklist items 29–39. Slow and
// failing requests are produced in-process by patching a Store method for the length of one test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { MSG } from '../../src/api/stripe/errors.js';
import { RETENTION_S } from '../../src/api/stripe/idempotency.js';
import { Store } from '../../src/store/store.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { FORM, errorBody, gate, idemKey, patch, read, sdkError, show } from './wire.js';

const SESSIONS = '/v1/identity/verification_sessions';

describe('idempotency', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  const post = (path: string, body: string, key: string | null, apiKey?: string) =>
    v.fetch(path, { method: 'POST', key: apiKey, headers: key === null ? FORM : { ...FORM, 'idempotency-key': key }, body });

  const sessionIds = async (mode: 'test' | 'live' = 'test') =>
    (await v.stripe(mode === 'test' ? v.keys.test : v.keys.live).identity.verificationSessions.list({ limit: 100 })).data.map((s) => s.id);

  describe('replays', () => {
    it('the same key with the same parameters returns the first response, with Original-Request naming the first request', async () => {
      const key = idemKey('replay');
      const first = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' } }, { idempotencyKey: key });
      const second = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' } }, { idempotencyKey: key });
      assertSchema('session', first);
      assertSchema('session', second);
      assert.equal(second.id, first.id, JSON.stringify({ first, second }));
      assert.deepEqual(second, first);
      assert.equal(second.lastResponse.statusCode, first.lastResponse.statusCode);
      assert.equal(first.lastResponse.headers['original-request'], first.lastResponse.requestId, JSON.stringify(first.lastResponse.headers));
      assert.equal(second.lastResponse.headers['original-request'], first.lastResponse.requestId, JSON.stringify(second.lastResponse.headers));
      assert.notEqual(second.lastResponse.requestId, first.lastResponse.requestId);
      assert.equal(second.lastResponse.headers['idempotency-key'], key, JSON.stringify(second.lastResponse.headers));
    });

    it('a replayed body is byte-identical to the first', async () => {
      const key = idemKey('bytes');
      const a = await read(await post(SESSIONS, 'type=document&metadata[x]=1', key));
      const b = await read(await post(SESSIONS, 'type=document&metadata[x]=1', key));
      assert.equal(a.status, 200, a.desc);
      assert.equal(b.status, 200, b.desc);
      assertSchema('session', b.body);
      assert.equal(b.text, a.text);
      assert.equal(b.headers.get('original-request'), a.headers.get('request-id'), b.desc);
    });

    it('a replay creates no second session', async () => {
      const key = idemKey('nodup');
      const first = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const before = await sessionIds();
      await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assert.deepEqual(await sessionIds(), before);
      assert.ok(before.includes(first.id));
    });

    it('the same parameters sent in a different order count as the same request', async () => {
      const key = idemKey('order');
      const a = await read(await post(SESSIONS, 'type=document&metadata[a]=1&metadata[b]=2', key));
      const b = await read(await post(SESSIONS, 'metadata[b]=2&metadata[a]=1&type=document', key));
      assert.equal(b.status, 200, b.desc);
      assert.equal(b.text, a.text, b.desc);
    });

    it('a state error is stored once the endpoint ran, and replayed', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${s.id}/verify`, {});
      const key = idemKey('state');
      const e1 = await sdkError(stripe.identity.verificationSessions.cancel(s.id, {}, { idempotencyKey: key }));
      const e2 = await sdkError(stripe.identity.verificationSessions.cancel(s.id, {}, { idempotencyKey: key }));
      assert.equal(e1.statusCode, 400, show(e1));
      assert.equal(e2.statusCode, 400, show(e2));
      assertSchema('error', errorBody(e2));
      assert.deepEqual(errorBody(e2), errorBody(e1));
      assert.equal(e2.headers?.['original-request'], e1.requestId, show(e2));
    });
  });

  describe('misuse', () => {
    it('the same key with different parameters is refused with 400 idempotency_error naming the key', async () => {
      const key = idemKey('params');
      await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: key }));
      assert.ok(err instanceof Stripe.errors.StripeIdempotencyError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.rawType, 'idempotency_error', show(err));
      assert.equal(err.message, MSG.idempotencyParamsMismatch(key), show(err));
      assert.ok(err.message.includes(key), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a refused mismatch leaves the stored response in place', async () => {
      const key = idemKey('keep');
      const first = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      await sdkError(stripe.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: key }));
      const again = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', again);
      assert.equal(again.id, first.id, JSON.stringify({ first, again }));
    });

    it('the same key on a different endpoint is refused with 400 idempotency_error naming both paths', async () => {
      const key = idemKey('endpoint');
      const s = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const err = await sdkError(stripe.identity.verificationSessions.cancel(s.id, {}, { idempotencyKey: key }));
      assert.ok(err instanceof Stripe.errors.StripeIdempotencyError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.rawType, 'idempotency_error', show(err));
      assert.equal(err.message, MSG.idempotencyEndpointMismatch(key, SESSIONS, `${SESSIONS}/${s.id}/cancel`), show(err));
      assertSchema('error', errorBody(err));
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.equal(back.status, 'requires_input', JSON.stringify(back));
    });
  });

  describe('concurrent duplicates', () => {
    /** Holds the first request that claims a key (after its claim committed) until the gate opens. */
    function holdFirstClaim() {
      const g = gate();
      const firstHeld = gate();
      const secondClaimed = gate();
      let calls = 0;
      const restore = patch(Store.prototype, 'claimIdempotencyKey', (orig) =>
        async function (this: Store, ...args: Parameters<Store['claimIdempotencyKey']>) {
          const n = ++calls;
          const r = await orig.apply(this, args);
          if (n === 1) {
            firstHeld.open();
            await g.promise;
          }
          if (n === 2) secondClaimed.open();
          return r;
        },
      );
      return { release: g.open, firstHeld: firstHeld.promise, secondClaimed: secondClaimed.promise, calls: () => calls, restore };
    }

    it('a duplicate sent while the first is still running gets 409, which the SDK surfaces as StripeAPIError', async () => {
      const key = idemKey('inflight');
      const hold = holdFirstClaim();
      try {
        const first = stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
        await hold.firstHeld;
        const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key }));
        assert.ok(err instanceof Stripe.errors.StripeAPIError, show(err));
        assert.equal(err.statusCode, 409, show(err));
        assert.equal(err.rawType, 'idempotency_error', show(err));
        assert.equal(err.message, MSG.idempotencyInFlight(key), show(err));
        assert.match(err.requestId ?? '', /^req_[A-Za-z0-9]+$/, show(err));
        assertSchema('error', errorBody(err));
        hold.release();
        const s = await first;
        assertSchema('session', s);
        assert.equal(s.lastResponse.statusCode, 200);
        // The 409 stored nothing: the key still replays the first request.
        const again = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
        assert.equal(again.id, s.id, JSON.stringify({ s, again }));
      } finally {
        hold.release();
        hold.restore();
      }
    });

    it('with retries on, the duplicate backs off on the 409 and then receives the replayed response', async () => {
      const key = idemKey('inflight-retry');
      const retrying = v.stripe(v.keys.test, { maxNetworkRetries: 2 });
      const hold = holdFirstClaim();
      try {
        const first = stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
        await hold.firstHeld;
        const second = retrying.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
        await hold.secondClaimed; // the duplicate's first attempt has met the in-flight key
        hold.release();
        const [a, b] = await Promise.all([first, second]);
        assertSchema('session', b);
        assert.equal(b.id, a.id, JSON.stringify({ a, b }));
        assert.deepEqual(b, a);
        assert.equal(b.lastResponse.headers['original-request'], a.lastResponse.requestId, JSON.stringify(b.lastResponse.headers));
        assert.equal(hold.calls(), 3, `claims: ${hold.calls()}`);
      } finally {
        hold.release();
        hold.restore();
      }
    });
  });

  describe('what is not stored', () => {
    it('a request that fails parameter validation stores nothing: a corrected retry with the same key succeeds', async () => {
      const key = idemKey('validation');
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'nope' as never }, { idempotencyKey: key }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      const s = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', s);
      assert.equal(s.status, 'requires_input');
    });

    it('a request refused before it runs (missing permission) stores nothing under its key', async () => {
      const key = idemKey('perm');
      const err = await sdkError(v.stripe(v.keys.restrictedRead).identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key }));
      assert.ok(err instanceof Stripe.errors.StripePermissionError, show(err));
      const s = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', s);
    });

    it('a 500 is stored and replayed byte-identically, with Stripe-Should-Retry: false', async () => {
      const key = idemKey('500');
      const restore = patch(Store.prototype, 'insertSession', () => async () => {
        throw new Error('injected fault');
      });
      let a;
      try {
        a = await read(await post(SESSIONS, 'type=document', key));
      } finally {
        restore();
      }
      assert.equal(a.status, 500, a.desc);
      assertSchema('error', a.body);
      assert.equal(a.body.error.type, 'api_error', a.desc);
      const before = await sessionIds();
      const b = await read(await post(SESSIONS, 'type=document', key));
      assert.equal(b.status, 500, b.desc);
      assert.equal(b.text, a.text, b.desc);
      assert.equal(b.headers.get('stripe-should-retry'), 'false', b.desc);
      assert.equal(b.headers.get('original-request'), a.headers.get('request-id'), b.desc);
      assert.deepEqual(await sessionIds(), before);
    });
  });

  describe('keys', () => {
    it('a 256-character key is refused with 400', async () => {
      const key = 'k'.repeat(256);
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.message, MSG.idempotencyKeyTooLong, show(err));
      assertSchema('error', errorBody(err));
    });

    it('a 255-character key is accepted and replays', async () => {
      const key = idemKey('long').padEnd(255, 'x');
      assert.equal(key.length, 255);
      const a = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const b = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', b);
      assert.equal(b.id, a.id);
    });

    it('an empty Idempotency-Key is no key: two such POSTs create two objects', async () => {
      const a = await read(await post(SESSIONS, 'type=document', ''));
      const b = await read(await post(SESSIONS, 'type=document', ''));
      assert.equal(a.status, 200, a.desc);
      assert.equal(b.status, 200, b.desc);
      assert.notEqual(b.body.id, a.body.id, b.desc);
      assert.equal(b.headers.get('original-request'), null, b.desc);
    });

    it('a GET with an Idempotency-Key is not replayed: it reads the current state', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      const key = idemKey('get');
      const a = await read(await v.fetch(`${SESSIONS}/${s.id}`, { headers: { 'idempotency-key': key } }));
      await stripe.identity.verificationSessions.update(s.id, { metadata: { changed: 'yes' } });
      const b = await read(await v.fetch(`${SESSIONS}/${s.id}`, { headers: { 'idempotency-key': key } }));
      assert.equal(a.status, 200, a.desc);
      assertSchema('session', a.body);
      assertSchema('session', b.body);
      assert.deepEqual(a.body.metadata, {}, a.desc);
      assert.deepEqual(b.body.metadata, { changed: 'yes' }, b.desc);
      assert.equal(b.headers.get('original-request'), null, b.desc);
      assert.equal(b.headers.get('idempotency-key'), null, b.desc);
    });

    it('a GET does not claim its Idempotency-Key: a POST to the same path may use it afterwards', async () => {
      const key = idemKey('get-claim');
      const g = await read(await v.fetch(SESSIONS, { headers: { 'idempotency-key': key } }));
      assert.equal(g.status, 200, g.desc);
      const p = await read(await post(SESSIONS, 'type=document', key));
      assert.equal(p.status, 200, p.desc);
      assertSchema('session', p.body);
    });

    it('SDK POSTs without an explicit key each create a new object, under distinct stripe-node-retry- keys', async () => {
      const sent: string[] = [];
      const client = v.stripe();
      client.on('request', (e: { idempotency_key?: string }) => sent.push(e.idempotency_key ?? ''));
      const a = await client.identity.verificationSessions.create({ type: 'document' });
      const b = await client.identity.verificationSessions.create({ type: 'document' });
      assertSchema('session', a);
      assertSchema('session', b);
      assert.notEqual(a.id, b.id);
      assert.equal(sent.length, 2, JSON.stringify(sent));
      assert.notEqual(sent[0], sent[1], JSON.stringify(sent));
      for (const k of sent) assert.match(k, /^stripe-node-retry-[0-9a-f-]{36}$/, JSON.stringify(sent));
      assert.equal(a.lastResponse.headers['idempotency-key'], sent[0], JSON.stringify(a.lastResponse.headers));
    });

    it('test-mode and live-mode requests with the same key do not collide', async () => {
      const key = idemKey('modes');
      const t = await v.stripe(v.keys.test).identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const l = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', t);
      assertSchema('session', l);
      assert.equal(t.livemode, false, JSON.stringify(t));
      assert.equal(l.livemode, true, JSON.stringify(l));
      assert.notEqual(l.id, t.id);
      assert.equal(l.lastResponse.headers['original-request'], l.lastResponse.requestId, JSON.stringify(l.lastResponse.headers));
      const t2 = await v.stripe(v.keys.test).identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assert.equal(t2.id, t.id);
    });

    it('a live-mode key reused with different parameters than its test-mode twin is not a mismatch', async () => {
      const key = idemKey('modes-params');
      await v.stripe(v.keys.test).identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      const l = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: key });
      assertSchema('session', l);
      assert.equal(l.type, 'id_number', JSON.stringify(l));
    });
  });

  describe('retention', () => {
    // A server of its own: these tests move the clock by a day.
    let w: Verity;
    before(async () => {
      w = await startVerity();
    });
    after(() => w.close());

    it('a key younger than the retention window still replays', async () => {
      const client = w.stripe();
      const key = idemKey('young');
      const a = await client.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      w.clock.advance((RETENTION_S - 1) * 1000);
      const b = await client.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assert.equal(b.id, a.id, JSON.stringify({ a, b }));
    });

    it('a key older than the retention window runs as a new request', async () => {
      const client = w.stripe();
      const key = idemKey('old');
      const a = await client.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      w.clock.advance(RETENTION_S * 1000);
      const b = await client.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      assertSchema('session', b);
      assert.notEqual(b.id, a.id);
      assert.equal(b.lastResponse.headers['original-request'], b.lastResponse.requestId, JSON.stringify(b.lastResponse.headers));
    });

    it('a key older than the retention window may be reused with different parameters', async () => {
      const client = w.stripe();
      const key = idemKey('old-params');
      await client.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
      w.clock.advance((RETENTION_S + 60) * 1000);
      const b = await client.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: key });
      assert.equal(b.type, 'id_number', JSON.stringify(b));
    });
  });
});
