// Storage for the hosted page: the links (every minted url token and client secret, by hash: linkKey) and the
// collection (what the person entered for the current attempt, sealed). Reached as `store.page`, so it joins
// the caller's transaction like every other store method.
import type { Kysely } from 'kysely';
import { sha256Hex } from '../domain/digest.js';
import { runCompiled } from './compiled.js';
import type { Dialect } from './db.js';
import type { Sealer } from './sealer.js';
import type { Database } from './schema.js';

export type LinkKind = 'url' | 'client_secret';

export interface LinkRecord {
  session_id: string;
  kind: LinkKind;
  created: number;
  expires_at: number;
  used_at: number | null;
}

// A token minted with ids.orderedSecret ends in `<mode>_1`, 7 clock digits and 32 random characters.
const ORDERED_TAIL = /(?:^|_)(?:test|live)_1([0-9A-Za-z]{7})[0-9A-Za-z]{32}$/;

/**
 * The key a link is stored and looked up by. Tokens are only ever kept as a hash: a database read does not
 * hand out live links. A SHA-256 alone is random, so every create wrote its two links into two random pages
 * of the table's key index (two of the WAL pages a commit group writes per create); the clock digits of the
 * token in front keep the links of a group side by side. Tokens of the earlier shape (no clock digits) keep
 * their plain hash, so links stored before stay found.
 */
export function linkKey(token: string): string {
  const m = ORDERED_TAIL.exec(token);
  return m ? `${m[1]}${sha256Hex(token)}` : sha256Hex(token);
}

export class PageStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly sealer: Sealer,
  ) {}

  async rememberLinks(sessionId: string, links: { token: string; kind: LinkKind; expires_at: number }[], now: number): Promise<void> {
    if (links.length === 0) return;
    const COLUMNS = 5; // per link, in the order below
    const values = links.flatMap((l) => [linkKey(l.token), sessionId, l.kind, now, l.expires_at]);
    // Every session create runs this: compiled once per number of links.
    await runCompiled(this.db, this.dialect, `rememberLinks:${links.length}`, values, (v) =>
      this.db
        .insertInto('session_links')
        .values(
          links.map((_, i) => {
            const [token_hash, session_id, kind, created, expires_at] = v.slice(i * COLUMNS, (i + 1) * COLUMNS);
            return { token_hash, session_id, kind, created, expires_at, used_at: null };
          }),
        )
        .onConflict((oc) => oc.column('token_hash').doNothing()),
    );
  }

  async findLink(token: string): Promise<LinkRecord | undefined> {
    return this.db
      .selectFrom('session_links')
      .select(['session_id', 'kind', 'created', 'expires_at', 'used_at'])
      .where('token_hash', '=', linkKey(token))
      .executeTakeFirst();
  }

  /** The attempt these links belonged to is over (submitted, or failed before submission). */
  async markLinksUsed(sessionId: string, now: number): Promise<void> {
    await this.db.updateTable('session_links').set({ used_at: now }).where('session_id', '=', sessionId).where('used_at', 'is', null).execute();
  }

  async loadCollection<T>(sessionId: string): Promise<{ data: T; version: number } | undefined> {
    const r = await this.db.selectFrom('session_collection').select(['data', 'version']).where('session_id', '=', sessionId).executeTakeFirst();
    return r && { data: JSON.parse(this.sealer.open(r.data)) as T, version: r.version };
  }

  /** Writes the collection if nobody changed it since `version` was read (0: not yet stored). */
  async saveCollection(sessionId: string, data: unknown, version: number, now: number): Promise<boolean> {
    const sealed = this.sealer.seal(JSON.stringify(data));
    if (version === 0) {
      const r = await this.db
        .insertInto('session_collection')
        .values({ session_id: sessionId, data: sealed, updated: now, version: 1 })
        .onConflict((oc) => oc.column('session_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const r = await this.db
      .updateTable('session_collection')
      .set({ data: sealed, updated: now, version: version + 1 })
      .where('session_id', '=', sessionId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** A new attempt starts empty; redaction removes what was entered. */
  async deleteCollection(sessionId: string): Promise<void> {
    await this.db.deleteFrom('session_collection').where('session_id', '=', sessionId).execute();
  }
}
