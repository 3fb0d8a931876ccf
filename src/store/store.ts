// The storage port and its one implementation (Kysely over SQLite or PostgreSQL). Rows are mapped to the
// domain's records here and nowhere else; personal data is sealed on the way in and opened on the way out.
import { type Compilable, type Kysely, type QueryResult, type Transaction, sql } from 'kysely';
import { type ReadNow, type RunNow, holdingConnection, releasedConnection, runCompiled } from './compiled.js';
import type { Checks, EventRecord, Report, Session } from '../domain/types.js';
import type { Dialect, OpenedDb } from './db.js';
import type { Sealer } from './sealer.js';
import type { Database } from './schema.js';
import { WebhookStore } from './webhook-store.js';
import { FileStore } from './file-store.js';
import { PageStore } from './page-store.js';
import { VerificationStore } from './verification-store.js';

export interface ApiKeyRecord {
  id: string;
  secret_hash: string;
  kind: 'secret' | 'restricted' | 'publishable';
  livemode: boolean;
  permissions: string[];
  last4: string;
  name: string | null;
  created: number;
  expires_at: number | null;
}

export interface PageRequest {
  limit: number;
  startingAfter?: { created: number; seq: number };
  endingBefore?: { created: number; seq: number };
}

export interface CreatedFilter {
  eq?: number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export interface SessionFilter {
  livemode: boolean;
  status?: string;
  client_reference_id?: string;
  related_customer?: string;
  related_customer_account?: string;
  created?: CreatedFilter;
}

export interface ReportFilter {
  livemode: boolean;
  type?: string;
  client_reference_id?: string;
  verification_session?: string;
  created?: CreatedFilter;
}

export interface EventFilter {
  livemode: boolean;
  types?: string[];
  typePrefix?: string;
  created?: CreatedFilter;
  createdAfter?: number;
  /** true: every endpoint acknowledged (pending_webhooks 0); false: some delivery is pending or failed. */
  deliverySuccess?: boolean;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  params_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  request_id: string;
  created: number;
  locked_at: number;
}

export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export class Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly sealer: Sealer,
    private readonly inTransaction = false,
    /** See OpenedDb.settled. */
    readonly settled: () => Promise<void> = () => Promise.resolve(),
    /** See OpenedDb.readNow; only outside a transaction (inside one, the transaction's connection reads). */
    private readonly readNow?: ReadNow,
    private readonly versionNow?: () => string | undefined,
    /** See OpenedDb.runNow; given to this store's transactions (compiled.ts holdingConnection). */
    private readonly runNow?: RunNow,
  ) {}

  /** Webhook endpoints and deliveries, in this store's transaction. */
  get webhooks(): WebhookStore {
    return new WebhookStore(this.db, this.dialect, this.sealer);
  }

  /** Files, file links and ephemeral keys, in this store's transaction. */
  get files(): FileStore {
    return new FileStore(this.db, this.sealer);
  }

  /** Hosted-page links and collections, in this store's transaction. */
  get page(): PageStore {
    return new PageStore(this.db, this.dialect, this.sealer);
  }

  /** Live verification's audit entries and manual reviews, in this store's transaction. */
  get verification(): VerificationStore {
    return new VerificationStore(this.db, this.sealer);
  }

  static from(opened: OpenedDb, sealer: Sealer): Store {
    return new Store(opened.db, opened.dialect, sealer, false, opened.settled, opened.readNow, opened.readVersion, opened.runNow);
  }

  /** See OpenedDb.readVersion; undefined inside a transaction and on PostgreSQL. */
  readVersion(): string | undefined {
    return this.inTransaction ? undefined : this.versionNow?.();
  }

  /** See compiled.ts. */
  private runCompiled(name: string, values: readonly unknown[], build: (v: readonly any[]) => Compilable): Promise<QueryResult<any>> {
    return runCompiled(this.db, this.dialect, name, values, build, this.inTransaction ? undefined : this.readNow);
  }

  /** Runs fn atomically. Nested calls join the outer transaction. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    let held: Transaction<Database> | undefined;
    const out = await this.db
      .transaction()
      .execute((trx: Transaction<Database>) => {
        if (this.runNow) holdingConnection((held = trx), this.runNow);
        return fn(new Store(trx, this.dialect, this.sealer, true, this.settled));
      })
      .finally(() => held && releasedConnection(held));
    // Committed is not yet durable where commits are grouped: nobody may act on it before it is.
    await this.settled();
    return out;
  }

  // ---- API keys -----------------------------------------------------------------------------------

  async insertKey(k: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ ...k, livemode: k.livemode ? 1 : 0, permissions: JSON.stringify(k.permissions) })
      .onConflict((oc) => oc.column('secret_hash').doNothing())
      .execute();
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('secret_hash', '=', hash).executeTakeFirst();
    return r && { ...r, livemode: r.livemode === 1, permissions: JSON.parse(r.permissions) as string[] };
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created').execute();
    return rows.map((r) => ({ ...r, livemode: r.livemode === 1, permissions: JSON.parse(r.permissions) as string[] }));
  }

  async countKeys(): Promise<number> {
    const r = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // ---- sessions -----------------------------------------------------------------------------------

  private sessionRow(s: Session) {
    return {
      id: s.id,
      livemode: s.livemode ? 1 : 0,
      created: s.created,
      status: s.status,
      type: s.type,
      client_reference_id: s.client_reference_id,
      metadata: JSON.stringify(s.metadata),
      options: JSON.stringify(s.options),
      provided_details: s.provided_details ? this.sealer.seal(JSON.stringify(s.provided_details)) : null,
      related_customer: s.related_customer,
      related_customer_account: s.related_customer_account,
      related_person: s.related_person ? JSON.stringify(s.related_person) : null,
      return_url: s.return_url,
      verification_flow: s.verification_flow,
      last_error: s.last_error ? JSON.stringify(s.last_error) : null,
      last_report_id: s.last_report_id,
      redaction_status: s.redaction_status,
      client_secret: s.client_secret,
      client_secret_expires: s.client_secret_expires,
      url_token: s.url_token,
      url_expires: s.url_expires,
      version: s.version,
    };
  }

  private toSession(r: Database['verification_sessions'] extends infer T ? { [K in keyof T]: any } : never): Session & { seq: number } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      created: r.created,
      status: r.status,
      type: r.type,
      client_reference_id: r.client_reference_id,
      metadata: JSON.parse(r.metadata),
      options: JSON.parse(r.options),
      provided_details: r.provided_details ? JSON.parse(this.sealer.open(r.provided_details)) : null,
      related_customer: r.related_customer,
      related_customer_account: r.related_customer_account,
      related_person: r.related_person ? JSON.parse(r.related_person) : null,
      return_url: r.return_url,
      verification_flow: r.verification_flow,
      last_error: r.last_error ? JSON.parse(r.last_error) : null,
      last_report_id: r.last_report_id,
      redaction_status: r.redaction_status,
      client_secret: r.client_secret,
      client_secret_expires: r.client_secret_expires,
      url_token: r.url_token,
      url_expires: r.url_expires,
      version: r.version,
    };
  }

  /**
   * Equality on a filterable text column that may hold up to 5000 characters. PostgreSQL's b-tree entries are
   * limited to about 2.7 kB, so there the index is on md5(column) (migration 0004) and the query names it.
   */
  private whereLongText<Q extends { where: any }>(q: Q, column: string, value: string): Q {
    if (this.dialect !== 'postgres') return q.where(column, '=', value);
    return q.where(sql`md5(${sql.ref(column)})`, '=', sql`md5(${value})`).where(column, '=', value);
  }

  async insertSession(s: Session): Promise<void> {
    const row = this.sessionRow(s);
    const cols = Object.keys(row) as (keyof typeof row)[];
    await this.runCompiled(
      'insertSession',
      cols.map((k) => row[k]),
      (v) => this.db.insertInto('verification_sessions').values(Object.fromEntries(cols.map((k, i) => [k, v[i]])) as typeof row),
    );
  }

  /** Writes s if nobody else changed it since it was read (s.version is the version read); bumps the version. */
  async updateSession(s: Session): Promise<boolean> {
    const row = { ...this.sessionRow(s), version: s.version + 1 };
    const r = await this.db
      .updateTable('verification_sessions')
      .set(row)
      .where('id', '=', s.id)
      .where('version', '=', s.version)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    s.version += 1;
    return true;
  }

  /** Finds a session in either mode; the caller decides what a mode mismatch means. */
  async findSession(id: string): Promise<(Session & { seq: number }) | undefined> {
    const { rows } = await this.runCompiled('findSession', [id], ([v]) =>
      this.db.selectFrom('verification_sessions').selectAll().where('id', '=', v),
    );
    return rows[0] && this.toSession(rows[0]);
  }

  /** Locks the row for the rest of the transaction where the database can (PostgreSQL); SQLite serialises writers anyway. */
  async findSessionForUpdate(id: string): Promise<(Session & { seq: number }) | undefined> {
    let q = this.db.selectFrom('verification_sessions').selectAll().where('id', '=', id);
    if (this.dialect === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && this.toSession(r);
  }

  async findSessionByUrlToken(token: string): Promise<(Session & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('verification_sessions').selectAll().where('url_token', '=', token).executeTakeFirst();
    return r && this.toSession(r);
  }

  async listSessions(f: SessionFilter, page: PageRequest): Promise<Page<Session & { seq: number }>> {
    let q = this.db.selectFrom('verification_sessions').selectAll().where('livemode', '=', f.livemode ? 1 : 0);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.client_reference_id !== undefined) q = this.whereLongText(q, 'client_reference_id', f.client_reference_id);
    if (f.related_customer !== undefined) q = this.whereLongText(q, 'related_customer', f.related_customer);
    if (f.related_customer_account !== undefined) q = this.whereLongText(q, 'related_customer_account', f.related_customer_account);
    q = applyCreated(q, f.created);
    return paginate(q, page, (r) => this.toSession(r));
  }

  async sessionCursor(id: string, livemode: boolean): Promise<{ created: number; seq: number } | undefined> {
    return this.db
      .selectFrom('verification_sessions')
      .select(['created', 'seq'])
      .where('id', '=', id)
      .where('livemode', '=', livemode ? 1 : 0)
      .executeTakeFirst();
  }

  // ---- reports ------------------------------------------------------------------------------------

  private toReport(r: { [K in keyof Database['verification_reports']]: any }): Report & { seq: number } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      created: r.created,
      session_id: r.session_id,
      client_reference_id: r.client_reference_id,
      type: r.type,
      verification_flow: r.verification_flow,
      options: JSON.parse(r.options),
      checks: JSON.parse(this.sealer.open(r.checks)) as Checks,
    };
  }

  async insertReport(rep: Report): Promise<void> {
    await this.db
      .insertInto('verification_reports')
      .values({
        id: rep.id,
        livemode: rep.livemode ? 1 : 0,
        created: rep.created,
        session_id: rep.session_id,
        client_reference_id: rep.client_reference_id,
        type: rep.type,
        verification_flow: rep.verification_flow,
        options: JSON.stringify(rep.options),
        checks: this.sealer.seal(JSON.stringify(rep.checks)),
      })
      .execute();
  }

  async updateReportChecks(id: string, checks: Checks): Promise<void> {
    await this.db
      .updateTable('verification_reports')
      .set({ checks: this.sealer.seal(JSON.stringify(checks)) })
      .where('id', '=', id)
      .execute();
  }

  async findReport(id: string): Promise<(Report & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('verification_reports').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toReport(r);
  }

  async findReports(ids: string[]): Promise<Map<string, Report>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('verification_reports').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, this.toReport(r)]));
  }

  async listReportsOfSession(sessionId: string): Promise<Report[]> {
    const rows = await this.db.selectFrom('verification_reports').selectAll().where('session_id', '=', sessionId).execute();
    return rows.map((r) => this.toReport(r));
  }

  async listReports(f: ReportFilter, page: PageRequest): Promise<Page<Report & { seq: number }>> {
    let q = this.db.selectFrom('verification_reports').selectAll().where('livemode', '=', f.livemode ? 1 : 0);
    if (f.type !== undefined) q = q.where('type', '=', f.type);
    if (f.client_reference_id !== undefined) q = this.whereLongText(q, 'client_reference_id', f.client_reference_id);
    if (f.verification_session !== undefined) q = q.where('session_id', '=', f.verification_session);
    q = applyCreated(q, f.created);
    return paginate(q, page, (r) => this.toReport(r));
  }

  async reportCursor(id: string, livemode: boolean): Promise<{ created: number; seq: number } | undefined> {
    return this.db
      .selectFrom('verification_reports')
      .select(['created', 'seq'])
      .where('id', '=', id)
      .where('livemode', '=', livemode ? 1 : 0)
      .executeTakeFirst();
  }

  // ---- events -------------------------------------------------------------------------------------

  private toEvent(r: { [K in keyof Database['events']]: any }): EventRecord & { seq: number } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      created: r.created,
      type: r.type,
      object_id: r.object_id,
      api_version: r.api_version,
      data: JSON.parse(this.sealer.open(r.data)),
      request_id: r.request_id,
      idempotency_key: r.idempotency_key,
      pending_webhooks: r.pending_webhooks,
    };
  }

  /** Events of a mode recorded after `seq`, oldest first (for `verity listen`). */
  async listEventsAfter(livemode: boolean, seq: number, limit: number): Promise<(EventRecord & { seq: number })[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('livemode', '=', livemode ? 1 : 0)
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => this.toEvent(r));
  }

  async lastEventSeq(): Promise<number> {
    const r = await this.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    return r?.m == null ? 0 : Number(r.m);
  }

  /** An endpoint acknowledged the event: one fewer pending webhook. */
  async decrementPendingWebhooks(eventId: string): Promise<void> {
    await this.db
      .updateTable('events')
      .set((eb) => ({ pending_webhooks: eb('pending_webhooks', '-', 1) }))
      .where('id', '=', eventId)
      .where('pending_webhooks', '>', 0)
      .execute();
  }

  async insertEvent(e: EventRecord): Promise<void> {
    const row = {
      id: e.id,
      livemode: e.livemode ? 1 : 0,
      created: e.created,
      type: e.type,
      object_id: e.object_id,
      api_version: e.api_version,
      data: this.sealer.seal(JSON.stringify(e.data)),
      request_id: e.request_id,
      idempotency_key: e.idempotency_key,
      pending_webhooks: e.pending_webhooks,
    };
    const cols = Object.keys(row) as (keyof typeof row)[];
    await this.runCompiled(
      'insertEvent',
      cols.map((k) => row[k]),
      (v) => this.db.insertInto('events').values(Object.fromEntries(cols.map((k, i) => [k, v[i]])) as typeof row),
    );
  }

  async findEvent(id: string): Promise<(EventRecord & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toEvent(r);
  }

  async listEventsOfObject(objectId: string): Promise<EventRecord[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('object_id', '=', objectId).orderBy('seq').execute();
    return rows.map((r) => this.toEvent(r));
  }

  async updateEventData(id: string, data: EventRecord['data']): Promise<void> {
    await this.db.updateTable('events').set({ data: this.sealer.seal(JSON.stringify(data)) }).where('id', '=', id).execute();
  }

  async listEvents(f: EventFilter, page: PageRequest): Promise<Page<EventRecord & { seq: number }>> {
    let q = this.db.selectFrom('events').selectAll().where('livemode', '=', f.livemode ? 1 : 0);
    if (f.types) q = q.where('type', 'in', f.types);
    if (f.typePrefix !== undefined) {
      // Range on the prefix instead of LIKE, so `_` in type names is not a wildcard and the index is used.
      q = q.where('type', '>=', f.typePrefix).where('type', '<', f.typePrefix + '\u{10FFFF}');
    }
    if (f.createdAfter !== undefined) q = q.where('created', '>=', f.createdAfter);
    if (f.deliverySuccess !== undefined) q = q.where('pending_webhooks', f.deliverySuccess ? '=' : '>', 0);
    q = applyCreated(q, f.created);
    return paginate(q, page, (r) => this.toEvent(r));
  }

  async eventCursor(id: string, livemode: boolean): Promise<{ created: number; seq: number } | undefined> {
    return this.db.selectFrom('events').select(['created', 'seq']).where('id', '=', id).where('livemode', '=', livemode ? 1 : 0).executeTakeFirst();
  }

  // ---- idempotency --------------------------------------------------------------------------------

  /** Inserts an in-flight record; returns undefined when this request owns the key, or the existing record. */
  async claimIdempotencyKey(
    livemode: boolean,
    key: string,
    rec: { method: string; path: string; params_hash: string; request_id: string; now: number },
  ): Promise<IdempotencyRecord | undefined> {
    const inserted = await this.runCompiled(
      'claimIdempotencyKey',
      [livemode ? 1 : 0, key, rec.method, rec.path, rec.params_hash, rec.request_id, rec.now],
      ([lm, k, method, path, params_hash, request_id, now]) =>
        this.db
          .insertInto('idempotency_keys')
          .values({
            livemode: lm,
            key: k,
            method,
            path,
            params_hash,
            state: 'in_flight',
            response_status: null,
            response_body: null,
            request_id,
            created: now,
            locked_at: now,
            object_id: null,
          })
          .onConflict((oc) => oc.columns(['livemode', 'key']).doNothing()),
    );
    if (Number(inserted.numAffectedRows ?? 0) === 1) return undefined;
    const r = await this.db
      .selectFrom('idempotency_keys')
      .select(['method', 'path', 'params_hash', 'state', 'response_status', 'response_body', 'request_id', 'created', 'locked_at'])
      .where('livemode', '=', livemode ? 1 : 0)
      .where('key', '=', key)
      .executeTakeFirst();
    // Stored responses hold client secrets and expanded personal data: sealed like the rest at rest.
    return r && { ...r, response_body: r.response_body === null ? null : this.sealer.open(r.response_body) };
  }

  /** Takes over a stale in-flight key (its owner died, and with it the uncommitted work); only one caller wins. */
  async retakeIdempotencyKey(livemode: boolean, key: string, lockedAt: number, requestId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('idempotency_keys')
      .set({ locked_at: now, request_id: requestId })
      .where('livemode', '=', livemode ? 1 : 0)
      .where('key', '=', key)
      .where('state', '=', 'in_flight')
      .where('locked_at', '=', lockedAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async completeIdempotencyKey(livemode: boolean, key: string, status: number, body: string): Promise<void> {
    await this.runCompiled(
      'completeIdempotencyKey',
      [status, this.sealer.seal(body), objectIdOf(body), livemode ? 1 : 0, key],
      ([st, sealed, objectId, lm, k]) =>
        this.db
          .updateTable('idempotency_keys')
          .set({ state: 'done', response_status: st, response_body: sealed, object_id: objectId })
          .where('livemode', '=', lm)
          .where('key', '=', k),
    );
  }

  /** Drops a key past its retention, so the caller can claim it afresh. */
  async expireIdempotencyKey(livemode: boolean, key: string, createdBefore: number): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('livemode', '=', livemode ? 1 : 0)
      .where('key', '=', key)
      .where('created', '<', createdBefore)
      .execute();
  }

  /** Rewrites stored responses that show this object (redaction): a replay returns the object as it is now. */
  async replaceIdempotencyResponsesOf(objectId: string, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ response_body: this.sealer.seal(body) })
      .where('object_id', '=', objectId)
      .where('state', '=', 'done')
      .execute();
  }

  async releaseIdempotencyKey(livemode: boolean, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('livemode', '=', livemode ? 1 : 0)
      .where('key', '=', key)
      .where('state', '=', 'in_flight')
      .execute();
  }

  async purgeIdempotencyKeys(olderThan: number): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('created', '<', olderThan).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- jobs ---------------------------------------------------------------------------------------

  async enqueueJob(kind: string, payload: Record<string, unknown>, runAtMs: number, nowSec: number): Promise<void> {
    await this.db
      .insertInto('jobs')
      .values({ kind, payload: JSON.stringify(payload), run_at: wholeMs(runAtMs), attempts: 0, locked_until: null, last_error: null, created: nowSec })
      .execute();
  }

  /**
   * Leases up to `limit` due jobs. A job whose lease ran out (its worker died) is due again. On PostgreSQL
   * SKIP LOCKED lets several workers claim side by side; SQLite has one writer, so the update is enough.
   */
  /**
   * Whether claimJobs would find a job now: one read, outside any transaction. The worker asks this first, so
   * that its idle polls (four a second) cost no transaction (on SQLite a write lock and a commit, holding back
   * the API's reads outside transactions meanwhile; on PostgreSQL three round trips).
   */
  async anyJobDue(nowMs: number): Promise<boolean> {
    const { rows } = await this.runCompiled('anyJobDue', [wholeMs(nowMs)], ([t]) =>
      this.db
        .selectFrom('jobs')
        .select('id')
        .where('run_at', '<=', t)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', t)]))
        .limit(1),
    );
    return rows.length > 0;
  }

  /** Whether WebhookStore.claimDeliveries would find a delivery now; as anyJobDue, for the webhook dispatcher. */
  async anyDeliveryDue(nowMs: number): Promise<boolean> {
    const { rows } = await this.runCompiled('anyDeliveryDue', [nowMs], ([t]) =>
      this.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', t)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', t)]))
        .limit(1),
    );
    return rows.length > 0;
  }

  async claimJobs(nowMs: number, leaseMs: number, limit: number): Promise<Job[]> {
    nowMs = wholeMs(nowMs);
    leaseMs = wholeMs(leaseMs);
    return this.transaction(async (tx) => {
      let q = tx.db
        .selectFrom('jobs')
        .select(['id', 'kind', 'payload', 'attempts'])
        .where('run_at', '<=', nowMs)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowMs)]))
        .orderBy('run_at')
        .limit(limit);
      if (tx.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      if (rows.length === 0) return [];
      await tx.db
        .updateTable('jobs')
        .set((eb) => ({ locked_until: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
      return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: JSON.parse(r.payload), attempts: r.attempts + 1 }));
    });
  }

  async completeJob(id: number): Promise<void> {
    await this.db.deleteFrom('jobs').where('id', '=', id).execute();
  }

  async retryJob(id: number, runAtMs: number, error: string): Promise<void> {
    await this.db.updateTable('jobs').set({ run_at: wholeMs(runAtMs), locked_until: null, last_error: error.slice(0, 2000) }).where('id', '=', id).execute();
  }

  async nextJobDue(): Promise<number | undefined> {
    const r = await this.db.selectFrom('jobs').select((eb) => eb.fn.min('run_at').as('next')).executeTakeFirst();
    return r?.next == null ? undefined : Number(r.next);
  }
}

