// Storage for webhook endpoints, deliveries and delivery attempts. Part of the one storage port: reached as
// `store.webhooks`, so it joins the caller's transaction like every other store method.
import { type Kysely, sql } from 'kysely';
import type { EventRecord } from '../domain/types.js';
import type { Dialect } from './db.js';
import { runCompiled } from './compiled.js';
import type { Sealer } from './sealer.js';
import type { Database } from './schema.js';
import { paginate, type CreatedFilter, type Page, type PageRequest } from './store.js';

export interface WebhookEndpoint {
  id: string;
  livemode: boolean;
  created: number;
  url: string;
  enabled_events: string[];
  description: string | null;
  metadata: Record<string, string>;
  api_version: string | null;
  status: 'enabled' | 'disabled';
  secret: string;
  /** After a roll, the old secret keeps signing (a second v1) until it expires. */
  previous_secret: string | null;
  previous_secret_expires: number | null;
  deleted: boolean;
  failing_since: number | null;
}

export interface ClaimedDelivery {
  id: number;
  event_id: string;
  endpoint_id: string;
  livemode: boolean;
  attempts: number;
  created_ms: number;
  /** How many endpoints the event was sent to: its pending_webhooks when it was recorded. */
  fanout: number;
}

/** An event as a delivery sends it: its data still the JSON text it was stored as (it is sent verbatim). */
export interface DeliverableEvent extends Omit<EventRecord, 'data' | 'pending_webhooks'> {
  data_json: string;
}

/** A successful attempt, as markDelivered records it. */
export interface Delivered {
  id: number;
  event_id: string;
  /** The delivery's attempts, this one included. */
  attempts: number;
  status: number;
  at: number;
}

