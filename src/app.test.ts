// The request scope: every response carries a fresh Request-Id, and nothing is answered before the commit group
// it waited on is durable. The API's endpoints do this themselves (no app-wide middleware runs under /v1/), the
// middleware does it everywhere else; both must answer a lost commit the same way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../test/harness.js';
import { MSG } from './api/stripe/errors.js';

const SESSIONS = '/v1/identity/verification_sessions';

describe('request scope', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
  });
  after(() => v.close());

  /** Makes every wait for durability fail, as when a commit group's COMMIT fails, until restore(). */
  function loseCommits(): () => void {
    const store = v.deps.store as { settled: () => Promise<void> };
    const original = store.settled;
    store.settled = () => Promise.reject(new Error('disk I/O error'));
    return () => {
      store.settled = original;
    };
  }

  const requestIds = async (path: string, init?: Parameters<Verity['fetch']>[1]) => {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const r = await v.fetch(path, init);
      await r.arrayBuffer();
      ids.push(r.headers.get('request-id') ?? '');
    }
    return ids;
  };

  it('gives each response its own req_ id: an endpoint, a preflight and an unknown URL under /v1/, a page outside it', async () => {
    const s = (await (await v.fetch(SESSIONS, { method: 'POST', body: new URLSearchParams({ type: 'document' }) })).json()) as { id: string };
    for (const [path, init] of [
      [`${SESSIONS}/${s.id}`, undefined],
      [SESSIONS, { method: 'OPTIONS', key: null }],
      ['/v1/nothing_here', undefined],
      ['/healthz', undefined],
    ] as const) {
      const [a, b] = await requestIds(path, init);
      assert.match(a, /^req_[A-Za-z0-9]{14}$/, path);
      assert.match(b, /^req_[A-Za-z0-9]{14}$/, path);
      assert.notEqual(a, b, path);
    }
  });

  it('answers Stripe\'s 500 when the commit a retrieve or a create waited on is lost', async () => {
    const s = (await (await v.fetch(SESSIONS, { method: 'POST', body: new URLSearchParams({ type: 'document' }) })).json()) as { id: string };
    const restore = loseCommits();
    try {
      for (const [path, init] of [
        [`${SESSIONS}/${s.id}`, undefined],
        [SESSIONS, { method: 'POST', body: new URLSearchParams({ type: 'document' }) }],
      ] as const) {
        const r = await v.fetch(path, init);
        const body = (await r.json()) as { error: { message: string; type: string } };
        assert.equal(r.status, 500, path);
        assert.deepEqual(body, { error: { message: MSG.internal, type: 'api_error' } }, path);
        assert.match(r.headers.get('request-id') ?? '', /^req_/, path);
        assert.equal(r.headers.get('stripe-should-retry'), 'false', path);
        assert.equal(r.headers.get('content-type'), 'application/json', path);
        assert.equal(r.headers.get('access-control-allow-origin'), '*', path);
      }
    } finally {
      restore();
    }
  });

  it('answers the same 500 outside /v1/', async () => {
    const restore = loseCommits();
    try {
      const r = await v.fetch('/healthz');
      assert.equal(r.status, 500);
      assert.deepEqual(await r.json(), { error: { message: MSG.internal, type: 'api_error' } });
      assert.match(r.headers.get('request-id') ?? '', /^req_/);
    } finally {
      restore();
    }
  });
});
