// FileLinks: public, unauthenticated URLs to a file's contents. For identity images (purposes
// identity_document_downloadable and selfie) Stripe's rules hold: only a key allowed to see sensitive results
// may create one, and it must expire within 30 seconds. A redacted session's files get no links, and the
// links they had stop working.
import { sensitiveAccess } from '../api/stripe/auth.js';
import type { ApiContext } from '../api/stripe/endpoint.js';
import { MSG, StripeError, errors } from '../api/stripe/errors.js';
import { assertSensitiveAllowed } from '../api/verification_sessions/shared.js';
import type { Deps } from '../deps.js';
import type { FileLinkRecord } from '../store/file-store.js';
import { CONTENT_TYPES, type FileRecord, IDENTITY_LINK_PURPOSES, assertContentsAvailable, loadFile, readFileContents } from './files.js';
import { randomBase62 } from './ids.js';

/** Stripe: "FileLinks for document or selfie files must expire within 30 seconds." */
export const IDENTITY_LINK_MAX_S = 30;

export const newFileLinkId = () => `link_${randomBase62(24)}`;
const newToken = (livemode: boolean) => `fl_${livemode ? 'live' : 'test'}_${randomBase62(48)}`;

export function linkUrl(d: Deps, token: string): string {
  return `${d.config.publicUrl}/links/${token}`;
}

export function isExpired(l: { expires_at: number | null }, now: number): boolean {
  return l.expires_at !== null && l.expires_at <= now;
}

/** Stripe's FileLink object; `file` is the id unless expanded. */
export function presentLink(d: Deps, l: FileLinkRecord, now: number, file?: unknown): Record<string, unknown> {
  return {
    id: l.id,
    object: 'file_link',
    created: l.created,
    expired: isExpired(l, now),
    expires_at: l.expires_at,
    file: file ?? l.file_id,
    livemode: l.livemode,
    metadata: l.metadata,
    url: linkUrl(d, l.token),
  };
}

/** Who may link to this file, and until when. Throws Stripe-style errors; returns nothing when allowed. */
async function assertMayLink(ctx: ApiContext, f: FileRecord & { redacted: boolean }, expiresAt: number | null): Promise<void> {
  const d = ctx.deps;
  if (f.purpose === 'identity_document') throw errors.invalid('file', MSG.fileLinkPurpose(f.purpose));
  if (IDENTITY_LINK_PURPOSES.includes(f.purpose)) {
    if (sensitiveAccess(ctx.key) === 'none') throw new StripeError({ status: 403, message: MSG.fileLinkNeedsSensitiveKey(f.purpose) });
    if (expiresAt === null || expiresAt > ctx.nowS + IDENTITY_LINK_MAX_S)
      throw errors.invalid('expires_at', MSG.fileLinkTooLong(f.purpose, IDENTITY_LINK_MAX_S));
    // The 48-hour window of a "recent results" key applies to the images as to the other sensitive fields.
    if (f.session_id) {
      const s = await d.store.findSession(f.session_id);
      const rep = s?.last_report_id ? await d.store.findReport(s.last_report_id) : undefined;
      assertSensitiveAllowed(ctx, ['file'], rep?.created);
    }
  }
  try {
    await assertContentsAvailable(d, f);
  } catch {
    throw errors.invalid('file', MSG.fileLinkFileRedacted(f.id));
  }
}

export async function createFileLink(
  ctx: ApiContext,
  input: { file: string; expires_at?: number; metadata?: Record<string, string | null> | null },
): Promise<FileLinkRecord> {
  const d = ctx.deps;
  const f = await loadFile(d, input.file, ctx.livemode, 'file');
  const expiresAt = input.expires_at ?? null;
  if (expiresAt !== null && expiresAt <= ctx.nowS) throw errors.invalid('expires_at', MSG.fileLinkExpiresPast);
  await assertMayLink(ctx, f, expiresAt);
  const link: FileLinkRecord = {
    id: newFileLinkId(),
    livemode: ctx.livemode,
    created: ctx.nowS,
    file_id: f.id,
    token: newToken(ctx.livemode),
    expires_at: expiresAt,
    metadata: mergeMetadata({}, input.metadata),
  };
  await d.store.files.insertLink(link);
  return link;
}

export async function loadLink(d: Deps, id: string, livemode: boolean): Promise<FileLinkRecord> {
  const l = await d.store.files.findLink(id);
  if (!l) throw errors.notFound('file_link', id);
  if (l.livemode !== livemode) throw errors.notFound('file_link', id, 'id', l.livemode ? 'live' : 'test');
  return l;
}

/** Update: `expires_at` ('now', a time, or '' for never) and metadata. An identity link can only get shorter. */
export async function updateFileLink(
  ctx: ApiContext,
  id: string,
  input: { expires_at?: number | 'now' | null; metadata?: Record<string, string | null> | null },
): Promise<FileLinkRecord> {
  const d = ctx.deps;
  const l = await loadLink(d, id, ctx.livemode);
  if (input.expires_at !== undefined) {
    const next = input.expires_at === 'now' ? ctx.nowS : input.expires_at;
    if (next !== null && input.expires_at !== 'now' && next <= ctx.nowS) throw errors.invalid('expires_at', MSG.fileLinkExpiresPast);
    const f = await loadFile(d, l.file_id, ctx.livemode, 'file');
    if (IDENTITY_LINK_PURPOSES.includes(f.purpose) && (next === null || next > ctx.nowS + IDENTITY_LINK_MAX_S))
      throw errors.invalid('expires_at', MSG.fileLinkTooLong(f.purpose, IDENTITY_LINK_MAX_S));
    l.expires_at = next;
  }
  if (input.metadata !== undefined) l.metadata = mergeMetadata(l.metadata, input.metadata);
  await d.store.files.updateLink(l);
  return l;
}

/** Stripe's metadata update: null/'' unsets everything, a key with '' unsets that key. */
function mergeMetadata(cur: Record<string, string>, upd: Record<string, string | null> | null | undefined): Record<string, string> {
  if (upd === undefined) return cur;
  if (upd === null) return {};
  const out = { ...cur };
  for (const [k, v] of Object.entries(upd)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** What a public link serves: the decrypted contents, or null (unknown, expired, redacted: all alike). */
export async function resolveLinkToken(
  d: Deps,
  token: string,
  now: number,
): Promise<{ bytes: Buffer; contentType: string; filename: string } | null> {
  if (!/^fl_(test|live)_[A-Za-z0-9]{48}$/.test(token)) return null;
  const l = await d.store.files.findLinkByToken(token);
  if (!l || isExpired(l, now)) return null;
  const f = await d.store.files.findFile(l.file_id);
  if (!f) return null;
  const bytes = await readFileContents(d, f.id);
  if (!bytes) return null;
  return { bytes, contentType: CONTENT_TYPES[f.type], filename: f.filename ?? `${f.id}.${f.type}` };
}