export interface DeliveryRecord extends Omit<ClaimedDelivery, 'fanout'> {
  state: 'pending' | 'succeeded' | 'failed' | 'canceled';
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

export interface AttemptRecord {
  delivery_id: number;
  at: number;
  status: number | null;
  duration_ms: number;
  error: string | null;
}

const OPENED_SECRETS = new WeakMap<Sealer, Map<string, string>>();

export class WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly sealer: Sealer,
  ) {}

  private toEndpoint(r: { [K in keyof Database['webhook_endpoints']]: any }): WebhookEndpoint & { seq: number } {
    return {
      seq: Number(r.seq),
      id: r.id,
      livemode: r.livemode === 1,
      created: r.created,
      url: r.url,
      enabled_events: JSON.parse(r.enabled_events),
      description: r.description,
      metadata: JSON.parse(r.metadata),
      api_version: r.api_version,
      status: r.status,
      secret: this.openSecret(r.secret),
      previous_secret: r.previous_secret === null ? null : this.openSecret(r.previous_secret),
      previous_secret_expires: r.previous_secret_expires === null ? null : Number(r.previous_secret_expires),
      deleted: r.deleted === 1,
      failing_since: r.failing_since === null ? null : Number(r.failing_since),
    };
  }

  /**
   * Endpoint secrets decrypted once per sealed value: the dispatcher reads its endpoints for every batch, and a
   * decryption costs more than the read. A rolled secret is a new sealed value, so nothing stale is served.
   */
  private openSecret(sealed: string): string {
    let opened = OPENED_SECRETS.get(this.sealer);
    if (!opened) OPENED_SECRETS.set(this.sealer, (opened = new Map()));
    let plain = opened.get(sealed);
    if (plain === undefined) {
      plain = this.sealer.open(sealed);
      if (opened.size >= 1000) opened.clear();
      opened.set(sealed, plain);
    }
    return plain;
  }

  private row(e: WebhookEndpoint) {
    return {
      id: e.id,
      livemode: e.livemode ? 1 : 0,
      created: e.created,
      url: e.url,
      enabled_events: JSON.stringify(e.enabled_events),
      description: e.description,
      metadata: JSON.stringify(e.metadata),
      api_version: e.api_version,
      status: e.status,
      secret: this.sealer.seal(e.secret),
      previous_secret: e.previous_secret === null ? null : this.sealer.seal(e.previous_secret),
      previous_secret_expires: e.previous_secret_expires,
      deleted: e.deleted ? 1 : 0,
      failing_since: e.failing_since,
    };
  }

  async insertEndpoint(e: WebhookEndpoint): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(this.row(e)).execute();
  }

  async updateEndpoint(e: WebhookEndpoint): Promise<void> {
    await this.db.updateTable('webhook_endpoints').set(this.row(e)).where('id', '=', e.id).execute();
  }

  /** Finds an endpoint in either mode (deleted ones included; the caller decides). */
  async findEndpoint(id: string): Promise<(WebhookEndpoint & { seq: number }) | undefined> {
    const r = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toEndpoint(r);
  }

  async countEndpoints(livemode: boolean): Promise<number> {
    const r = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('livemode', '=', livemode ? 1 : 0)
      .where('deleted', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Enabled endpoints of a mode and what they subscribe to: the candidates for a new event's deliveries. */
  async enabledEndpoints(livemode: boolean): Promise<{ id: string; enabled_events: string[] }[]> {
    // Every recorded event asks (inside its transaction), so the query is compiled once.
    const { rows } = await runCompiled(this.db, this.dialect, 'enabledEndpoints', [livemode ? 1 : 0, 0, 'enabled'], ([mode, deleted, status]) =>
      this.db.selectFrom('webhook_endpoints').select(['id', 'enabled_events']).where('livemode', '=', mode).where('deleted', '=', deleted).where('status', '=', status),
    );
    return rows.map((r: { id: string; enabled_events: string }) => ({ id: r.id, enabled_events: JSON.parse(r.enabled_events) as string[] }));
  }

  async listEndpoints(livemode: boolean, page: PageRequest, created?: CreatedFilter): Promise<Page<WebhookEndpoint & { seq: number }>> {
    let q = this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('livemode', '=', livemode ? 1 : 0)
      .where('deleted', '=', 0);
    if (created?.eq !== undefined) q = q.where('created', '=', created.eq);
    return paginate(q, page, (r) => this.toEndpoint(r));
  }

  async endpointCursor(id: string, livemode: boolean): Promise<{ created: number; seq: number } | undefined> {
    const r = await this.db
      .selectFrom('webhook_endpoints')
      .select(['created', 'seq'])
      .where('id', '=', id)
      .where('livemode', '=', livemode ? 1 : 0)
      .where('deleted', '=', 0)
      .executeTakeFirst();
    return r && { created: r.created, seq: Number(r.seq) };
  }

  // ---- deliveries ---------------------------------------------------------------------------------

  async insertDeliveries(rows: { event_id: string; endpoint_id: string; livemode: boolean; now_ms: number }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        rows.map((r) => ({
          event_id: r.event_id,
          endpoint_id: r.endpoint_id,
          livemode: r.livemode ? 1 : 0,
          state: 'pending' as const,
          attempts: 0,
          next_attempt_at: r.now_ms,
          locked_until: null,
          created_ms: r.now_ms,
          last_status: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .execute();
  }

  /** Leases up to `limit` due deliveries (SKIP LOCKED on PostgreSQL, so several workers claim side by side). */
  async claimDeliveries(nowMs: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    // Inside the caller's transaction when there is one (the dispatcher claims while recording outcomes).
    const atomically = <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> => (this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn));
    return atomically(async (trx) => {
      let q = trx
        .selectFrom('webhook_deliveries')
        .select(['id', 'event_id', 'endpoint_id', 'livemode', 'attempts', 'created_ms'])
        .select((eb) =>
          eb
            .selectFrom('webhook_deliveries as f')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('f.event_id', '=', 'webhook_deliveries.event_id')
            .as('fanout'),
        )
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', nowMs)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowMs)]))
        .orderBy('next_attempt_at')
        .limit(limit);
      if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      if (rows.length === 0) return [];
      await trx
        .updateTable('webhook_deliveries')
        .set({ locked_until: nowMs + leaseMs })
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        event_id: r.event_id,
        endpoint_id: r.endpoint_id,
        livemode: r.livemode === 1,
        attempts: r.attempts,
        created_ms: Number(r.created_ms),
        fanout: Number(r.fanout),
      }));
    });
  }

  /**
   * The events of a batch of deliveries, in one query, each decrypted once. Missing ids are left out; an event
   * that cannot be decrypted maps to its error, so that it fails alone rather than with the whole batch.
   */
  async eventsToDeliver(ids: readonly string[]): Promise<Map<string, DeliverableEvent | Error>> {
    const out = new Map<string, DeliverableEvent | Error>();
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('events')
      .select(['id', 'livemode', 'created', 'type', 'object_id', 'api_version', 'data', 'request_id', 'idempotency_key'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    for (const r of rows) {
      let data_json: string;
      try {
        data_json = this.sealer.open(r.data);
      } catch (e) {
        out.set(r.id, new Error(`event ${r.id} cannot be decrypted: ${(e as Error).message}`));
        continue;
      }
      out.set(r.id, {
        id: r.id,
        livemode: r.livemode === 1,
        created: r.created,
        type: r.type as EventRecord['type'],
        object_id: r.object_id,
        api_version: r.api_version,
        data_json,
        request_id: r.request_id,
        idempotency_key: r.idempotency_key,
      });
    }
    return out;
  }

  async recordAttempt(a: AttemptRecord): Promise<void> {
    await this.recordAttempts([a]);
  }

  /** Several attempts in one statement (the dispatcher writes the outcomes that finished together at once). */
  async recordAttempts(rows: AttemptRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto('webhook_attempts').values(rows).execute();
  }

  /**
   * Marks deliveries succeeded and counts their events' pending_webhooks down, one per delivery. Statements
   * are per group of equal (attempts, status), not per delivery: a batch of first-try 200s is one UPDATE.
   * delivered_at is the group's latest response time, so it can be a few milliseconds later than an attempt's
   * own `at` when several responses are recorded together.
   */
  async markDelivered(rows: readonly Delivered[]): Promise<void> {
    if (rows.length === 0) return;
    const groups = new Map<string, Delivered[]>();
    for (const r of rows) {
      const k = `${r.attempts}:${r.status}`;
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    for (const g of groups.values()) {
      await this.db
        .updateTable('webhook_deliveries')
        .set({ state: 'succeeded', delivered_at: Math.max(...g.map((r) => r.at)), last_status: g[0].status, last_error: null, locked_until: null, attempts: g[0].attempts })
        .where('id', 'in', g.map((r) => r.id))
        .execute();
    }
    await this.countDownPending(rows.map((r) => r.event_id));
  }

  /** One fewer pending webhook per occurrence of an event id (never below zero). */
  private async countDownPending(eventIds: readonly string[]): Promise<void> {
    const times = new Map<string, number>();
    for (const id of eventIds) times.set(id, (times.get(id) ?? 0) + 1);
    if (this.dialect === 'postgres') {
      // Row locks in id order, the order every dispatcher takes them in, so two batches sharing events
      // cannot deadlock on them.
      await this.db
        .selectFrom('events')
        .select('id')
        .where('id', 'in', [...times.keys()])
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    const byTimes = new Map<number, string[]>();
    for (const [id, n] of times) {
      const g = byTimes.get(n);
      if (g) g.push(id);
      else byTimes.set(n, [id]);
    }
    for (const [n, ids] of byTimes) {
      await this.db
        .updateTable('events')
        .set({ pending_webhooks: sql<number>`case when pending_webhooks > ${n} then pending_webhooks - ${n} else 0 end` })
        .where('id', 'in', ids)
        .where('pending_webhooks', '>', 0)
        .execute();
    }
  }

  async markRetry(id: number, nextAt: number, attempts: number, status: number | null, error: string | null, finalState?: 'failed' | 'canceled'): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        state: finalState ?? 'pending',
        next_attempt_at: Math.round(nextAt), // bigint ms: PostgreSQL rejects a fraction
        attempts,
        last_status: status,
        last_error: error === null ? null : error.slice(0, 500),
        locked_until: null,
      })
      .where('id', '=', id)
      .execute();
  }

  async listDeliveries(filter: { event_id?: string; endpoint_id?: string }): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll();
    if (filter.event_id) q = q.where('event_id', '=', filter.event_id);
    if (filter.endpoint_id) q = q.where('endpoint_id', '=', filter.endpoint_id);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      event_id: r.event_id,
      endpoint_id: r.endpoint_id,
      livemode: r.livemode === 1,
      attempts: r.attempts,
      created_ms: Number(r.created_ms),
      state: r.state,
      next_attempt_at: Number(r.next_attempt_at),
      last_status: r.last_status,
      last_error: r.last_error,
      delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
    }));
  }

  async listAttempts(deliveryId: number): Promise<AttemptRecord[]> {
    const rows = await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute();
    return rows.map((r) => ({ delivery_id: Number(r.delivery_id), at: Number(r.at), status: r.status, duration_ms: r.duration_ms, error: r.error }));
  }

  async nextDeliveryDue(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return r?.next == null ? undefined : Number(r.next);
  }
}
