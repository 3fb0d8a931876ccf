// The body a delivery POSTs: the event exactly as the Events API presents it. The event's data is already JSON
// text when it leaves the database, and it is by far the largest part, so it is spliced in as it is rather
// than parsed and serialised again for every delivery: JSON.stringify(JSON.parse(s)) === s for text that
// JSON.stringify wrote, so the bytes are the same either way.
import { presentEvent } from '../domain/present.js';
import type { EventRecord } from '../domain/types.js';
import type { DeliverableEvent } from '../store/webhook-store.js';

// Stands in for data while the rest of the event is serialised. A string value cannot produce this text
// (its quotes would be escaped), so the only match is the top-level data field.
const SLOT = '\u0000verity-data\u0000';
const SLOT_JSON = `"data":${JSON.stringify(SLOT)}`;

/** The JSON body for an event; `pendingWebhooks` is the count the event was recorded with (a snapshot, like data). */
export function eventBody(e: DeliverableEvent, pendingWebhooks: number): string {
  const { data_json, ...rest } = e;
  const envelope = JSON.stringify(presentEvent({ ...rest, data: SLOT as unknown as EventRecord['data'], pending_webhooks: pendingWebhooks }));
  const at = envelope.indexOf(SLOT_JSON);
  if (at < 0) throw new Error('presentEvent no longer has a data field');
  return `${envelope.slice(0, at)}"data":${data_json}${envelope.slice(at + SLOT_JSON.length)}`;
}
