import type { Kysely } from 'kysely';

// Which object a stored idempotent response shows, so redaction can purge responses that still hold its data.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('object_id', 'text').execute();
  await db.schema.createIndex('idem_object').on('idempotency_keys').column('object_id').execute();
}
