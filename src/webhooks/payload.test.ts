import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presentEvent } from '../domain/present.js';
import type { EventRecord } from '../domain/types.js';
import type { DeliverableEvent } from '../store/webhook-store.js';
import { eventBody } from './payload.js';

const record = (over: Partial<EventRecord> = {}): EventRecord => ({
  id: 'evt_1',
  livemode: false,
  created: 1_700_000_000,
  type: 'identity.verification_session.created',
  object_id: 'vs_1',
  api_version: '2024-06-20',
  data: { object: { id: 'vs_1', object: 'identity.verification_session', metadata: { b: 'x', 10: 'ten', q: 'say "hi"\n', é: '✓' }, n: 1.5e-7 } },
  request_id: 'req_1',
  idempotency_key: 'k1',
  pending_webhooks: 3,
  ...over,
});

/** The event as the store hands it to a delivery: data as the JSON text it was stored as. */
const stored = (e: EventRecord): DeliverableEvent => {
  const { data, pending_webhooks, ...rest } = e;
  return { ...rest, data_json: JSON.stringify(data) };
};

describe('webhook event body', () => {
  it('is byte for byte the event as the Events API presents it', () => {
    const e = record();
    assert.equal(eventBody(stored(e), 3), JSON.stringify(presentEvent(e)));
  });

  it('carries the pending_webhooks count it is given, not the stored one', () => {
    const e = record({ pending_webhooks: 0 });
    assert.equal(JSON.parse(eventBody(stored(e), 2)).pending_webhooks, 2);
  });

  it('splices data only at the top-level field when other fields contain the same text', () => {
    const lookalike = '"data":"\u0000verity-data\u0000"';
    const e = record({ api_version: lookalike, idempotency_key: lookalike, data: { object: { id: 'vs_1', note: '"data":"\u0000verity-data\u0000"' } } });
    assert.equal(eventBody(stored(e), 1), JSON.stringify(presentEvent({ ...e, pending_webhooks: 1 })));
  });
});
