// The one-time-code sender the server uses: email through SMTP, phone through the SMS webhook, each only when
// configured. A channel with nothing configured answers OtpSenderNotConfigured, which the page reports as
// "unavailable" without logging an error.
import { type OtpSender, OtpSenderNotConfigured } from '../../domain/page.js';
import { createSmsWebhookSender } from './sms-webhook.js';
import { createSmtpSender } from './smtp.js';

export interface OtpSenderOptions {
  smtpUrl?: string;
  smtpFrom?: string;
  smsWebhookUrl?: string;
  smsWebhookSecret?: string;
}

/** Throws at once (at start-up) on a half-configured channel, rather than on the first person to need it. */
export function createOtpSender(opts: OtpSenderOptions): OtpSender {
  if (opts.smtpUrl && !opts.smtpFrom) throw new Error('An SMTP URL needs a From address (VERITY_SMTP_FROM).');
  if (opts.smsWebhookUrl && !opts.smsWebhookSecret) throw new Error('An SMS webhook URL needs a signing secret (VERITY_SMS_WEBHOOK_SECRET).');
  const email = opts.smtpUrl ? createSmtpSender({ url: opts.smtpUrl, from: opts.smtpFrom! }) : null;
  const phone = opts.smsWebhookUrl ? createSmsWebhookSender({ url: opts.smsWebhookUrl, secret: opts.smsWebhookSecret! }) : null;
  return {
    async send(m) {
      const sender = m.channel === 'email' ? email : m.channel === 'phone' ? phone : null;
      if (!sender) throw new OtpSenderNotConfigured();
      await sender.send(m);
    },
  };
}
