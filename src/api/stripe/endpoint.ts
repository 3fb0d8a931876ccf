// The request pipeline every Stripe endpoint runs through, in Stripe's order: authenticate, check the API
// version, read and parse the form body (query and body pooled), then the handler — inside the idempotency
// layer for POSTs that carry a key. Handlers stay thin: parse → one domain call → present.
import crypto from 'node:crypto';
import { readCapped } from '../read-body.js';
import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { newId } from '../../domain/ids.js';
import type { RequestMeta } from '../../domain/types.js';
import type { Store } from '../../store/store.js';
import { type Access, type AuthedKey, type KeyRing, authorize } from './auth.js';
import { MSG, StripeError, errors } from './errors.js';
import { type StoredResponse, checkKey, runIdempotent } from './idempotency.js';
import { type Raw, mergeParams, parseForm } from './params.js';
import type { RateLimiter } from './rate-limit.js';
import { respond, writtenHeaders } from './respond.js';

export const MAX_BODY_BYTES = 1 << 20;

export interface ApiContext {
  deps: Deps;
  key: AuthedKey;
  livemode: boolean;
  params: Record<string, Raw>;
  path: Record<string, string>;
  meta: RequestMeta;
  nowS: number;
  /** The file part of a multipart request (endpoints with `body: multipart`), if one was sent. */
  upload?: Upload;
  /** The Stripe-Version header as sent (meta.apiVersion falls back to the default); ephemeral keys need it. */
  versionHeader?: string;
}

export interface Upload {
  field: string;
  filename: string | null;
  contentType: string;
  bytes: Buffer;
}

/** A response that is not JSON (file contents). Only for GET endpoints. */
export interface RawBody {
  bytes: Buffer;
  headers: Record<string, string>;
}

export interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE';
  /** Hono path, e.g. '/v1/identity/verification_sessions/:session'. */
  path: string;
  access: Access;
  testModeOnly?: boolean;
  /**
   * The body this endpoint reads: form-encoded within MAX_BODY_BYTES (the default), or multipart/form-data
   * within its own cap (file uploads). Over the cap the request fails with `tooLarge()` as soon as the
   * declared Content-Length or the bytes read so far show it — the body is never buffered whole.
   */
  body?: { kind: 'multipart'; maxBytes: number; tooLarge(): StripeError };
  handler(ctx: ApiContext): Promise<HandlerResult>;
}

/** What a handler answers: an object to send as JSON, JSON it already has as text, or file contents. */
export type HandlerResult = { status?: number; body: unknown; raw?: RawBody } | { status?: number; json: string };

// Stripe's versions: YYYY-MM-DD, or YYYY-MM-DD.name from 2024-09-30.acacia on.
const VERSION_RE = /^(\d{4})-(\d{2})-(\d{2})(?:\.([a-z]+))?$/;

// Versions already found valid. Nearly every request sends one, and nearly always the same.
const VALID_VERSIONS = new Set<string>();
const MAX_VALID_VERSIONS = 100;

export function checkApiVersion(v: string): void {
  if (VALID_VERSIONS.has(v)) return;
  const m = VERSION_RE.exec(v);
  const valid =
    m !== null &&
    Number(m[1]) >= 2011 &&
    Number(m[2]) >= 1 &&
    Number(m[2]) <= 12 &&
    Number(m[3]) >= 1 &&
    Number(m[3]) <= 31 &&
    (m[4] === undefined || `${m[1]}-${m[2]}-${m[3]}` >= '2024-09-30');
  if (!valid) throw new StripeError({ status: 400, message: MSG.invalidApiVersion(v.slice(0, 100)) });
  if (VALID_VERSIONS.size >= MAX_VALID_VERSIONS) VALID_VERSIONS.clear();
  VALID_VERSIONS.add(v);
}

export const BASE_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-cache, no-store',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Methods': 'GET, HEAD, PUT, PATCH, POST, DELETE',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account',
  'Access-Control-Expose-Headers': 'Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, Original-Request, Idempotency-Key',
  'Access-Control-Max-Age': '300',
};

const BASE_WRITTEN = writtenHeaders(BASE_HEADERS);

