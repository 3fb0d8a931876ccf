// The dispatcher's batch queries: SQLite in memory, or a fresh PostgreSQL database when DATABASE_URL is set.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshPostgres, usingPostgres } from '../../test/harness.js';
import type { EventRecord } from '../domain/types.js';
import { migrate, type OpenedDb, openDatabase } from './db.js';
import { createSealer } from './sealer.js';
import { Store } from './store.js';

describe('webhook store batches', () => {
  let opened: OpenedDb;
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  let n = 0;

  before(async () => {
    const pgdb = usingPostgres() ? await freshPostgres() : undefined;
    drop = pgdb?.drop;
    opened = openDatabase({ databaseUrl: pgdb?.url, sqlitePath: ':memory:' });
    await migrate(opened);
    store = Store.from(opened, createSealer(crypto.randomBytes(32)));
  });
  after(async () => {
    await opened.close();
    await drop?.();
  });

  /** An event with `endpoints` pending webhooks and a delivery row to each. */
  async function eventWithDeliveries(endpoints: number): Promise<{ event: EventRecord; ids: number[] }> {
    const event: EventRecord = {
      id: `evt_batch${++n}`,
      livemode: false,
      created: 1_700_000_000,
      type: 'identity.verification_session.created',
      object_id: `vs_batch${n}`,
      api_version: null,
      data: { object: { id: `vs_batch${n}`, metadata: { 2: 'b', a: 'x"y' } } },
      request_id: null,
      idempotency_key: null,
      pending_webhooks: endpoints,
    };
    await store.insertEvent(event);
    await store.webhooks.insertDeliveries(Array.from({ length: endpoints }, (_, i) => ({ event_id: event.id, endpoint_id: `we_${i}`, livemode: false, now_ms: 1 })));
    const ids = (await store.webhooks.listDeliveries({ event_id: event.id })).map((d) => d.id);
    return { event, ids };
  }

  const pending = async (id: string) => (await store.findEvent(id))!.pending_webhooks;

  it('counts pending_webhooks down once per delivery, for two deliveries of one event in the same call too', async () => {
    const a = await eventWithDeliveries(3);
    const b = await eventWithDeliveries(1);
    await store.transaction((tx) =>
      tx.webhooks.markDelivered([
        { id: a.ids[0], event_id: a.event.id, attempts: 1, status: 200, at: 10 },
        { id: a.ids[1], event_id: a.event.id, attempts: 2, status: 204, at: 11 },
        { id: b.ids[0], event_id: b.event.id, attempts: 1, status: 200, at: 12 },
      ]),
    );
    assert.equal(await pending(a.event.id), 1);
    assert.equal(await pending(b.event.id), 0);
  });

  it('never counts pending_webhooks below zero when a delivery is acknowledged twice', async () => {
    const a = await eventWithDeliveries(1);
    const again = { id: a.ids[0], event_id: a.event.id, attempts: 1, status: 200, at: 10 };
    await store.webhooks.markDelivered([again, again]);
    assert.equal(await pending(a.event.id), 0);
  });

  it('records each delivery with its own attempts and status', async () => {
    const a = await eventWithDeliveries(2);
    await store.webhooks.markDelivered([
      { id: a.ids[0], event_id: a.event.id, attempts: 1, status: 200, at: 10 },
      { id: a.ids[1], event_id: a.event.id, attempts: 3, status: 202, at: 11 },
    ]);
    const ds = await store.webhooks.listDeliveries({ event_id: a.event.id });
    assert.deepEqual(
      ds.map((d) => [d.state, d.attempts, d.last_status]),
      [
        ['succeeded', 1, 200],
        ['succeeded', 3, 202],
      ],
    );
  });

  it('claims within the caller transaction, so a rollback leaves the deliveries unclaimed', async () => {
    const a = await eventWithDeliveries(1);
    await assert.rejects(
      store.transaction(async (tx) => {
        const claimed = await tx.webhooks.claimDeliveries(1_000, 60_000, 1_000);
        assert.ok(claimed.some((c) => c.id === a.ids[0]));
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    const again = await store.webhooks.claimDeliveries(1_000, 60_000, 1_000);
    assert.ok(again.some((c) => c.id === a.ids[0] && c.fanout === 1));
  });

  it('reads a batch of events with their data as the JSON text it was stored as', async () => {
    const a = await eventWithDeliveries(1);
    const b = await eventWithDeliveries(1);
    const got = await store.webhooks.eventsToDeliver([a.event.id, b.event.id, a.event.id, 'evt_missing']);
    assert.deepEqual([...got.keys()].sort(), [a.event.id, b.event.id].sort());
    const e = got.get(a.event.id);
    assert.ok(e && !(e instanceof Error));
    assert.equal(e.data_json, JSON.stringify(a.event.data));
  });

  it('gives an event that cannot be decrypted its own error, leaving the others readable', async () => {
    const a = await eventWithDeliveries(1);
    const b = await eventWithDeliveries(1);
    await opened.db.updateTable('events').set({ data: 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).where('id', '=', a.event.id).execute();
    const got = await store.webhooks.eventsToDeliver([a.event.id, b.event.id]);
    assert.ok(got.get(a.event.id) instanceof Error);
    assert.ok(!(got.get(b.event.id) instanceof Error));
  });

  // Last: it leases every pending delivery of this suite.
  it('says a delivery is due only from its next attempt time, and not while it is leased', async () => {
    await eventWithDeliveries(1);
    assert.equal(await store.anyDeliveryDue(0), false, 'before next_attempt_at');
    assert.equal(await store.anyDeliveryDue(1_000), true);
    const claimed = await store.webhooks.claimDeliveries(1_000, 60_000, 1_000_000);
    assert.ok(claimed.length > 0);
    assert.equal(await store.anyDeliveryDue(1_000), false, 'leased');
    assert.equal(await store.anyDeliveryDue(61_000), true, 'the lease ran out');
  });
});
