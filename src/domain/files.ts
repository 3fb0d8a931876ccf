// Files: identity images and documents, uploaded through the API or collected by the hosted page. The type is
// decided by the contents (magic bytes), never by the name or the declared Content-Type. Contents are sealed
// (AES-256-GCM) before they reach the blob store; the row holds only what the File object shows.
import { MSG, StripeError, errors } from '../api/stripe/errors.js';
import type { Deps } from '../deps.js';
import type { BlobStore } from '../store/blobs.js';
import type { FileLinkRecord } from '../store/file-store.js';
import { nowSec } from './clock.js';
import { randomBase62 } from './ids.js';

export const FILE_PURPOSES = ['identity_document', 'identity_document_downloadable', 'selfie'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];
export type FileType = 'jpg' | 'png' | 'pdf';

/** Purposes whose contents are identity images: reachable only through short-lived FileLinks. */
export const IDENTITY_LINK_PURPOSES: readonly FilePurpose[] = ['identity_document_downloadable', 'selfie'];

/** 10 MiB: the limit (Stripe documents 10 MB for identity images). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface FileRecord {
  id: string;
  livemode: boolean;
  purpose: FilePurpose;
  type: FileType;
  filename: string | null;
  size: number;
  created: number;
  expires_at: number | null;
  /** The owner session, for images the hosted page collected. */
  session_id: string | null;
}

export const CONTENT_TYPES: Record<FileType, string> = { jpg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };

/**
 * JPEG (FF D8 FF), PNG (the 8-byte signature) or PDF (`%PDF-`), from the first bytes. HEIC is not accepted:
 * the bundled sharp/libvips decodes AVIF but has no HEVC decoder, so a HEIC image could be stored but never
 * checked or shown.
 */
export function sniffFileType(bytes: Uint8Array): FileType | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return 'png';
  if (b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d) return 'pdf';
  return null;
}

export const newFileId = () => `file_${randomBase62(24)}`;

/** The blob store, joined to the caller's transaction where it lives in the database. */
function blobsOf(d: Deps): BlobStore {
  return d.blobs.within(d.store.db);
}

/** A file name as sent, made safe to show and to put in a header: no control characters, at most 255 long. */
export function cleanFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  const s = name.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^.*[\\/]/, '').slice(0, 255);
  return s === '' ? null : s;
}

/**
 * Stores a file: checks size and type, seals the contents into the blob store, inserts the row. The blob is
 * written first, so a row never names missing contents; a failure after that leaves an orphan blob that no
 * row names (harmless, sealed).
 */
export async function createFile(
  d: Deps,
  input: { livemode: boolean; purpose: FilePurpose; bytes: Buffer; filename: string | null; sessionId?: string | null },
): Promise<FileRecord> {
  if (input.bytes.length > MAX_FILE_BYTES) throw new StripeError({ status: 400, param: 'file', message: MSG.fileTooLarge(MAX_FILE_BYTES) });
  if (input.bytes.length === 0) throw errors.invalid('file', MSG.fileEmpty);
  const type = sniffFileType(input.bytes);
  if (!type) throw errors.invalid('file', MSG.fileTypeUnsupported(input.purpose));
  const f: FileRecord = {
    id: newFileId(),
    livemode: input.livemode,
    purpose: input.purpose,
    type,
    filename: cleanFilename(input.filename),
    size: input.bytes.length,
    created: nowSec(d.clock),
    expires_at: null,
    session_id: input.sessionId ?? null,
  };
  await blobsOf(d).put(f.id, d.store.files.sealContents(input.bytes));
  await d.store.files.insertFile(f);
  return f;
}

/** Whether a file's contents are gone: the file was redacted, or its session's redaction has started. */
async function contentsGone(d: Deps, f: { session_id: string | null; redacted: boolean }): Promise<boolean> {
  if (f.redacted) return true;
  if (f.session_id === null) return false;
  const s = await d.store.findSession(f.session_id);
  return !s || s.redaction_status !== null;
}

/** The plain contents; null when the file is unknown, redacted, or its blob is missing. */
export async function readFileContents(d: Deps, id: string): Promise<Buffer | null> {
  const f = await d.store.files.findFile(id);
  if (!f || (await contentsGone(d, f))) return null;
  const sealed = await blobsOf(d).get(f.id);
  return sealed ? d.store.files.openContents(sealed) : null;
}

/** Redaction: the session's files are marked redacted, their links dropped and their contents deleted. */
export async function redactSessionFiles(d: Deps, sessionId: string): Promise<void> {
  const ids = await d.store.files.redactFilesOfSession(sessionId);
  const blobs = blobsOf(d);
  for (const id of ids) await blobs.delete(id);
}

/** A file of this mode, or Stripe's 404 (naming the other mode when the file lives there). */
export async function loadFile(d: Deps, id: string, livemode: boolean, param = 'id'): Promise<FileRecord & { redacted: boolean }> {
  const f = await d.store.files.findFile(id);
  if (!f) throw errors.notFound('file', id, param);
  if (f.livemode !== livemode) throw errors.notFound('file', id, param, f.livemode ? 'live' : 'test');
  return f;
}

/** Whether a file's contents may be reached in the state it is in (for links and downloads). */
export async function assertContentsAvailable(d: Deps, f: FileRecord & { redacted: boolean }): Promise<void> {
  if (await contentsGone(d, f)) throw new StripeError({ status: 400, code: 'resource_missing', message: MSG.fileContentsUnavailable(f.id) });
}

const LINKS_SHOWN = 10;

/** Stripe's File object, in Stripe's field order, with the file's newest links as a list object. */
export async function presentFile(d: Deps, f: FileRecord, presentLink: (l: FileLinkRecord) => unknown): Promise<Record<string, unknown>> {
  const links = await d.store.files.listLinks({ livemode: f.livemode, file: f.id, now: nowSec(d.clock) }, { limit: LINKS_SHOWN });
  return {
    id: f.id,
    object: 'file',
    created: f.created,
    expires_at: f.expires_at,
    filename: f.filename,
    links: { object: 'list', data: links.items.map(presentLink), has_more: links.hasMore, url: `/v1/file_links?file=${f.id}` },
    purpose: f.purpose,
    size: f.size,
    title: null,
    type: f.type,
    // Only identity_document uploads are downloadable with an API key (see the README's choices); identity
    // images are reached through FileLinks, so Stripe's `url` is null for them.
    url: IDENTITY_LINK_PURPOSES.includes(f.purpose) ? null : `${d.config.publicUrl}/v1/files/${f.id}/contents`,
  };
}
