import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { LONG as FILTERS } from './0004_long_text_indexes.js';

// The list filters' indexes on optional columns kept an entry for every row, NULL included, though a filter
// only ever asks for one value (`= ?`, which both databases know implies IS NOT NULL). Most sessions have no
// related customer, so each create paid for index entries nobody could look up: two of its five list-index
// inserts. Made partial, they hold only the rows that have a value. The idempotency keys' object
// index likewise: a key's row is written before its object exists. The filter indexes are 0004's four.

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
