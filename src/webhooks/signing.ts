// Stripe's webhook signature: `Stripe-Signature: t=<unix>,v1=<hex>`, where v1 is HMAC-SHA256 keyed with the
// whole `whsec_…` string over "<t>.<raw body>" — exactly what stripe.webhooks.constructEvent verifies.
import crypto from 'node:crypto';
import { randomBase62 } from '../domain/ids.js';

export function newSigningSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
