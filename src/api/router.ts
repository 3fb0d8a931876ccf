// The app's router: API paths (/v1/…) are matched by one compiled regular expression, everything else as
// before. Hono's default (SmartRouter) can only use its fast RegExpRouter when every route suits it, and the
// hosted page's routes do not, so all routes fell to the TrieRouter, whose walk cost about 4% of a retrieve.
// The API's routes do suit it; the rest keep the TrieRouter, which also still holds every route, so a path
// outside /v1/ is matched exactly as before.
//
// A path under /v1/ matches no handler registered for every path (`*`, i.e. the app-wide middleware): each
// API endpoint opens and closes its request itself (stripeHandler), so Hono calls it directly rather than
// composing a middleware chain around it for every request.
import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

const API_PREFIX = '/v1/';
const EVERY_PATH = new Set(['*', '/*']);

/** Whether a route pattern may match some path under API_PREFIX (when unsure, it may). */
function reachesApi(pattern: string): boolean {
  if (!pattern.startsWith('/')) return true;
  const first = pattern.slice(1).split('/')[0];
  return first === 'v1' || first.startsWith(':') || first.includes('*');
}

export class ApiFirstRouter<T> implements Router<T> {
  readonly name = 'ApiFirstRouter';
  // Should the API's routes ever stop suiting RegExpRouter, SmartRouter falls back to a TrieRouter for them.
  private readonly api = new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });
  private readonly rest = new TrieRouter<T>();

  add(method: string, path: string, handler: T): void {
    this.rest.add(method, path, handler);
    if (reachesApi(path) && !EVERY_PATH.has(path)) this.api.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    return path.startsWith(API_PREFIX) ? this.api.match(method, path) : this.rest.match(method, path);
  }
}
