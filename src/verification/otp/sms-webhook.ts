// One-time codes by SMS, through an HTTP webhook the operator runs in front of their SMS gateway: we POST the
// message, signed as Stripe signs webhooks, and the receiver sends the text.
import type { OtpSender } from '../../domain/page.js';
import { type Clock, nowSec, systemClock } from '../../domain/clock.js';
import { signatureHeader } from '../../webhooks/signing.js';

/** The header carrying `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SMS_SIGNATURE_HEADER = 'Verity-Signature';

export interface SmsWebhookOptions {
  url: string;
  secret: string;
  clock?: Clock;
  /** How long to wait for the receiver's answer (default 5 s: the person is waiting on the page). */
  timeoutMs?: number;
}

export class SmsWebhookFailed extends Error {
  constructor(readonly status: number | null) {
    super(status === null ? 'The SMS webhook could not be reached' : `The SMS webhook answered ${status}`);
    this.name = 'SmsWebhookFailed';
  }
}

export function createSmsWebhookSender(o: SmsWebhookOptions): OtpSender {
  const clock = o.clock ?? systemClock;
  return {
    async send(m) {
      if (m.channel !== 'phone') throw new Error(`The SMS webhook cannot send to ${m.channel}`);
      const body = JSON.stringify({ channel: 'phone', to: m.to, code: m.code, livemode: m.livemode });
      let res: Response;
      try {
        res = await fetch(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SMS_SIGNATURE_HEADER]: signatureHeader(o.secret, nowSec(clock), body) },
          body,
          // A redirect would carry the code to a place nobody configured.
          redirect: 'error',
          signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
        });
      } catch {
        throw new SmsWebhookFailed(null);
      }
      // Drained so the connection can be reused; its content is the receiver's business.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new SmsWebhookFailed(res.status);
    },
  };
}
