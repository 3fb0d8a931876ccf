import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, describe, it } from 'node:test';
import { manualClock } from '../../domain/clock.js';
import { SMS_SIGNATURE_HEADER, SmsWebhookFailed, createSmsWebhookSender } from './sms-webhook.js';
import { type HttpReceiver, startHttpReceiver } from './test-kit.js';

const SECRET = 'whsec_sms_test_secret';
const message = { channel: 'phone' as const, to: '+15555550100', code: '482913', livemode: true };

describe('the SMS webhook one-time-code sender', () => {
  const receivers: HttpReceiver[] = [];
  const receiver = async (status?: number, delayMs?: number) => {
    const r = await startHttpReceiver(status, delayMs);
    receivers.push(r);
    return r;
  };
  after(() => Promise.all(receivers.map((r) => r.close())));

  it('posts the message as JSON', async () => {
    const r = await receiver();
    await createSmsWebhookSender({ url: r.url, secret: SECRET }).send(message);
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0].method, 'POST');
    assert.equal(r.requests[0].headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.requests[0].body), { channel: 'phone', to: '+15555550100', code: '482913', livemode: true });
  });

  it("signs the body as Stripe signs webhooks: t=<unix>,v1=<HMAC-SHA256 of 't.body'>", async () => {
    const r = await receiver();
    const clock = manualClock(1_795_641_026_000);
    await createSmsWebhookSender({ url: r.url, secret: SECRET, clock }).send(message);
    const { headers, body } = r.requests[0];
    const header = String(headers[SMS_SIGNATURE_HEADER.toLowerCase()]);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    assert.ok(m, header);
    assert.equal(m[1], '1795641026');
    const expected = crypto.createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest('hex');
    assert.equal(m[2], expected);
  });

  it('is not signed with another secret', async () => {
    const r = await receiver();
    await createSmsWebhookSender({ url: r.url, secret: SECRET }).send(message);
    const { headers, body } = r.requests[0];
    const [t, v1] = String(headers[SMS_SIGNATURE_HEADER.toLowerCase()]).split(',').map((p) => p.slice(p.indexOf('=') + 1));
    assert.notEqual(v1, crypto.createHmac('sha256', 'whsec_other').update(`${t}.${body}`).digest('hex'));
  });

  it('fails on a non-2xx answer, without naming the number or the code', async () => {
    const r = await receiver(500);
    await assert.rejects(createSmsWebhookSender({ url: r.url, secret: SECRET }).send(message), (e: Error) => {
      assert.ok(e instanceof SmsWebhookFailed);
      assert.equal(e.status, 500);
      assert.ok(!/5555550100|482913/.test(`${e.message} ${e.stack}`), e.message);
      return true;
    });
  });

  it('fails on a redirect rather than follow it', async () => {
    const r = await receiver(302);
    await assert.rejects(createSmsWebhookSender({ url: r.url, secret: SECRET }).send(message), SmsWebhookFailed);
  });

  it('gives up when the receiver does not answer in time', async () => {
    const r = await receiver(200, 5_000);
    const started = Date.now();
    await assert.rejects(createSmsWebhookSender({ url: r.url, secret: SECRET, timeoutMs: 200 }).send(message), (e: Error) => {
      assert.ok(e instanceof SmsWebhookFailed);
      assert.equal(e.status, null);
      return true;
    });
    assert.ok(Date.now() - started < 2_000);
  });

  it('fails when nothing listens', async () => {
    const r = await receiver();
    await r.close();
    await assert.rejects(createSmsWebhookSender({ url: r.url, secret: SECRET }).send(message), SmsWebhookFailed);
  });
});
