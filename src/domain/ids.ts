// Stripe-shaped identifiers: a prefix and random base62. Rejection sampling keeps every character uniform.
import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.randomBytes(length * 2);
    for (const b of bytes) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
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
