// The end user's side of Verity: the hosted verification page (`/verify/<token>`), the modal's frame and
// script (`/verify/embed`, `/js/verity.js`), their static assets, and the small JSON API the page drives
// (`/verify/api/*`, authorised by the link token or the session's client_secret — never by an API key).
// None of this is Stripe's REST surface; it is mounted beside it.
import type { Hono } from 'hono';
import type { Deps } from '../deps.js';
import { mountPageApi } from './api/index.js';
import { mountPages } from './pages.js';

export function mountWeb(app: Hono<any>, deps: Deps, opts: { onWrite?: () => void } = {}): void {
  mountPageApi(app, deps, opts);
  mountPages(app, deps);
}
