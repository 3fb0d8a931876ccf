import type { Kysely } from 'kysely';

// Live verification's own records. An audit entry per report keeps what the engines measured (scores, which
// checks passed, retries) sealed beside the report, for the company's audit trail; a review holds a session
// whose face-match score fell in the review band until a person decides (`verity review`).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('verification_audits')
    .addColumn('report_id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull()) // sealed JSON
    .execute();
  await db.schema.createIndex('va_session').on('verification_audits').columns(['session_id']).execute();

  await db.schema
    .createTable('verification_reviews')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // 'pending' | 'approved' | 'rejected'
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull()) // sealed JSON: the proposed outcomes and the scores
    .addColumn('decided_at', 'integer')
    .execute();
  await db.schema.createIndex('vrv_state').on('verification_reviews').columns(['state', 'created']).execute();
}
