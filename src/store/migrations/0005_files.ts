import type { Kysely } from 'kysely';

// Files (uploaded or collected by the hosted page), their download links, ephemeral keys for the mobile SDKs,
// and the blob table that holds sealed file contents where no filesystem is used (PostgreSQL, in-memory SQLite).
// Lists page on (created, seq) like sessions. Link tokens and key secrets are looked up by SHA-256 hash.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const serial = (name: string) => (b: any) =>
    dialect === 'postgres'
      ? b.addColumn(name, 'bigserial', (c: any) => c.primaryKey())
      : b.addColumn(name, 'integer', (c: any) => c.primaryKey().autoIncrement());

  await serial('seq')(db.schema.createTable('files'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('purpose', 'text', (c: any) => c.notNull())
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('size', 'integer', (c: any) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('session_id', 'text')
    .addColumn('redacted', 'integer', (c: any) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('files_list').on('files').columns(['livemode', 'created', 'seq']).execute();
  await db.schema.createIndex('files_session').on('files').columns(['session_id']).execute();

  await serial('seq')(db.schema.createTable('file_links'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('file_id', 'text', (c: any) => c.notNull())
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('token', 'text', (c: any) => c.notNull()) // sealed: retrieve shows the url again, as Stripe does
    .addColumn('expires_at', 'bigint')
    .addColumn('metadata', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('file_links_list').on('file_links').columns(['livemode', 'created', 'seq']).execute();
  await db.schema.createIndex('file_links_file').on('file_links').columns(['file_id']).execute();

  await db.schema
    .createTable('ephemeral_keys')
    .addColumn('id', 'text', (c: any) => c.primaryKey())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('expires', 'bigint', (c: any) => c.notNull())
    .addColumn('secret_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('session_id', 'text', (c: any) => c.notNull())
    .addColumn('api_version', 'text', (c: any) => c.notNull())
    .addColumn('deleted', 'integer', (c: any) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('ephemeral_keys_session').on('ephemeral_keys').columns(['session_id']).execute();

  await db.schema
    .createTable('blobs')
    .addColumn('key', 'text', (c: any) => c.primaryKey())
    .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c: any) => c.notNull())
    .addColumn('created', 'bigint', (c: any) => c.notNull())
    .execute();
}