/**
 * The answer instead of one whose writes (or the writes it read) were lost: the commit group it waited for
 * failed (see group-commit.ts).
 */
export function lostCommitResponse(e: unknown, deps: Deps, requestId: string): Response {
  const r = errorResponse(e, deps, requestId);
  return new Response(r.body, { status: r.status, headers: { ...BASE_HEADERS, ...r.headers, 'Request-Id': requestId } });
}

/** The one place an error becomes Stripe's envelope. Unexpected faults are logged and leak nothing. */
export function errorResponse(e: unknown, deps: Deps, requestId: string): StoredResponse & { storable: boolean } {
  let err: StripeError;
  if (e instanceof StripeError) err = e;
  else {
    deps.log.error('unexpected error', { request_id: requestId, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    err = errors.internal();
  }
  return { status: err.status, body: JSON.stringify(err.toBody()), headers: err.headers, storable: err.storable };
}

const bodyTooLarge = () => new StripeError({ status: 413, message: MSG.bodyTooLarge(MAX_BODY_BYTES) });

function readBody(c: Context, limit = MAX_BODY_BYTES, tooLarge = bodyTooLarge): Promise<Buffer> {
  return readCapped(c.req.raw, limit, { tooLarge, incomplete: () => new StripeError({ status: 400, message: MSG.bodyIncomplete }) });
}

/**
 * A multipart/form-data body (already within its cap) as the form parameters of its text fields, in Rack's
 * bracket syntax like a form-encoded body, and its one file part. Parsing is the platform's (undici).
 */
async function parseMultipart(buf: Buffer, contentType: string): Promise<{ text: string; upload?: Upload }> {
  let form: FormData;
  try {
    form = await new Response(buf as unknown as BodyInit, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new StripeError({ status: 400, message: MSG.malformedMultipart });
  }
  const fields = new URLSearchParams();
  let upload: Upload | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      fields.append(name, value);
      continue;
    }
    if (upload) throw new StripeError({ status: 400, message: MSG.multipleFiles });
    upload = {
      field: name,
      filename: value.name || null,
      contentType: value.type,
      bytes: Buffer.from(await value.arrayBuffer()),
    };
  }
  return { text: fields.toString(), upload };
}

function queryString(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}

/** File contents: the API's headers, with the body's own type, length and download headers. */
function sendRaw(method: string, status: number, raw: RawBody, headers: Record<string, string>): Response {
  const out: Record<string, string> = { ...headers, ...raw.headers, 'Content-Length': String(raw.bytes.length) };
  return new Response(method === 'HEAD' ? null : (raw.bytes as unknown as BodyInit), { status, headers: out });
}

/**
 * The route handler for an endpoint. It opens and closes the request itself (no app-wide middleware runs for
 * /v1/: see router.ts): mints the Request-Id, and answers only once what it reports is durable, as the app's
 * middleware does elsewhere.
 */
export function stripeHandler(deps: Deps, keys: KeyRing, ep: Endpoint, limiter?: RateLimiter) {
  return async (c: Context): Promise<Response> => {
    const requestId = newId.request();
    const res = await answer(deps, keys, ep, limiter, c, requestId);
    try {
      await deps.store.settled();
    } catch (e) {
      return lostCommitResponse(e, deps, requestId);
    }
    return res;
  };
}

/** The response to one request: authenticated, parsed and run as the endpoint says; any failure as Stripe's error. */
async function answer(deps: Deps, keys: KeyRing, ep: Endpoint, limiter: RateLimiter | undefined, c: Context, requestId: string): Promise<Response> {
  const nowMs = deps.clock.nowMs();
  const nowS = Math.floor(nowMs / 1000);
  const version = c.req.header('stripe-version');
  // This response's own headers; BASE_HEADERS go under them (see respond.ts).
  const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': deps.config.defaultApiVersion };
  const method = c.req.method;
  try {
    const path = c.req.param() as Record<string, string>;
    // No object id holds a NUL (and PostgreSQL text cannot): such a URL names nothing, as an unknown one.
    for (const k in path)
      if (path[k].includes('\0')) throw new StripeError({ status: 404, message: MSG.unrecognizedUrl(method, new URL(c.req.url).pathname) });
    const authed = keys.authenticate(c.req.header('authorization'), nowMs);
    const key = authed instanceof Promise ? await authed : authed;
    limiter?.take(key.record.livemode, `${ep.method} ${ep.path}`, nowMs);
    if (version !== undefined) {
      checkApiVersion(version);
      headers['Stripe-Version'] = version;
    }
    authorize(key, ep.access);
    if (ep.testModeOnly && key.record.livemode) throw new StripeError({ status: 400, message: MSG.testModeOnly });

    let bodyText = '';
    let upload: Upload | undefined;
    if (ep.method !== 'GET') {
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (ep.body?.kind === 'multipart' && type === 'multipart/form-data') {
        const parsed = await parseMultipart(await readBody(c, ep.body.maxBytes, ep.body.tooLarge), c.req.header('content-type')!);
        bodyText = parsed.text;
        upload = parsed.upload;
      } else {
        bodyText = (await readBody(c)).toString('utf8');
        if (bodyText !== '' && type !== 'application/x-www-form-urlencoded')
          throw new StripeError({ status: 400, message: MSG.unsupportedContentType(c.req.header('content-type') || '(none)') });
      }
    }
    const params = mergeParams(parseForm(queryString(c.req.url)), parseForm(bodyText));
    // An empty Idempotency-Key is no key (otherwise every such request would share one stored response).
    const idemKey = ep.method === 'POST' ? c.req.header('idempotency-key') || null : null;
    const call = new Call(deps, ep, {
      deps,
      key,
      livemode: key.record.livemode,
      params,
      path,
      meta: { requestId, idempotencyKey: idemKey, apiVersion: headers['Stripe-Version'] },
      nowS,
      upload,
      versionHeader: version,
    });

    // Without a key a POST still runs in one transaction, so a request that fails after writing (a refused
    // sensitive expand while rendering, say) leaves nothing behind, as with a key.
    if (idemKey === null) {
      const res = await (ep.method === 'GET' ? call.run(deps.store) : deps.store.transaction((tx) => call.run(tx)));
      if (call.raw) return sendRaw(method, res.status, call.raw, { ...BASE_HEADERS, ...headers });
      return respond(method, res.status, res.body, BASE_WRITTEN, headers);
    }
    checkKey(idemKey);
    headers['Idempotency-Key'] = idemKey;
    const res = await runIdempotent(
      deps.store,
      {
        livemode: key.record.livemode,
        key: idemKey,
        method: ep.method,
        path: new URL(c.req.url).pathname,
        // A retry must send the same file too: its digest joins the parameters the key is checked against.
        params: upload ? { ...params, '(file)': crypto.createHash('sha256').update(upload.bytes).digest('hex') } : params,
        requestId,
        nowS,
      },
      (tx) => call.run(tx),
      (e) => errorResponse(e, deps, requestId),
    );
    headers['Original-Request'] = res.originalRequest;
    return respond(method, res.status, res.body, BASE_WRITTEN, { ...headers, ...res.headers });
  } catch (e) {
    const r = errorResponse(e, deps, requestId);
    return respond(method, r.status, r.body, BASE_WRITTEN, { ...headers, ...r.headers });
  }
}

/** One request's handler call, run on the store given (a transaction's, for writes). */
class Call {
  /** A non-JSON body the handler answered with (file contents). */
  raw: RawBody | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly ep: Endpoint,
    private readonly ctx: ApiContext,
  ) {}

  async run(store: Store): Promise<StoredResponse> {
    const ctx = store === this.deps.store ? this.ctx : { ...this.ctx, deps: { ...this.deps, store } };
    const r = await this.ep.handler(ctx);
    if ('json' in r) return { status: r.status ?? 200, body: r.json, headers: {} };
    if (r.raw) {
      if (this.ep.method !== 'GET') throw new Error('raw bodies are for GET endpoints only');
      this.raw = r.raw;
      return { status: r.status ?? 200, body: '', headers: {} };
    }
    return { status: r.status ?? 200, body: JSON.stringify(r.body), headers: {} };
  }
}
