import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { recordFor } from '../../domain/keys.js';
import { type OpenedDb, migrate, openDatabase } from '../../store/db.js';
import { createSealer } from '../../store/sealer.js';
import { Store } from '../../store/store.js';
import { MSG, StripeError, errors } from './errors.js';
import { RETENTION_S, type StoredResponse, checkKey, paramsHash, runIdempotent } from './idempotency.js';
import type { Raw } from './params.js';

const NOW = 1_800_000_000;
let seq = 0;
const key = (label: string) => `${label}-${++seq}`;

function toResponse(e: unknown): StoredResponse & { storable: boolean } {
  const err = e instanceof StripeError ? e : errors.internal();
  return { status: err.status, body: JSON.stringify(err.toBody()), headers: err.headers, storable: err.storable };
}

async function refused(p: Promise<unknown>): Promise<StripeError> {
  try {
    const out = await p;
    assert.fail(`expected a StripeError, got ${JSON.stringify(out)}`);
  } catch (e) {
    if (e instanceof StripeError) return e;
    throw e;
  }
}

describe('checkKey', () => {
  it('accepts 255 characters and refuses 256 with a 400', () => {
    checkKey('k'.repeat(255));
    assert.throws(() => checkKey('k'.repeat(256)), (e: unknown) => {
      assert.ok(e instanceof StripeError);
      assert.deepEqual([e.status, e.type, e.message], [400, 'invalid_request_error', MSG.idempotencyKeyTooLong]);
      return true;
    });
  });
});

describe('paramsHash', () => {
  it('ignores the order of object keys', () => {
    assert.equal(paramsHash({ a: '1', m: { x: '1', y: '2' } }), paramsHash({ m: { y: '2', x: '1' }, a: '1' }));
  });

  it('respects the order of array items', () => {
    assert.notEqual(paramsHash({ a: ['x', 'y'] }), paramsHash({ a: ['y', 'x'] }));
  });

  it('tells values, shapes and empty strings apart', () => {
    const variants: Record<string, Raw>[] = [{}, { a: '' }, { a: '1' }, { a: '2' }, { a: ['1'] }, { a: { '0': '1' } }, { b: '1' }];
    assert.equal(new Set(variants.map(paramsHash)).size, variants.length);
  });
});

