// `verity listen --forward-to URL`: like `stripe listen`, forwards each new event of one mode to a local URL,
// signed with a secret printed at start, one line per delivery. It reads events straight from the database
// (the same DATA_DIR or DATABASE_URL as the server), so it needs no API key; it is a development tool, not
// durable delivery (use a webhook endpoint for that).
import type { Deps } from '../deps.js';
import { presentEvent } from '../domain/present.js';
import { postSigned } from './delivery.js';
import { newSigningSecret } from './signing.js';

// Rows from concurrent writers can commit out of sequence order; looking back a little and skipping ids
// already sent catches the late ones.
const LOOKBACK = 500;
const SEEN_MAX = 20_000;

export interface ListenOptions {
  forwardTo: string;
  livemode: boolean;
  events?: string[];
  pollMs?: number;
  print: (line: string) => void;
}

export async function listen(d: Deps, o: ListenOptions): Promise<{ secret: string; stop(): Promise<void> }> {
  const secret = newSigningSecret();
  o.print(`Ready! Forwarding ${o.livemode ? 'live' : 'test'}-mode events to ${o.forwardTo}`);
  o.print(`Your webhook signing secret is ${secret} (^C to quit)`);
  const startSeq = await d.store.lastEventSeq();
  let cursor = startSeq;
  const seen = new Set<string>();
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const batch = await d.store.listEventsAfter(o.livemode, Math.max(startSeq, cursor - LOOKBACK), 200);
      for (const e of batch) {
        cursor = Math.max(cursor, e.seq);
        if (seen.has(e.id) || (o.events && !o.events.includes(e.type))) continue;
        seen.add(e.id);
        if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value as string);
        const body = JSON.stringify(presentEvent(e));
        const r = await postSigned(o.forwardTo, secret, body, Math.floor(Date.now() / 1000), d.config.webhooks.timeoutMs);
        o.print(`${new Date().toISOString()}  ${e.type}  ${e.id}  -> ${r.status ?? 'failed'}${r.error ? ` (${r.error})` : ''} ${r.durationMs} ms`);
      }
      if (batch.length < 200) await new Promise((res) => setTimeout(res, o.pollMs ?? 250));
    }
  })();
  return {
    secret,
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
