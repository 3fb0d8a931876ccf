// Ephemeral keys for Stripe's mobile identity SDKs: a short-lived (1 hour) secret bound to one verification
// session, pinned to the API version the SDK asked for. Only a hash of the secret is stored.
import type { ApiContext } from '../api/stripe/endpoint.js';
import { MSG, errors } from '../api/stripe/errors.js';
import type { EphemeralKeyRecord } from '../store/file-store.js';
import { randomBase62 } from './ids.js';
import { loadSession } from './sessions.js';

export const EPHEMERAL_KEY_TTL_S = 3600;

export function presentEphemeralKey(k: EphemeralKeyRecord, secret?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: k.id,
    object: 'ephemeral_key',
    associated_objects: [{ id: k.session_id, type: 'identity.verification_session' }],
    created: k.created,
    expires: k.expires,
    livemode: k.livemode,
  };
  if (secret !== undefined) out.secret = secret;
  return out;
}

export async function createEphemeralKey(ctx: ApiContext, sessionId: string, apiVersion: string): Promise<{ key: EphemeralKeyRecord; secret: string }> {
  const s = await loadSession(ctx.deps.store, sessionId, ctx.livemode, 'verification_session');
  if (s.redaction_status !== null) throw errors.invalidState(MSG.sessionRedacted);
  if (s.status !== 'requires_input') throw errors.invalidState(MSG.sessionInvalidState('create an ephemeral key for', s.status));
  const key: EphemeralKeyRecord = {
    id: `ephkey_${randomBase62(24)}`,
    livemode: ctx.livemode,
    created: ctx.nowS,
    expires: ctx.nowS + EPHEMERAL_KEY_TTL_S,
    session_id: s.id,
    api_version: apiVersion,
    deleted: false,
  };
  const secret = `ek_${ctx.livemode ? 'live' : 'test'}_${randomBase62(64)}`;
  await ctx.deps.store.files.insertEphemeralKey(key, secret);
  return { key, secret };
}

/** Invalidates a key at once; the answer shows it expiring now. Deleting twice answers the same. */
export async function deleteEphemeralKey(ctx: ApiContext, id: string): Promise<EphemeralKeyRecord> {
  const k = await ctx.deps.store.files.findEphemeralKey(id);
  if (!k) throw errors.notFound('ephemeral_key', id);
  if (k.livemode !== ctx.livemode) throw errors.notFound('ephemeral_key', id, 'id', k.livemode ? 'live' : 'test');
  if (!k.deleted) await ctx.deps.store.files.deleteEphemeralKey(id);
  return { ...k, deleted: true, expires: Math.min(k.expires, ctx.nowS) };
}
