// Builds the HTTP app from the dependencies. The route list below is the API's table of contents.
import { Hono } from 'hono';
import { KeyRing } from './api/stripe/auth.js';
import { BASE_HEADERS, type Endpoint, errorResponse, lostCommitResponse, stripeHandler } from './api/stripe/endpoint.js';
import { MSG, StripeError } from './api/stripe/errors.js';
import * as ephemeralKeys from './api/ephemeral_keys/index.js';
import * as events from './api/events/index.js';
import * as fileLinks from './api/file_links/index.js';
import * as files from './api/files/index.js';
import * as testHelpers from './api/test_helpers/index.js';
import * as reports from './api/verification_reports/index.js';
import * as sessions from './api/verification_sessions/index.js';
import * as webhookEndpoints from './api/webhook_endpoints/index.js';
import type { Deps } from './deps.js';
import { newId } from './domain/ids.js';
import { RateLimiter } from './api/stripe/rate-limit.js';
import { ApiFirstRouter } from './api/router.js';
import { mountWeb } from './web/index.js';

export const ENDPOINTS: Endpoint[] = [
  sessions.create,
  sessions.list,
  sessions.retrieve,
  sessions.update,
  sessions.cancel,
  sessions.redact,
  reports.list,
  reports.retrieve,
  events.list,
  events.retrieve,
  testHelpers.verify,
  testHelpers.unverify,
  webhookEndpoints.create,
  webhookEndpoints.list,
  webhookEndpoints.retrieve,
  webhookEndpoints.update,
  webhookEndpoints.del,
  webhookEndpoints.rollSecret,
  files.create,
  files.list,
  files.retrieve,
  files.contents,
  fileLinks.create,
  fileLinks.list,
  fileLinks.retrieve,
  fileLinks.update,
  ephemeralKeys.create,
  ephemeralKeys.del,
];

export function createApp(deps: Deps, opts: { onWrite?: () => void } = {}) {
  const app = new Hono<{ Variables: { requestId: string } }>({ router: new ApiFirstRouter() });
  const keys = new KeyRing(deps.store);

  // Outside /v1/ (the API's endpoints do the same themselves, and the router leaves this out of their matches:
  // see router.ts). Nothing is answered before what it reports is durable: SQLite commits writes in groups,
  // and a read may have seen the open group's writes. If that group failed to commit, the answer is a 500.
  app.use('*', async (c, next) => {
    c.set('requestId', newId.request());
    await next();
    try {
      await deps.store.settled();
    } catch (e) {
      c.res = undefined; // replace the response outright rather than merge the old one's headers into it
      c.res = lostCommitResponse(e, deps, c.get('requestId'));
    }
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Request-Id': c.get('requestId') }));

  // CORS preflight for browser callers (Stripe answers these for every API path). It reads nothing, so it has
  // nothing to wait for.
  app.options('/v1/*', (c) => c.body(null, 204, { ...BASE_HEADERS, 'Request-Id': newId.request() }));

  // Writes wake the worker once per turn of the event loop rather than once per request: each wake-up costs
  // the job loop and the webhook dispatcher a claim transaction, which under load cost about a quarter of a
  // create. The wake-up still comes at once, right after this turn's requests.
  let wakeQueued = false;
  const onWrite = opts.onWrite;
  const wakeWorker = () => {
    if (wakeQueued) return;
    wakeQueued = true;
    setImmediate(() => {
      wakeQueued = false;
      onWrite!();
    });
  };

  const limiter = deps.config.rateLimit === 'stripe' ? new RateLimiter() : undefined;
  for (const ep of ENDPOINTS) {
    const h = stripeHandler(deps, keys, ep, limiter);
    const handler = ep.method === 'GET' || !onWrite ? h : async (c: Parameters<typeof h>[0]) => {
      const res = await h(c);
      wakeWorker();
      return res;
    };
    app.on(ep.method, ep.path, handler);
  }

  mountWeb(app, deps, { onWrite: onWrite && wakeWorker });
  fileLinks.mountFileLinkDownloads(app, deps);

  // Under /v1/ no middleware has run (see above), so these two may have to mint the request's id.
  app.notFound((c) => {
    const requestId = c.get('requestId') ?? newId.request();
    const url = new URL(c.req.url);
    const err = new StripeError({ status: 404, message: MSG.unrecognizedUrl(c.req.method, url.pathname) });
    const r = errorResponse(err, deps, requestId);
    return c.body(r.body, 404, { ...BASE_HEADERS, 'Request-Id': requestId });
  });

  app.onError((e, c) => {
    const requestId = c.get('requestId') ?? newId.request();
    const r = errorResponse(e, deps, requestId);
    return c.body(r.body, r.status as 500, { ...BASE_HEADERS, ...r.headers, 'Request-Id': requestId });
  });

  return app;
}
