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

export const newId = {
  session: () => `vs_${randomBase62(24)}`,
  report: () => `vr_${randomBase62(24)}`,
  event: () => `evt_${randomBase62(24)}`,
  request: () => `req_${randomBase62(14)}`,
  key: () => `key_${randomBase62(24)}`,
};
