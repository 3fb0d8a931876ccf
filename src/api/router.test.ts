import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result, Router } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';
import { ApiFirstRouter } from './router.js';

// Routes shaped like the app's: the middleware for all, the API's, and the hosted page's (which RegExpRouter
// cannot take: `/verify/:token` beside `/verify/api/*` and static `/verify/…` pages).
const ROUTES: [string, string][] = [
  ['ALL', '/*'],
  ['GET', '/healthz'],
  ['OPTIONS', '/v1/*'],
  ['POST', '/v1/identity/verification_sessions'],
  ['GET', '/v1/identity/verification_sessions'],
  ['GET', '/v1/identity/verification_sessions/:session'],
  ['POST', '/v1/identity/verification_sessions/:session'],
  ['POST', '/v1/identity/verification_sessions/:session/cancel'],
  ['GET', '/v1/files/:file/contents'],
  ['DELETE', '/v1/ephemeral_keys/:key'],
  ['GET', '/verify/api/session'],
  ['ALL', '/verify/api/*'],
  ['GET', '/verify/privacy'],
  ['GET', '/verify/:token'],
  ['GET', '/:anything/v1-like'],
  ['GET', '/links/:token'],
];

const PATHS = [
  '/v1/identity/verification_sessions',
  '/v1/identity/verification_sessions/vs_123',
  '/v1/identity/verification_sessions/vs_123/cancel',
  '/v1/identity/verification_sessions/vs_123/unknown',
  '/v1/files/file_1/contents',
  '/v1/ephemeral_keys/ephkey_1',
  '/v1/nothing',
  '/v1/',
  '/v1',
  '/v1/v1-like',
  '/healthz',
  '/verify/api/session',
  '/verify/api/other',
  '/verify/privacy',
  '/verify/tok_1',
  '/links/x',
  '/',
];

/** A match as handlers in order with their decoded parameters, whichever router's result format. */
function normalize(r: Result<string>): [string, Record<string, string>][] {
  if (r.length === 1) return r[0].map(([h, params]) => [h, { ...(params as Record<string, string>) }]);
  const stash = r[1];
  return r[0].map(([h, map]) => [h, Object.fromEntries(Object.entries(map as Record<string, number>).map(([k, i]) => [k, stash![i]]))]);
}

function build(router: Router<string>): Router<string> {
  ROUTES.forEach(([m, p], i) => router.add(m, p, `${i}:${m} ${p}`));
  return router;
}

const EVERY_PATH_MIDDLEWARE = '0:ALL /*';

describe('ApiFirstRouter', () => {
  it('matches every method and path as a TrieRouter holding the same routes does, but for the middleware under /v1/', () => {
    const fast = build(new ApiFirstRouter());
    const trie = build(new TrieRouter());
    for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS'])
      for (const path of PATHS) {
        const want = normalize(trie.match(method, path)).filter(([h]) => !(path.startsWith('/v1/') && h === EVERY_PATH_MIDDLEWARE));
        assert.deepEqual(normalize(fast.match(method, path)), want, `${method} ${path}`);
      }
  });

  it('really matches a route under /v1/ (not an empty result for everything), with no middleware around it', () => {
    const got = normalize(build(new ApiFirstRouter()).match('GET', '/v1/identity/verification_sessions/vs_1'));
    assert.deepEqual(got.map(([h]) => h), ['5:GET /v1/identity/verification_sessions/:session']);
    assert.deepEqual(got[0][1], { session: 'vs_1' });
  });

  it('keeps the middleware for every path outside /v1/, /v1 itself included', () => {
    const router = build(new ApiFirstRouter());
    for (const path of ['/healthz', '/verify/tok_1', '/v1', '/'])
      assert.equal(normalize(router.match('GET', path))[0]?.[0], EVERY_PATH_MIDDLEWARE, path);
  });

  it('leaves out a middleware registered as `*` as well as `/*`', () => {
    const router = new ApiFirstRouter<string>();
    router.add('ALL', '*', 'mw');
    router.add('GET', '/v1/things/:id', 'thing');
    assert.deepEqual(normalize(router.match('GET', '/v1/things/t_1')).map(([h]) => h), ['thing']);
    assert.deepEqual(normalize(router.match('GET', '/elsewhere')).map(([h]) => h), ['mw']);
  });
});
