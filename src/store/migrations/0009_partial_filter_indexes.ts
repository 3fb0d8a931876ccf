import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// The list filters' indexes on optional columns kept an entry for every row, NULL included, though a filter
// only ever asks for one value (`= ?`, which both databases know implies IS NOT NULL). Most sessions have no
// related customer, so each create paid for index entries nobody could look up: two b-tree inserts of the
// five per session. Made partial, they hold only the rows that have a value. The idempotency keys' object
// index likewise: a key's row is written before its object exists.
const FILTERS = [
  ['vs_client_ref', 'verification_sessions', 'client_reference_id'],
  ['vs_customer', 'verification_sessions', 'related_customer'],
  ['vs_customer_account', 'verification_sessions', 'related_customer_account'],
  ['vr_client_ref', 'verification_reports', 'client_reference_id'],
] as const;

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  for (const [index, table, column] of FILTERS) {
    await db.schema.dropIndex(index).execute();
    // PostgreSQL indexes md5 of the value (b-tree entries over about 2.7 kB are refused: see 0004).
    const key = dialect === 'postgres' ? sql`md5(${sql.ref(column)})` : sql.ref(column);
    await sql`CREATE INDEX ${sql.ref(index)} ON ${sql.table(table)} (livemode, ${key}, created, seq) WHERE ${sql.ref(column)} IS NOT NULL`.execute(db);
  }
  await db.schema.dropIndex('idem_object').execute();
  await sql`CREATE INDEX idem_object ON idempotency_keys (object_id) WHERE object_id IS NOT NULL`.execute(db);
}
