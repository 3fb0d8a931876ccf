// Idempotent POSTs, as Stripe promises them: the first result for a key (success, a state error, or a 500)
// is stored and replayed; a different endpoint or different parameters under the same key is a 400
// idempotency_error; a key whose first request is still running is a 409 (the SDK backs off and retries);
// a request that fails validation stores nothing. Keys are scoped by mode and kept 24 hours.
//
// The claim commits on its own, so a concurrent duplicate sees it. The endpoint's writes and the stored
// response then commit together: after a crash either both exist or neither, and a claim left behind by a
// dead process is taken over once its lease runs out.
import { sha256Hex } from '../../domain/digest.js';
import type { Store } from '../../store/store.js';
import { MSG, StripeError } from './errors.js';
import type { Raw } from './params.js';

const LEASE_S = 60;
/** Keys are kept (at least) 24 hours; an older key runs as a new request even before the purge removes it. */
export const RETENTION_S = 24 * 3600;
const MAX_KEY_LENGTH = 255;

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export function checkKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH) throw new StripeError({ status: 400, message: MSG.idempotencyKeyTooLong, param: 'Idempotency-Key' });
}

export function paramsHash(params: Record<string, Raw>): string {
  return sha256Hex(canonical(params));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

export async function runIdempotent(
  store: Store,
  req: { livemode: boolean; key: string; method: string; path: string; params: Record<string, Raw>; requestId: string; nowS: number },
  execute: (tx: Store) => Promise<StoredResponse>,
  errorResponse: (e: unknown) => StoredResponse & { storable: boolean },
): Promise<StoredResponse & { originalRequest: string }> {
  const hash = paramsHash(req.params);
  const claim = () =>
    store.claimIdempotencyKey(req.livemode, req.key, {
      method: req.method,
      path: req.path,
      params_hash: hash,
      request_id: req.requestId,
      now: req.nowS,
    });
  let existing = await claim();
  if (existing && existing.created <= req.nowS - RETENTION_S) {
    await store.expireIdempotencyKey(req.livemode, req.key, req.nowS - RETENTION_S + 1);
    existing = await claim();
  }
  if (existing) {
    if (existing.path !== req.path || existing.method !== req.method)
      throw new StripeError({
        status: 400,
        type: 'idempotency_error',
        message: MSG.idempotencyEndpointMismatch(req.key, existing.path, req.path),
      });
    if (existing.params_hash !== hash)
      throw new StripeError({ status: 400, type: 'idempotency_error', message: MSG.idempotencyParamsMismatch(req.key) });
    if (existing.state === 'done') {
      return {
        status: existing.response_status ?? 500,
        body: existing.response_body ?? '',
        headers: existing.response_status && existing.response_status >= 500 ? { 'Stripe-Should-Retry': 'false' } : {},
        originalRequest: existing.request_id,
      };
    }
    const stale = existing.locked_at + LEASE_S <= req.nowS;
    if (!stale || !(await store.retakeIdempotencyKey(req.livemode, req.key, existing.locked_at, req.requestId, req.nowS)))
      throw new StripeError({
        status: 409,
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: MSG.idempotencyInFlight(req.key),
      });
  }

  try {
    const res = await store.transaction(async (tx) => {
      const r = await execute(tx);
      await tx.completeIdempotencyKey(req.livemode, req.key, r.status, r.body);
      return r;
    });
    return { ...res, originalRequest: req.requestId };
  } catch (e) {
    const res = errorResponse(e);
    if (res.storable) {
      await store.completeIdempotencyKey(req.livemode, req.key, res.status, res.body);
    } else {
      await store.releaseIdempotencyKey(req.livemode, req.key);
    }
    return { ...res, originalRequest: req.requestId };
  }
}
