import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SmtpSendFailed, createSmtpSender } from './smtp.js';
import { type SmtpSink, startSmtpSink } from './test-kit.js';

describe('the SMTP one-time-code sender', () => {
  const sinks: SmtpSink[] = [];
  const sink = async (o?: { refuseRecipients?: boolean }) => {
    const s = await startSmtpSink(o);
    sinks.push(s);
    return s;
  };
  after(() => Promise.all(sinks.map((s) => s.close())));

  it('delivers the code to the recipient, from the configured address', async () => {
    const s = await sink();
    await createSmtpSender({ url: s.url, from: 'Verity <no-reply@example.test>' }).send({ channel: 'email', to: 'jenny@example.test', code: '482913', livemode: true });
    assert.equal(s.mails.length, 1);
    assert.deepEqual(s.mails[0].to, ['jenny@example.test']);
    assert.equal(s.mails[0].from, 'no-reply@example.test');
    assert.match(s.mails[0].data, /^Subject: Your verification code\r?$/m);
    assert.match(s.mails[0].data, /^To: jenny@example\.test\r?$/m);
  });

  it('puts the code and its ten-minute validity in the text and the HTML parts', async () => {
    const s = await sink();
    await createSmtpSender({ url: s.url, from: 'no-reply@example.test' }).send({ channel: 'email', to: 'jenny@example.test', code: '482913', livemode: true });
    const data = s.mails[0].data;
    assert.match(data, /Content-Type: text\/plain/);
    assert.match(data, /Content-Type: text\/html/);
    assert.equal(data.match(/482913/g)?.length, 2, 'once in each part');
    assert.match(data, /valid for 10 minutes/);
  });

  it('authenticates with the credentials in the URL', async () => {
    const s = await sink();
    const url = s.url.replace('smtp://', 'smtp://mailer:s%3Acret@');
    await createSmtpSender({ url, from: 'no-reply@example.test' }).send({ channel: 'email', to: 'jenny@example.test', code: '111222', livemode: true });
    assert.equal(s.mails[0].user, 'mailer');
    assert.equal(s.mails[0].pass, 's:cret');
  });

  it('fails when the server refuses the recipient, without naming the address or the code', async () => {
    const s = await sink({ refuseRecipients: true });
    const sender = createSmtpSender({ url: s.url, from: 'no-reply@example.test' });
    await assert.rejects(sender.send({ channel: 'email', to: 'jenny@example.test', code: '482913', livemode: true }), (e: Error) => {
      assert.ok(e instanceof SmtpSendFailed);
      assert.ok(!/jenny|482913/.test(`${e.message} ${e.stack}`), e.message);
      return true;
    });
  });

  it('fails when no server listens', async () => {
    const s = await sink();
    await s.close();
    const sender = createSmtpSender({ url: s.url, from: 'no-reply@example.test' });
    await assert.rejects(sender.send({ channel: 'email', to: 'jenny@example.test', code: '482913', livemode: true }), SmtpSendFailed);
  });

  it('refuses to send to a phone', async () => {
    const sender = createSmtpSender({ url: 'smtp://127.0.0.1:9', from: 'no-reply@example.test' });
    await assert.rejects(sender.send({ channel: 'phone', to: '+15555550100', code: '482913', livemode: true }), /cannot send to phone/);
  });
});
