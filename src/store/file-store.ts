// Storage for files, file links and ephemeral keys. Reached as `store.files`, so it joins the caller's
// transaction like every other store method. Contents are not here: they are sealed into the blob store.
import crypto from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { FileRecord, FilePurpose, FileType } from '../domain/files.js';
import type { Sealer } from './sealer.js';
import type { Database } from './schema.js';
import { type CreatedFilter, type Page, type PageRequest, applyCreated, paginate } from './store.js';

export interface FileLinkRecord {
  id: string;
  livemode: boolean;
  created: number;
  file_id: string;
  /** The plain token of the link's URL (stored sealed; looked up by hash). */
  token: string;
  expires_at: number | null;
  metadata: Record<string, string>;
}

export interface EphemeralKeyRecord {
  id: string;
  livemode: boolean;
  created: number;
  expires: number;
  session_id: string;
  api_version: string;
  deleted: boolean;
}

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s, 'utf8').digest('hex');
}

type Cursor = { created: number; seq: number };

export class FileStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: Sealer,
  ) {}

  sealContents(bytes: Uint8Array): Buffer {
    return this.sealer.sealBytes(bytes);
  }

  openContents(sealed: Uint8Array): Buffer {
    return this.sealer.openBytes(sealed);
  }

  // ---- files ----------------------------------------------------------------------------------------

  private toFile(r: any): FileRecord & { seq: number; redacted: boolean } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      purpose: r.purpose as FilePurpose,
      type: r.type as FileType,
      filename: r.filename,
      size: Number(r.size),
      created: Number(r.created),
      expires_at: r.expires_at === null ? null : Number(r.expires_at),
      session_id: r.session_id,
      redacted: r.redacted === 1,
    };
  }

  async insertFile(f: FileRecord): Promise<void> {
    await this.db
      .insertInto('files')
      .values({
        id: f.id,
        livemode: f.livemode ? 1 : 0,
        created: f.created,
        purpose: f.purpose,
        type: f.type,
        filename: f.filename,
        size: f.size,
        expires_at: f.expires_at,
        session_id: f.session_id,
      })
      .execute();
  }

  async findFile(id: string): Promise<(FileRecord & { seq: number; redacted: boolean }) | undefined> {
    const r = await this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toFile(r);
  }

  async listFiles(f: { livemode: boolean; purpose?: string; created?: CreatedFilter }, page: PageRequest): Promise<Page<FileRecord & { seq: number; redacted: boolean }>> {
    let q = this.db.selectFrom('files').selectAll().where('livemode', '=', f.livemode ? 1 : 0);
    if (f.purpose !== undefined) q = q.where('purpose', '=', f.purpose);
    q = applyCreated(q, f.created);
    return paginate(q, page, (r) => this.toFile(r));
  }

  async fileCursor(id: string, livemode: boolean): Promise<Cursor | undefined> {
    return this.db.selectFrom('files').select(['created', 'seq']).where('id', '=', id).where('livemode', '=', livemode ? 1 : 0).executeTakeFirst();
  }

  async listFileIdsOfSession(sessionId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('files').select('id').where('session_id', '=', sessionId).execute();
    return rows.map((r) => r.id);
  }

  /** Marks a session's files redacted and drops their links; returns the file ids. */
  async redactFilesOfSession(sessionId: string): Promise<string[]> {
    const ids = await this.listFileIdsOfSession(sessionId);
    if (ids.length === 0) return ids;
    await this.db.updateTable('files').set({ redacted: 1 }).where('session_id', '=', sessionId).execute();
    await this.db.deleteFrom('file_links').where('file_id', 'in', ids).execute();
    return ids;
  }

  // ---- file links -----------------------------------------------------------------------------------

  private toLink(r: any): FileLinkRecord & { seq: number } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      created: Number(r.created),
      file_id: r.file_id,
      token: this.sealer.open(r.token),
      expires_at: r.expires_at === null ? null : Number(r.expires_at),
      metadata: JSON.parse(r.metadata),
    };
  }

  async insertLink(l: FileLinkRecord): Promise<void> {
    await this.db
      .insertInto('file_links')
      .values({
        id: l.id,
        livemode: l.livemode ? 1 : 0,
        created: l.created,
        file_id: l.file_id,
        token_hash: sha256(l.token),
        token: this.sealer.seal(l.token),
        expires_at: l.expires_at,
        metadata: JSON.stringify(l.metadata),
      })
      .execute();
  }

  async updateLink(l: FileLinkRecord): Promise<void> {
    await this.db
      .updateTable('file_links')
      .set({ expires_at: l.expires_at, metadata: JSON.stringify(l.metadata) })
      .where('id', '=', l.id)
      .execute();
  }

  async findLink(id: string): Promise<(FileLinkRecord & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('file_links').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toLink(r);
  }

  async findLinkByToken(token: string): Promise<(FileLinkRecord & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('file_links').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    return r && this.toLink(r);
  }

  async listLinks(
    f: { livemode: boolean; file?: string; expired?: boolean; now: number; created?: CreatedFilter },
    page: PageRequest,
  ): Promise<Page<FileLinkRecord & { seq: number }>> {
    let q = this.db.selectFrom('file_links').selectAll().where('livemode', '=', f.livemode ? 1 : 0);
    if (f.file !== undefined) q = q.where('file_id', '=', f.file);
    const now = sql<number>`cast(${f.now} as bigint)`;
    if (f.expired === true) q = q.where('expires_at', 'is not', null).where('expires_at', '<=', now);
    if (f.expired === false) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    q = applyCreated(q, f.created);
    return paginate(q, page, (r) => this.toLink(r));
  }

  async linkCursor(id: string, livemode: boolean): Promise<Cursor | undefined> {
    return this.db.selectFrom('file_links').select(['created', 'seq']).where('id', '=', id).where('livemode', '=', livemode ? 1 : 0).executeTakeFirst();
  }

  // ---- ephemeral keys -------------------------------------------------------------------------------

  async insertEphemeralKey(k: EphemeralKeyRecord, secret: string): Promise<void> {
    await this.db
      .insertInto('ephemeral_keys')
      .values({
        id: k.id,
        livemode: k.livemode ? 1 : 0,
        created: k.created,
        expires: k.expires,
        secret_hash: sha256(secret),
        session_id: k.session_id,
        api_version: k.api_version,
        deleted: k.deleted ? 1 : 0,
      })
      .execute();
  }

  private toKey(r: any): EphemeralKeyRecord {
    return {
      id: r.id,
      livemode: r.livemode === 1,
      created: Number(r.created),
      expires: Number(r.expires),
      session_id: r.session_id,
      api_version: r.api_version,
      deleted: r.deleted === 1,
    };
  }

  async findEphemeralKey(id: string): Promise<EphemeralKeyRecord | undefined> {
    const r = await this.db.selectFrom('ephemeral_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toKey(r);
  }

  /** For whoever authenticates with an ephemeral key secret (the mobile SDK API). */
  async findEphemeralKeyBySecret(secret: string): Promise<EphemeralKeyRecord | undefined> {
    const r = await this.db.selectFrom('ephemeral_keys').selectAll().where('secret_hash', '=', sha256(secret)).executeTakeFirst();
    return r && this.toKey(r);
  }

  async deleteEphemeralKey(id: string): Promise<void> {
    await this.db.updateTable('ephemeral_keys').set({ deleted: 1 }).where('id', '=', id).execute();
  }
}
