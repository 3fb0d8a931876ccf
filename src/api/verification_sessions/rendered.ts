// Retrieve's answers without expansions, kept as the JSON text that was sent. An integration waiting for a
// result polls its session, often many times a second, and the session rarely changes in between; reading
// the row, presenting it and serialising it again is most of what such a request costs. Such an answer does
// not depend on the key (beyond its mode) or on the API version, only on the stored session and the time.
//
// An entry is used only while nothing has been committed since it was read (the store's read version, which
// moves with any commit, by this process or another: see OpenedDb.readVersion; the whole cache is dropped when
// it moves) and while the time-limited parts it shows, client_secret and url, are still valid. Without a read
// version (PostgreSQL, or writes of this process not yet committed, which a read would see) nothing is kept.
import { sessionSecretsVisible } from '../../domain/present.js';
import type { Session } from '../../domain/types.js';
import type { Store } from '../../store/store.js';

interface Entry {
  json: string;
  livemode: boolean;
  /** Unix seconds from which the JSON is no longer what retrieve answers (a secret or url has expired). */
  until: number;
}

export class RenderedSessions {
  private version: string | undefined;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = 5000) {}

  /** The JSON retrieve answered for this session, if it is still the answer at this read version and time. */
  get(version: string | undefined, id: string, livemode: boolean, now: number): string | undefined {
    if (version === undefined) return undefined;
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
      return undefined;
    }
    const e = this.entries.get(id);
    return e !== undefined && e.livemode === livemode && now < e.until ? e.json : undefined;
  }

  /** Keeps the JSON of a session read and presented between two reads of the version that found it unmoved. */
  set(before: string | undefined, after: string | undefined, s: Session, json: string): void {
    if (before === undefined || before !== after || after !== this.version) return;
    if (this.entries.size >= this.max && !this.entries.has(s.id)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(s.id, { json, livemode: s.livemode, until: validUntil(s) });
  }

  get size(): number {
    return this.entries.size;
  }
}

function validUntil(s: Session): number {
  if (!sessionSecretsVisible(s, 0)) return Infinity;
  return Math.min(s.client_secret_expires ?? 0, s.url_expires ?? 0);
}

// One cache per database: apps built on different stores in one process (tests) must not share entries.
const byStore = new WeakMap<Store, RenderedSessions>();

export function renderedSessions(store: Store): RenderedSessions {
  let cache = byStore.get(store);
  if (cache === undefined) byStore.set(store, (cache = new RenderedSessions()));
  return cache;
}
