// POST /verify/api/otp/send and /otp/verify. Email and phone verification are configured by verification
// flows only (no API parameter creates them), so these tests set the options on the stored session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type OtpSender, sendOtp, verifyOtp } from '../../domain/page.js';
import { type Verity, startVerity } from '../../../test/harness.js';
import { type SmtpSink, startSmtpSink } from '../../verification/otp/test-kit.js';
import { show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';
import { PageError } from './errors.js';

describe('POST /verify/api/otp/send and /otp/verify', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  async function otpSession(key?: string) {
    const s = await createSession(v, { type: 'document', provided_details: { email: 'jenny.rosen@example.com', phone: '+15555550100' } }, key);
    const row = (await v.deps.store.findSession(s.id))!;
    row.options = { ...row.options, email: { require_verification: true }, phone: { require_verification: true } };
    assert.ok(await v.deps.store.updateSession(row));
    return s;
  }

  it('asks for both codes and shows masked destinations', async () => {
    const s = await otpSession();
    const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
    assert.deepEqual(view.email, { required: true, to: 'j***@example.com' }, show(view));
    assert.deepEqual(view.phone, { required: true, to: '***00' }, show(view));
    assert.deepEqual(view.requirements.missing.slice(-2), ['email_otp', 'phone_otp'], show(view));
  });

  it('test mode: sends nothing and accepts 000000', async () => {
    const s = await otpSession();
    const token = urlToken(s);
    await expectJson(await api(v, 'POST', '/otp/send', token, { channel: 'email' }), 200);
    const view = await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'email', code: '000 000' }), 200);
    assert.equal(view.collected.email_otp, true, show(view));
    assert.ok(!view.requirements.missing.includes('email_otp'), show(view));
    const phone = await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'phone', code: '000000' }), 200);
    assert.equal(phone.collected.phone_otp, true, show(phone));
  });

  it('counts wrong codes: four answer otp_invalid, the fifth and any after it otp_attempts_exceeded, until a new code is sent', async () => {
    const s = await otpSession();
    const token = urlToken(s);
    await expectJson(await api(v, 'POST', '/otp/send', token, { channel: 'phone' }), 200);
    for (let i = 0; i < 4; i++) await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'phone', code: '123456' }), 400, 'otp_invalid');
    await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'phone', code: '123456' }), 429, 'otp_attempts_exceeded');
    await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'phone', code: '000000' }), 429, 'otp_attempts_exceeded');
    await expectJson(await api(v, 'POST', '/otp/send', token, { channel: 'phone' }), 200);
    const view = await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'phone', code: '000000' }), 200);
    assert.equal(view.collected.phone_otp, true, show(view));
  });

  it('refuses a channel the session does not verify, or an unknown one', async () => {
    const s = await createSession(v, { type: 'document', provided_details: { email: 'a@example.com' } });
    await expectJson(await api(v, 'POST', '/otp/send', urlToken(s), { channel: 'email' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/otp/verify', urlToken(s), { channel: 'email', code: '000000' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/otp/send', urlToken(s), { channel: 'pigeon' }), 400, 'invalid_request');
  });

  it('live mode without a configured sender: 503 otp_unavailable with a clear message', async () => {
    const s = await otpSession(v.keys.live);
    const body = await expectJson(await api(v, 'POST', '/otp/send', urlToken(s), { channel: 'email' }), 503, 'otp_unavailable');
    assert.match(body.error.message, /no email or SMS sender is configured/, show(body));
  });

  it('live mode with a sender: the sent code verifies (000000 does not), and expires after 10 minutes', async () => {
    const s = await otpSession(v.keys.live);
    const token = urlToken(s);
    const sent: { channel: string; to: string; code: string }[] = [];
    const sender: OtpSender = { send: async (m) => void sent.push(m) };
    await sendOtp(v.deps, token, 'email', sender);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].to, 'jenny.rosen@example.com');
    assert.match(sent[0].code, /^\d{6}$/);
    if (sent[0].code !== '000000') await assert.rejects(verifyOtp(v.deps, token, 'email', '000000'), (e: PageError) => e.code === 'otp_invalid');
    const view = await verifyOtp(v.deps, token, 'email', sent[0].code);
    assert.equal(view.collected.email_otp, true, show(view));

    await sendOtp(v.deps, token, 'phone', sender);
    v.clock.advance(10 * 60 * 1000 + 1000);
    await assert.rejects(verifyOtp(v.deps, token, 'phone', sent[1].code), (e: PageError) => e.code === 'otp_invalid');
  });
});

describe('live one-time codes through the configured senders', () => {
  let v: Verity;
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink();
    v = await startVerity({ config: { otp: { smtpUrl: sink.url, smtpFrom: 'verify@example.com', smsWebhookUrl: null, smsWebhookSecret: null } } });
  });
  after(async () => {
    await v.close();
    await sink.close();
  });

  it('emails the code with VERITY_SMTP_URL set, and the emailed code verifies', async () => {
    const s = await createSession(v, { type: 'document', provided_details: { email: 'jenny.rosen@example.com' } }, v.keys.live);
    const row = (await v.deps.store.findSession(s.id))!;
    row.options = { ...row.options, email: { require_verification: true } };
    assert.ok(await v.deps.store.updateSession(row));
    const token = urlToken(s);
    await expectJson(await api(v, 'POST', '/otp/send', token, { channel: 'email' }), 200);
    assert.equal(sink.mails.length, 1, show(sink.mails));
    assert.deepEqual(sink.mails[0].to, ['jenny.rosen@example.com']);
    const code = /\b(\d{6})\b/.exec(sink.mails[0].data)?.[1];
    assert.ok(code, sink.mails[0].data);
    const view = await expectJson(await api(v, 'POST', '/otp/verify', token, { channel: 'email', code }), 200);
    assert.equal(view.collected.email_otp, true, show(view));
  });

  it('still answers otp_unavailable for the channel with no sender (SMS here)', async () => {
    const s = await createSession(v, { type: 'document', provided_details: { phone: '+15555550100' } }, v.keys.live);
    const row = (await v.deps.store.findSession(s.id))!;
    row.options = { ...row.options, phone: { require_verification: true } };
    assert.ok(await v.deps.store.updateSession(row));
    await expectJson(await api(v, 'POST', '/otp/send', urlToken(s), { channel: 'phone' }), 503, 'otp_unavailable');
  });
});