describe('runIdempotent', () => {
  let opened: OpenedDb;
  let store: Store;
  before(async () => {
    opened = openDatabase({ sqlitePath: ':memory:' });
    await migrate(opened);
    store = Store.from(opened, createSealer(crypto.randomBytes(32)));
  });
  after(() => opened.close());

  const req = (k: string, over: Partial<Parameters<typeof runIdempotent>[1]> = {}) => ({
    livemode: false,
    key: k,
    method: 'POST',
    path: '/v1/identity/verification_sessions',
    params: { type: 'document' } as Record<string, Raw>,
    requestId: `req_${++seq}`,
    nowS: NOW,
    ...over,
  });

  /** An execute that counts its runs and answers with a body naming the run. */
  function counting(status = 200) {
    let runs = 0;
    const exec = async (): Promise<StoredResponse> => {
      runs += 1;
      return { status, body: JSON.stringify({ run: runs }), headers: {} };
    };
    return { exec, runs: () => runs };
  }

  it('the first request runs and is its own original request', async () => {
    const c = counting();
    const r = req(key('first'));
    const res = await runIdempotent(store, r, c.exec, toResponse);
    assert.deepEqual([res.status, res.body, res.originalRequest, c.runs()], [200, '{"run":1}', r.requestId, 1]);
  });

  it('a repeat is answered from the store without running, naming the first request', async () => {
    const c = counting(201);
    const k = key('repeat');
    const r1 = req(k);
    await runIdempotent(store, r1, c.exec, toResponse);
    const res = await runIdempotent(store, req(k), c.exec, toResponse);
    assert.deepEqual([res.status, res.body, res.originalRequest, c.runs()], [201, '{"run":1}', r1.requestId, 1]);
  });

  it('a repeat on another path is an idempotency_error naming both paths', async () => {
    const k = key('path');
    await runIdempotent(store, req(k), counting().exec, toResponse);
    const e = await refused(runIdempotent(store, req(k, { path: '/v1/other' }), counting().exec, toResponse));
    assert.deepEqual([e.status, e.type, e.message], [400, 'idempotency_error', MSG.idempotencyEndpointMismatch(k, '/v1/identity/verification_sessions', '/v1/other')]);
  });

  it('a repeat with another method is refused as another endpoint', async () => {
    const k = key('method');
    await runIdempotent(store, req(k), counting().exec, toResponse);
    const e = await refused(runIdempotent(store, req(k, { method: 'DELETE' }), counting().exec, toResponse));
    assert.equal(e.type, 'idempotency_error');
  });

  it('a repeat with other parameters is an idempotency_error', async () => {
    const k = key('params');
    await runIdempotent(store, req(k), counting().exec, toResponse);
    const e = await refused(runIdempotent(store, req(k, { params: { type: 'id_number' } }), counting().exec, toResponse));
    assert.deepEqual([e.status, e.type, e.message], [400, 'idempotency_error', MSG.idempotencyParamsMismatch(k)]);
  });

  it('a key whose first request is still running is a 409', async () => {
    const k = key('inflight');
    await store.claimIdempotencyKey(false, k, { method: 'POST', path: '/v1/identity/verification_sessions', params_hash: paramsHash({ type: 'document' }), request_id: 'req_other', now: NOW });
    const c = counting();
    const e = await refused(runIdempotent(store, req(k, { nowS: NOW + 59 }), c.exec, toResponse));
    assert.deepEqual([e.status, e.type, e.code, e.message], [409, 'idempotency_error', 'idempotency_key_in_use', MSG.idempotencyInFlight(k)]);
    assert.equal(c.runs(), 0);
  });

  it('a claim whose lease ran out (its process died) is taken over and run', async () => {
    const k = key('stale');
    await store.claimIdempotencyKey(false, k, { method: 'POST', path: '/v1/identity/verification_sessions', params_hash: paramsHash({ type: 'document' }), request_id: 'req_dead', now: NOW });
    const c = counting();
    const r = req(k, { nowS: NOW + 60 });
    const res = await runIdempotent(store, r, c.exec, toResponse);
    assert.deepEqual([res.status, res.originalRequest, c.runs()], [200, r.requestId, 1]);
    const again = await runIdempotent(store, req(k, { nowS: NOW + 61 }), c.exec, toResponse);
    assert.deepEqual([again.originalRequest, c.runs()], [r.requestId, 1]);
  });

  it('an error that is not storable (validation) releases the key', async () => {
    const k = key('release');
    const res = await runIdempotent(store, req(k), async () => { throw errors.unknownParam('bogus'); }, toResponse);
    assert.equal(res.status, 400);
    const c = counting();
    const ok = await runIdempotent(store, req(k, { params: { type: 'id_number' } }), c.exec, toResponse);
    assert.deepEqual([ok.status, c.runs()], [200, 1]);
  });

  it('a storable error is replayed with its status and body', async () => {
    const k = key('state');
    const r1 = req(k);
    const first = await runIdempotent(store, r1, async () => { throw errors.invalidState('nope'); }, toResponse);
    const c = counting();
    const second = await runIdempotent(store, req(k), c.exec, toResponse);
    assert.deepEqual([second.status, second.body, second.originalRequest, c.runs()], [400, first.body, r1.requestId, 0]);
  });

  it('an unexpected fault is stored as a 500 and replayed with Stripe-Should-Retry: false', async () => {
    const k = key('500');
    const first = await runIdempotent(store, req(k), async () => { throw new Error('boom'); }, toResponse);
    assert.deepEqual([first.status, first.headers], [500, { 'Stripe-Should-Retry': 'false' }]);
    const c = counting();
    const second = await runIdempotent(store, req(k), c.exec, toResponse);
    assert.deepEqual([second.status, second.body, second.headers, c.runs()], [500, first.body, { 'Stripe-Should-Retry': 'false' }, 0]);
  });

  it('the work of a failed request is rolled back with it', async () => {
    const k = key('rollback');
    const apiKey = 'sk_test_' + crypto.randomBytes(12).toString('hex');
    const rec = recordFor(apiKey, { created: NOW });
    await runIdempotent(store, req(k), async (tx) => {
      await tx.insertKey(rec);
      throw new Error('after the write');
    }, toResponse);
    assert.equal(await store.findKeyByHash(rec.secret_hash), undefined);
  });

  it('the work of a successful request commits with its stored response', async () => {
    const k = key('commit');
    const apiKey = 'sk_test_' + crypto.randomBytes(12).toString('hex');
    const rec = recordFor(apiKey, { created: NOW });
    await runIdempotent(store, req(k), async (tx) => {
      await tx.insertKey(rec);
      return { status: 200, body: '{}', headers: {} };
    }, toResponse);
    assert.ok(await store.findKeyByHash(rec.secret_hash));
  });

  it('keys are kept per mode', async () => {
    const k = key('mode');
    const c = counting();
    await runIdempotent(store, req(k), c.exec, toResponse);
    const live = await runIdempotent(store, req(k, { livemode: true, params: { type: 'id_number' } }), c.exec, toResponse);
    assert.deepEqual([live.status, c.runs()], [200, 2]);
  });

  it('a key is replayed until the retention window ends and runs afresh from then on', async () => {
    const k = key('retention');
    const c = counting();
    await runIdempotent(store, req(k), c.exec, toResponse);
    await runIdempotent(store, req(k, { nowS: NOW + RETENTION_S - 1 }), c.exec, toResponse);
    assert.equal(c.runs(), 1);
    const r = req(k, { nowS: NOW + RETENTION_S, params: { type: 'id_number' } });
    const res = await runIdempotent(store, r, c.exec, toResponse);
    assert.deepEqual([res.status, res.originalRequest, c.runs()], [200, r.requestId, 2]);
  });
});
