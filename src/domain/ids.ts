// Stripe-shaped identifiers: a prefix and random base62. Rejection sampling keeps every character uniform.
import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Random bytes are drawn from a pool refilled from the CSPRNG 4 KiB at a time: each crypto.randomBytes call
// costs about as much as serving a cached API request, and a create mints half a dozen ids and secrets. Every
// pooled byte is handed out once, so the output is exactly as random as calling the CSPRNG each time.
const POOL = Buffer.alloc(4096);
let poolPos = POOL.length;

function poolByte(): number {
  if (poolPos === POOL.length) {
    crypto.randomFillSync(POOL);
    poolPos = 0;
  }
  return POOL[poolPos++];
}

/** n fresh random bytes from the pool (for IVs and the like). */
export function randomBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = poolByte();
  return out;
}

export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const b = poolByte();
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

// Digits in ASCII order, so that the encoded times sort as strings do (SQLite and PostgreSQL compare ids bytewise).
const SORTABLE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The time in ms as 7 base62 digits in ASCII order (good until the year 4000). */
function timePrefix(ms: number): string {
  let out = '';
  for (let i = 0; i < 7; i++) {
    out = SORTABLE[ms % 62] + out;
    ms = Math.floor(ms / 62);
  }
  return out;
}

/**
 * An id whose first characters follow the clock, as Stripe's own ids do (`vs_1Nu…`): rows created together
 * then sit next to each other in every index keyed by id, so a commit group writes a few index pages instead
 * of one per row. The rest is random, so an id is still unguessable.
 */
function ordered(prefix: string): string {
  return `${prefix}_1${timePrefix(Date.now())}${randomBase62(16)}`;
}

/**
 * A secret (hosted-page url token, client secret tail): '1', the clock as in ids, then 32 random characters
 * (190 bits: the secrecy is all there). The clock part lets the hosted page's link table keep them in time
 * order (see page-store.ts linkKey).
 */
export function orderedSecret(): string {
  return `1${timePrefix(Date.now())}${randomBase62(32)}`;
}

export const newId = {
  session: () => ordered('vs'),
  report: () => `vr_${randomBase62(24)}`,
  event: () => ordered('evt'),
  request: () => `req_${randomBase62(14)}`,
  key: () => `key_${randomBase62(24)}`,
};
