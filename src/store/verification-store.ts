// Storage for live verification's audit entries and manual reviews. Reached as `store.verification`, so it
// joins the caller's transaction; what the engines measured is sealed like every other personal datum.
import type { Kysely } from 'kysely';
import type { Sealer } from './sealer.js';
import type { Database } from './schema.js';

export type ReviewState = 'pending' | 'approved' | 'rejected';

export interface ReviewRecord<T = unknown> {
  session_id: string;
  livemode: boolean;
  created: number;
  state: ReviewState;
  reason: string;
  data: T;
  decided_at: number | null;
}

export class VerificationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: Sealer,
  ) {}

  async saveAudit(reportId: string, sessionId: string, created: number, data: unknown): Promise<void> {
    await this.db
      .insertInto('verification_audits')
      .values({ report_id: reportId, session_id: sessionId, created, data: this.sealer.seal(JSON.stringify(data)) })
      .execute();
  }

  async loadAudit<T>(reportId: string): Promise<T | undefined> {
    const r = await this.db.selectFrom('verification_audits').select('data').where('report_id', '=', reportId).executeTakeFirst();
    return r && (JSON.parse(this.sealer.open(r.data)) as T);
  }

  /** A session waits for one review at a time; a later attempt's review replaces a decided one. */
  async openReview(r: Omit<ReviewRecord, 'state' | 'decided_at'>): Promise<void> {
    await this.db.deleteFrom('verification_reviews').where('session_id', '=', r.session_id).execute();
    await this.db
      .insertInto('verification_reviews')
      .values({
        session_id: r.session_id,
        livemode: r.livemode ? 1 : 0,
        created: r.created,
        state: 'pending',
        reason: r.reason,
        data: this.sealer.seal(JSON.stringify(r.data)),
        decided_at: null,
      })
      .execute();
  }

  async findReview<T>(sessionId: string): Promise<ReviewRecord<T> | undefined> {
    const r = await this.db.selectFrom('verification_reviews').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return r && this.review<T>(r);
  }

  async listReviews<T>(state: ReviewState, limit = 100): Promise<ReviewRecord<T>[]> {
    const rows = await this.db.selectFrom('verification_reviews').selectAll().where('state', '=', state).orderBy('created').limit(limit).execute();
    return rows.map((r) => this.review<T>(r));
  }

  /** Records the decision if the review is still pending; false when someone else decided first. */
  async decideReview(sessionId: string, state: Exclude<ReviewState, 'pending'>, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('verification_reviews')
      .set({ state, decided_at: now })
      .where('session_id', '=', sessionId)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Redaction: nothing the engines measured about the person survives. */
  async deleteForSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('verification_audits').where('session_id', '=', sessionId).execute();
    await this.db.deleteFrom('verification_reviews').where('session_id', '=', sessionId).execute();
  }

  private review<T>(r: Database['verification_reviews']): ReviewRecord<T> {
    return {
      session_id: r.session_id,
      livemode: r.livemode === 1,
      created: Number(r.created),
      state: r.state as ReviewState,
      reason: r.reason,
      data: JSON.parse(this.sealer.open(r.data)) as T,
      decided_at: r.decided_at === null ? null : Number(r.decided_at),
    };
  }
}
