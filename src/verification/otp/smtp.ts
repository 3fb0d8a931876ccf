// One-time codes by email, through any SMTP server (nodemailer speaks SMTP, STARTTLS and SMTPS).
import nodemailer from 'nodemailer';
import { OTP_VALID_MINUTES, type OtpSender } from '../../domain/page.js';

export interface SmtpOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`. */
  url: string;
  /** The From address, `Verity <no-reply@example.com>` or a bare address. */
  from: string;
}

// Short enough that a person waiting on the page gets an error rather than a hung request.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 5_000, socketTimeout: 15_000 };

export function createSmtpSender(o: SmtpOptions): OtpSender {
  const transport = nodemailer.createTransport({ url: o.url, ...TIMEOUTS });
  return {
    async send(m) {
      if (m.channel !== 'email') throw new Error(`The SMTP sender cannot send to ${m.channel}`);
      const { subject, text, html } = otpEmail(m.code);
      // nodemailer's error messages quote the server's answer, which may name the recipient: they are not
      // passed on, only that the sending failed.
      try {
        await transport.sendMail({ from: o.from, to: m.to, subject, text, html, disableFileAccess: true, disableUrlAccess: true });
      } catch (e) {
        throw new SmtpSendFailed((e as { code?: string })?.code ?? null);
      }
    },
  };
}

export class SmtpSendFailed extends Error {
  constructor(readonly code: string | null) {
    super(`Sending the verification email failed${code ? ` (${code})` : ''}`);
    this.name = 'SmtpSendFailed';
  }
}

export function otpEmail(code: string): { subject: string; text: string; html: string } {
  const safe = code.replace(/[^0-9A-Za-z]/g, '');
  return {
    subject: 'Your verification code',
    text:
      `Your verification code is ${safe}.\n\n` +
      `It is valid for ${OTP_VALID_MINUTES} minutes. If you did not ask for it, you can ignore this email.\n`,
    html:
      `<!doctype html><html><body style="font-family:sans-serif">` +
      `<p>Your verification code is</p>` +
      `<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${safe}</p>` +
      `<p>It is valid for ${OTP_VALID_MINUTES} minutes. If you did not ask for it, you can ignore this email.</p>` +
      `</body></html>`,
  };
}
