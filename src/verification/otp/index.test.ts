import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OtpSenderNotConfigured } from '../../domain/page.js';
import { createOtpSender } from './index.js';
import { type HttpReceiver, type SmtpSink, startHttpReceiver, startSmtpSink } from './test-kit.js';

describe('createOtpSender', () => {
  let smtp: SmtpSink;
  let sms: HttpReceiver;
  before(async () => {
    smtp = await startSmtpSink();
    sms = await startHttpReceiver();
  });
  after(() => Promise.all([smtp.close(), sms.close()]));

  const both = () =>
    createOtpSender({ smtpUrl: smtp.url, smtpFrom: 'no-reply@example.test', smsWebhookUrl: sms.url, smsWebhookSecret: 'whsec_x' });

  it('sends email codes through SMTP', async () => {
    const before = { mails: smtp.mails.length, sms: sms.requests.length };
    await both().send({ channel: 'email', to: 'jenny@example.test', code: '123456', livemode: true });
    assert.equal(smtp.mails.length, before.mails + 1);
    assert.equal(sms.requests.length, before.sms);
  });

  it('sends phone codes through the SMS webhook', async () => {
    const before = { mails: smtp.mails.length, sms: sms.requests.length };
    await both().send({ channel: 'phone', to: '+15555550100', code: '123456', livemode: true });
    assert.equal(sms.requests.length, before.sms + 1);
    assert.equal(smtp.mails.length, before.mails);
  });

  it('answers OtpSenderNotConfigured for email when only SMS is configured', async () => {
    const sender = createOtpSender({ smsWebhookUrl: sms.url, smsWebhookSecret: 'whsec_x' });
    await assert.rejects(sender.send({ channel: 'email', to: 'jenny@example.test', code: '123456', livemode: true }), OtpSenderNotConfigured);
  });

  it('answers OtpSenderNotConfigured for phone when only SMTP is configured', async () => {
    const sender = createOtpSender({ smtpUrl: smtp.url, smtpFrom: 'no-reply@example.test' });
    await assert.rejects(sender.send({ channel: 'phone', to: '+15555550100', code: '123456', livemode: true }), OtpSenderNotConfigured);
  });

  it('answers OtpSenderNotConfigured for both channels when nothing is configured', async () => {
    const sender = createOtpSender({});
    await assert.rejects(sender.send({ channel: 'email', to: 'jenny@example.test', code: '123456', livemode: true }), OtpSenderNotConfigured);
    await assert.rejects(sender.send({ channel: 'phone', to: '+15555550100', code: '123456', livemode: true }), OtpSenderNotConfigured);
  });

  it('refuses an SMTP URL without a From address at once', () => {
    assert.throws(() => createOtpSender({ smtpUrl: smtp.url }), /VERITY_SMTP_FROM/);
  });

  it('refuses an SMS webhook URL without a signing secret at once', () => {
    assert.throws(() => createOtpSender({ smsWebhookUrl: sms.url }), /VERITY_SMS_WEBHOOK_SECRET/);
  });
});
