// Authentication as Stripe does it: Bearer or Basic (key as the username), the mode from the key, restricted
// keys checked against the endpoint's permission. Lookups are cached briefly, by the Authorization value as
// sent, so the hot path neither parses, hashes nor queries on every request (hashing alone cost about a
// twentieth of a retrieve). The cache holds no more than what every request carries in memory anyway.
import { hashKey, parseKeyShape, PERMISSIONS } from '../../domain/keys.js';
import type { ApiKeyRecord, Store } from '../../store/store.js';
import { MSG, StripeError } from './errors.js';

export interface AuthedKey {
  record: ApiKeyRecord;
  /** The key as sent; used only to mask it in error messages. */
  raw: string;
}

export type Access =
  | 'identity_read'
  | 'identity_write'
  | 'events_read'
  | 'test_helpers'
  | 'webhooks_read'
  | 'webhooks_write'
  | 'files_read'
  | 'files_write';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

export class KeyRing {
  /** By Authorization header value; only values that named a known secret or restricted key. */
  private cache = new Map<string, { key: AuthedKey; at: number }>();
  constructor(private readonly store: Store) {}

  /**
   * The key the Authorization value names. A cached key still valid comes back as is, not in a promise: that
   * is nearly every request, and an async call costs it a promise and a turn of the microtask queue. Every
   * refusal comes as a rejected promise.
   */
  authenticate(header: string | undefined, nowMs: number): AuthedKey | Promise<AuthedKey> {
    const hit = header === undefined ? undefined : this.cache.get(header);
    if (hit && nowMs - hit.at < CACHE_TTL_MS && !expired(hit.key, nowMs)) return hit.key;
    return this.lookUp(header, nowMs);
  }

  private async lookUp(header: string | undefined, nowMs: number): Promise<AuthedKey> {
    const hit = header === undefined ? undefined : this.cache.get(header);
    let key = hit && nowMs - hit.at < CACHE_TTL_MS ? hit.key : undefined;
    if (!key) {
      const raw = extractKey(header);
      const shape = parseKeyShape(raw);
      if (shape?.kind === 'publishable')
        throw new StripeError({ status: 401, code: 'secret_key_required', message: MSG.secretKeyRequired });
      if (!shape) throw new StripeError({ status: 401, message: MSG.invalidApiKey(raw) });
      const rec = await this.store.findKeyByHash(hashKey(raw));
      if (!rec) throw new StripeError({ status: 401, message: MSG.invalidApiKey(raw) });
      key = { record: rec, raw };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(header!, { key, at: nowMs });
    }
    if (expired(key, nowMs)) throw new StripeError({ status: 401, code: 'api_key_expired', message: MSG.expiredApiKey(key.raw) });
    return key;
  }
}

const expired = (key: AuthedKey, nowMs: number): boolean => key.record.expires_at !== null && key.record.expires_at * 1000 <= nowMs;

function extractKey(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new StripeError({ status: 401, message: MSG.noApiKey });
  const m = /^(Bearer|Basic)\s+(.*)$/i.exec(header.trim());
  if (!m) throw new StripeError({ status: 401, message: MSG.malformedAuth(describe(header)) });
  if (m[1].toLowerCase() === 'basic') {
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    const user = decoded.split(':')[0] ?? '';
    if (user === '') throw new StripeError({ status: 401, message: MSG.noApiKey });
    return user;
  }
  const key = m[2].trim();
  // No `prefix_` at all (`Bearer null`, `Bearer undefined`): not a key, so "you did not provide an API key".
  if (key === '' || !/^[A-Za-z0-9_]+$/.test(key) || !key.includes('_'))
    throw new StripeError({ status: 401, message: MSG.malformedAuth(describe(key)) });
  return key;
}

/** What to show of a malformed Authorization value: short non-key text as is, anything key-like masked. */
function describe(v: string): string {
  const s = v.replace(/[^\x20-\x7e]/g, '?');
  if (/(sk|rk|pk)_(test|live)_/.test(s) || s.length > 40) return `${s.slice(0, 8)}…`;
  return s;
}

const NEEDS: Record<Access, string[]> = {
  identity_read: [PERMISSIONS.identityRead, PERMISSIONS.identityWrite],
  identity_write: [PERMISSIONS.identityWrite],
  events_read: [PERMISSIONS.eventsRead],
  test_helpers: [PERMISSIONS.identityWrite],
  webhooks_read: [PERMISSIONS.webhooksRead, PERMISSIONS.webhooksWrite],
  webhooks_write: [PERMISSIONS.webhooksWrite],
  files_read: [PERMISSIONS.filesRead, PERMISSIONS.filesWrite],
  files_write: [PERMISSIONS.filesWrite],
};

/** Throws Stripe's 403 when a restricted key lacks the permission an endpoint needs. */
export function authorize(key: AuthedKey, access: Access): void {
  if (key.record.kind === 'secret') return;
  const needs = NEEDS[access];
  if (!needs.some((p) => key.record.permissions.includes(p)))
    throw new StripeError({ status: 403, message: MSG.missingPermission(key.raw, needs[0]) });
}

/** Whether the key may see sensitive verification results, and for how long after processing. */
export function sensitiveAccess(key: AuthedKey): 'none' | 'recent' | 'all' {
  if (key.record.kind !== 'restricted') return 'none';
  if (key.record.permissions.includes(PERMISSIONS.sensitiveAll)) return 'all';
  if (key.record.permissions.includes(PERMISSIONS.sensitiveRecent)) return 'recent';
  return 'none';
}
