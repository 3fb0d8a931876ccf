import type { Kysely } from 'kysely';

// A rolled endpoint keeps signing with its previous secret until the overlap ends, so receivers can switch.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('previous_secret', 'text').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('previous_secret_expires', 'bigint').execute();
}
