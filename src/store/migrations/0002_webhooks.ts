import type { Kysely } from 'kysely';

// Webhook endpoints, and deliveries as durable rows created in the same transaction as their event.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const serial = (name: string) => (b: any) =>
    dialect === 'postgres'
      ? b.addColumn(name, 'bigserial', (c: any) => c.primaryKey())
      : b.addColumn(name, 'integer', (c: any) => c.primaryKey().autoIncrement());

  await serial('seq')(db.schema.createTable('webhook_endpoints'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('created', 'integer', (c: any) => c.notNull())
    .addColumn('url', 'text', (c: any) => c.notNull())
    .addColumn('enabled_events', 'text', (c: any) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c: any) => c.notNull())
    .addColumn('api_version', 'text')
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('secret', 'text', (c: any) => c.notNull())
    .addColumn('deleted', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'bigint')
    .execute();
  await db.schema.createIndex('we_list').on('webhook_endpoints').columns(['livemode', 'deleted', 'created', 'seq']).execute();

  await serial('id')(db.schema.createTable('webhook_deliveries'))
    .addColumn('event_id', 'text', (c: any) => c.notNull())
    .addColumn('endpoint_id', 'text', (c: any) => c.notNull())
    .addColumn('livemode', 'integer', (c: any) => c.notNull())
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c: any) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('created_ms', 'bigint', (c: any) => c.notNull())
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('wd_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('wd_event').on('webhook_deliveries').columns(['event_id']).execute();

  await serial('id')(db.schema.createTable('webhook_attempts'))
    .addColumn('delivery_id', 'bigint', (c: any) => c.notNull())
    .addColumn('at', 'bigint', (c: any) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('duration_ms', 'integer', (c: any) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('wa_delivery').on('webhook_attempts').columns(['delivery_id']).execute();
}
