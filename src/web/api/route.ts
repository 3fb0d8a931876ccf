// What every page API route shares: the bearer token, a capped body read, JSON answers with
// `Cache-Control: no-store`, and the mapping of failures to the page's error codes. A route is a small
// object (method, path, body kind, handler) so each lives in its own file beside its test.
import type { Context } from 'hono';
import { readCapped as readBody } from '../../api/read-body.js';
import { StripeError } from '../../api/stripe/errors.js';
import type { Deps } from '../../deps.js';
import type { OtpSender, PageView } from '../../domain/page.js';
import { MSG, PageError, pageErrorBody } from './errors.js';

export const PAGE_API_BASE = '/verify/api';
// A JSON body of the page API is a handful of short fields.
const MAX_JSON_BYTES = 16 * 1024;

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface PageContext {
  deps: Deps;
  token: string;
  /** The parsed JSON object (routes with `body: 'json'`). */
  json: Record<string, unknown>;
  /** The request itself (routes that read their own body, i.e. the multipart upload). */
  req: Request;
  otpSender: OtpSender;
}

export interface PageRoute {
  method: 'GET' | 'POST';
  /** Below PAGE_API_BASE, e.g. '/consent'. */
  path: string;
  body: 'none' | 'json' | 'raw';
  handler(ctx: PageContext): Promise<PageView>;
}

/** The token from `Authorization: Bearer …`; never from the URL (it would end up in logs and Referer). */
function bearer(c: Context): string {
  const h = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new PageError('link_invalid');
  return m[1];
}

/** The body under a cap, with the page API's errors (see src/api/read-body.ts). */
export function readCapped(req: Request, limit: number, tooLarge: () => PageError): Promise<Buffer> {
  return readBody(req, limit, { tooLarge, incomplete: () => new PageError('invalid_request', MSG.bodyIncomplete) });
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const raw = await readCapped(req, MAX_JSON_BYTES, () => new PageError('invalid_request', MSG.bodyTooLarge));
  if (raw.length === 0) return {};
  if (type !== 'application/json') throw new PageError('invalid_request', MSG.badJson);
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PageError('invalid_request', MSG.badJson);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PageError('invalid_request', MSG.badJson);
  return v as Record<string, unknown>;
}

export function errorResponse(c: Context, e: PageError): Response {
  return c.body(JSON.stringify(pageErrorBody(e)), e.status as 400, PAGE_HEADERS);
}

export function pageHandler(deps: Deps, route: PageRoute, opts: { onWrite?: () => void; otpSender: OtpSender }) {
  return async (c: Context): Promise<Response> => {
    try {
      const token = bearer(c);
      const json = route.body === 'json' ? await readJson(c.req.raw) : {};
      const view = await route.handler({ deps, token, json, req: c.req.raw, otpSender: opts.otpSender });
      if (route.method !== 'GET') opts.onWrite?.();
      return c.body(JSON.stringify(view), 200, PAGE_HEADERS);
    } catch (e) {
      return errorResponse(c, toPageError(deps, e));
    }
  };
}

/** Known failures keep their code; a Stripe-shaped one from a shared domain call is mapped; the rest is ours. */
function toPageError(deps: Deps, e: unknown): PageError {
  if (e instanceof PageError) return e;
  // lock_timeout (a concurrent change) or an invalid-state race: the page re-reads and tries again.
  if (e instanceof StripeError) return new PageError(e.status === 429 || e.status === 400 ? 'busy' : 'invalid_request');
  // A bug of ours. Logged with what failed only: never the token, the body or the person's data.
  deps.log.error('page api error', { error: e instanceof Error ? e.message : String(e) });
  return new PageError('server_error');
}

// ---- small parsers for JSON fields -------------------------------------------------------------------

export function oneOf<T extends string>(json: Record<string, unknown>, name: string, allowed: readonly T[]): T {
  const v = json[name];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new PageError('invalid_request', MSG.badField(name));
  return v as T;
}

export function optionalString(json: Record<string, unknown>, name: string, max = 100): string | null {
  const v = json[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) throw new PageError('invalid_request', MSG.badField(name));
  return v.trim() === '' ? null : v.trim();
}

export function requiredString(json: Record<string, unknown>, name: string, max = 100): string {
  const v = optionalString(json, name, max);
  if (v === null) throw new PageError('invalid_request', MSG.badField(name));
  return v;
}