/** The top-level `id` of a JSON response body, if it has one. */
function objectIdOf(body: string): string | null {
  const m = /^\{"id":"([A-Za-z0-9_]+)"/.exec(body);
  return m ? m[1] : null;
}

/** Job times are bigint milliseconds: PostgreSQL rejects a fraction (a backoff with jitter) where SQLite kept it. */
function wholeMs(ms: number): number {
  return Math.round(ms);
}

export function applyCreated<Q extends { where: any }>(q: Q, c: CreatedFilter | undefined): Q {
  if (!c) return q;
  let out: any = q;
  // The bound is cast to bigint: PostgreSQL would otherwise type it as the integer column and reject a value
  // past 32 bits (the API takes up to 15 digits) instead of comparing it.
  const big = (n: number) => sql<number>`cast(${n} as bigint)`;
  if (c.eq !== undefined) out = out.where('created', '=', big(c.eq));
  if (c.gt !== undefined) out = out.where('created', '>', big(c.gt));
  if (c.gte !== undefined) out = out.where('created', '>=', big(c.gte));
  if (c.lt !== undefined) out = out.where('created', '<', big(c.lt));
  if (c.lte !== undefined) out = out.where('created', '<=', big(c.lte));
  return out;
}

// Keyset pagination, newest first, on (created, seq). Row-value comparison keeps deep pages as cheap as the
// first: SQLite and PostgreSQL both turn it into an index range.
export async function paginate<T>(q: any, page: PageRequest, map: (r: any) => T): Promise<Page<T>> {
  let rows: any[];
  if (page.endingBefore) {
    const { created, seq } = page.endingBefore;
    rows = await q
      .where(sql<boolean>`(created, seq) > (${created}, ${seq})`)
      .orderBy('created', 'asc')
      .orderBy('seq', 'asc')
      .limit(page.limit + 1)
      .execute();
    const hasMore = rows.length > page.limit;
    return { items: rows.slice(0, page.limit).reverse().map(map), hasMore };
  }
  if (page.startingAfter) {
    const { created, seq } = page.startingAfter;
    q = q.where(sql<boolean>`(created, seq) < (${created}, ${seq})`);
  }
  rows = await q.orderBy('created', 'desc').orderBy('seq', 'desc').limit(page.limit + 1).execute();
  return { items: rows.slice(0, page.limit).map(map), hasMore: rows.length > page.limit };
}
