import crypto from 'node:crypto';
import type { Kysely } from 'kysely';

// The hosted page's server state. Every minted url token and client secret is remembered by its SHA-256
// hash, so a used, superseded or expired link can be told apart from a forged one; the person's collected
// data for the current attempt is one sealed JSON document per session.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // 'url' | 'client_secret'
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addColumn('used_at', 'integer')
    .execute();
  await db.schema.createIndex('sl_session').on('session_links').columns(['session_id']).execute();

  await db.schema
    .createTable('session_collection')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull()) // sealed JSON
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  // Sessions created before this migration keep working links: their current tokens are remembered too.
  const rows = await db
    .selectFrom('verification_sessions')
    .select(['id', 'created', 'client_secret', 'client_secret_expires', 'url_token', 'url_expires'])
    .where((eb: any) => eb.or([eb('url_token', 'is not', null), eb('client_secret', 'is not', null)]))
    .execute();
  const hash = (t: string) => crypto.createHash('sha256').update(t, 'utf8').digest('hex');
  for (const r of rows as any[]) {
    const links = [];
    if (r.url_token && r.url_expires) links.push({ token_hash: hash(r.url_token), session_id: r.id, kind: 'url', created: r.created, expires_at: r.url_expires, used_at: null });
    if (r.client_secret && r.client_secret_expires)
      links.push({ token_hash: hash(r.client_secret), session_id: r.id, kind: 'client_secret', created: r.created, expires_at: r.client_secret_expires, used_at: null });
    if (links.length) await db.insertInto('session_links').values(links).onConflict((oc: any) => oc.column('token_hash').doNothing()).execute();
  }
}
