// SHA-256 as hex, for the digests taken on every request (API keys, link tokens, idempotent parameters).
import crypto from 'node:crypto';

export function sha256Hex(text: string): string {
  // The one-shot crypto.hash (Node 20.12+) costs about half of createHash; the same digest of the UTF-8 text.
  if (typeof crypto.hash === 'function') return crypto.hash('sha256', text, 'hex');
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
