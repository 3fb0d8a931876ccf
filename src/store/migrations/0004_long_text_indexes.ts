import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// PostgreSQL refuses b-tree index entries over about 2.7 kB, and these columns take up to 5000 characters
// (Stripe's limit): index md5 of the value there instead. SQLite has no such limit and keeps its indexes.
export const LONG = [
  ['vs_client_ref', 'verification_sessions', 'client_reference_id'],
  ['vs_customer', 'verification_sessions', 'related_customer'],
  ['vs_customer_account', 'verification_sessions', 'related_customer_account'],
  ['vr_client_ref', 'verification_reports', 'client_reference_id'],
] as const;

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const [index, table, column] of LONG) {
    await db.schema.dropIndex(index).execute();
    await sql`CREATE INDEX ${sql.ref(index)} ON ${sql.table(table)} (livemode, md5(${sql.ref(column)}), created, seq)`.execute(db);
  }
}
