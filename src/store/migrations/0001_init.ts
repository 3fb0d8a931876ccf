import type { Kysely } from 'kysely';

// One migration set for both databases: the only difference is how an auto-incrementing key is spelled.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const serial = (name: string) => (b: any) =>
    dialect === 'postgres'
      ? b.addColumn(name, 'bigserial', (c: any) => c.primaryKey())
      : b.addColumn(name, 'integer', (c: any) => c.primaryKey().autoIncrement());

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer')
    .execute();

  await serial('seq')(db.schema.createTable('verification_sessions'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('client_reference_id', 'text')
    .addColumn('metadata', 'text', (c: any) => c.notNull())
    .addColumn('options', 'text', (c: any) => c.notNull())
    .addColumn('provided_details', 'text')
    .addColumn('related_customer', 'text')
    .addColumn('related_customer_account', 'text')
    .addColumn('related_person', 'text')
    .addColumn('return_url', 'text')
    .addColumn('verification_flow', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_report_id', 'text')
    .addColumn('redaction_status', 'text')
    .addColumn('client_secret', 'text')
    .addColumn('client_secret_expires', 'integer')
    .addColumn('url_token', 'text', (c: any) => c.unique())
    .addColumn('url_expires', 'integer')
    .addColumn('version', 'integer', (c: any) => c.notNull().defaultTo(0))
    .execute();
  // Keyset pagination walks (created, seq) newest first; each filter gets an index that ends the same way.
  for (const [name, cols] of [
    ['vs_list', ['livemode', 'created', 'seq']],
    ['vs_status', ['livemode', 'status', 'created', 'seq']],
    ['vs_client_ref', ['livemode', 'client_reference_id', 'created', 'seq']],
    ['vs_customer', ['livemode', 'related_customer', 'created', 'seq']],
    ['vs_customer_account', ['livemode', 'related_customer_account', 'created', 'seq']],
  ] as const) {
    await db.schema.createIndex(name).on('verification_sessions').columns([...cols]).execute();
  }

  await serial('seq')(db.schema.createTable('verification_reports'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('session_id', 'text', (c: any) => c.notNull())
    .addColumn('client_reference_id', 'text')
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('verification_flow', 'text')
    .addColumn('options', 'text', (c: any) => c.notNull())
    .addColumn('checks', 'text', (c: any) => c.notNull())
    .execute();
  for (const [name, cols] of [
    ['vr_list', ['livemode', 'created', 'seq']],
    ['vr_session', ['livemode', 'session_id', 'created', 'seq']],
    ['vr_client_ref', ['livemode', 'client_reference_id', 'created', 'seq']],
    ['vr_type', ['livemode', 'type', 'created', 'seq']],
  ] as const) {
    await db.schema.createIndex(name).on('verification_reports').columns([...cols]).execute();
  }

  await serial('seq')(db.schema.createTable('events'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('object_id', 'text', (c: any) => c.notNull())
    .addColumn('api_version', 'text')
    .addColumn('data', 'text', (c: any) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('pending_webhooks', 'integer', (c: any) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('evt_list').on('events').columns(['livemode', 'created', 'seq']).execute();
  await db.schema.createIndex('evt_type').on('events').columns(['livemode', 'type', 'created', 'seq']).execute();
  await db.schema.createIndex('evt_object').on('events').columns(['object_id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('params_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('locked_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['livemode', 'key'])
    .execute();
  await db.schema.createIndex('idem_created').on('idempotency_keys').column('created').execute();

  await serial('id')(db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('payload', 'text', (c: any) => c.notNull())
    .addColumn('run_at', 'bigint', (c: any) => c.notNull())
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at']).execute();
}
