// Stripe's webhook signature: `Stripe-Signature: t=<unix>,v1=<hex>`, where v1 is HMAC-SHA256 keyed with the
// whole `whsec_…` string over "<t>.<raw body>" — exactly what stripe.webhooks.constructEvent verifies.
import crypto from 'node:crypto';
import { randomBase62 } from '../domain/ids.js';

export function newSigningSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

/** One v1 per secret: after a roll the previous secret signs too, and constructEvent accepts either. */
export function signatureHeader(secrets: string | readonly string[], timestamp: number, body: string): string {
  let header = `t=${timestamp}`;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets)
    header += `,v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
  return header;
}
