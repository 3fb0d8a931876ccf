// API keys: generated here, stored only as SHA-256 hashes (keys are long random strings, so a fast hash is
// enough), and described by kind, mode and — for restricted keys — permissions.
import type { ApiKeyRecord, Store } from '../store/store.js';
import { sha256Hex } from './digest.js';
import { newId, randomBase62 } from './ids.js';

export type KeyKind = 'secret' | 'restricted' | 'publishable';

/** Restricted-key permissions, named the way Stripe's permission errors name them. */
export const PERMISSIONS = {
  identityRead: 'rak_identity_verification_read',
  identityWrite: 'rak_identity_verification_write',
  sensitiveRecent: 'rak_identity_sensitive_results_read',
  sensitiveAll: 'rak_identity_sensitive_results_all_read',
  eventsRead: 'rak_event_read',
  filesRead: 'rak_file_read',
  filesWrite: 'rak_file_write',
  webhooksRead: 'rak_webhook_read',
  webhooksWrite: 'rak_webhook_write',
} as const;
export const ALL_PERMISSIONS = Object.values(PERMISSIONS);

const PREFIX: Record<KeyKind, string> = { secret: 'sk', restricted: 'rk', publishable: 'pk' };

export function hashKey(key: string): string {
  return sha256Hex(key);
}

export function parseKeyShape(key: string): { kind: KeyKind; livemode: boolean } | undefined {
  const m = /^(sk|rk|pk)_(test|live)_[A-Za-z0-9]+$/.exec(key);
  if (!m) return undefined;
  const kind = m[1] === 'sk' ? 'secret' : m[1] === 'rk' ? 'restricted' : 'publishable';
  return { kind, livemode: m[2] === 'live' };
}

export function recordFor(key: string, opts: { permissions?: string[]; name?: string | null; created: number }): ApiKeyRecord {
  const shape = parseKeyShape(key);
  if (!shape) throw new Error('not an API key');
  return {
    id: newId.key(),
    secret_hash: hashKey(key),
    kind: shape.kind,
    livemode: shape.livemode,
    permissions: shape.kind === 'restricted' ? (opts.permissions ?? []) : [],
    last4: key.slice(-4),
    name: opts.name ?? null,
    created: opts.created,
    expires_at: null,
  };
}

/** Creates a new key and stores its hash; the plain key is returned once and never kept. */
export async function createKey(
  store: Store,
  opts: { kind: KeyKind; livemode: boolean; permissions?: string[]; name?: string; now: number },
): Promise<{ key: string; record: ApiKeyRecord }> {
  for (const p of opts.permissions ?? []) {
    if (!(ALL_PERMISSIONS as string[]).includes(p)) throw new Error(`unknown permission ${p}; known: ${ALL_PERMISSIONS.join(', ')}`);
  }
  const key = `${PREFIX[opts.kind]}_${opts.livemode ? 'live' : 'test'}_${randomBase62(40)}`;
  const record = recordFor(key, { permissions: opts.permissions, name: opts.name, created: opts.now });
  await store.insertKey(record);
  return { key, record };
}
