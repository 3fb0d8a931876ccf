import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { describeResponse, startVerity, type Verity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError, testHelper } from '../../../test/identity.js';
import { MSG } from '../stripe/errors.js';
import { SAMPLE, checkFile, checkLink, fileKeys, sessionFile, upload } from '../files/testkit.js';
import { NOT_FOUND_TEXT } from './download.js';

describe('FileLinks: create, retrieve, update, list, and the public download', () => {
  let v: Verity;
  let stripe: Stripe;
  let sensitive: Stripe;
  let keys: Awaited<ReturnType<typeof fileKeys>>;
  const now = () => Math.floor(v.clock.nowMs() / 1000);
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    keys = await fileKeys(v);
    sensitive = v.stripe(keys.filesSensitive);
  });
  after(() => v.close());

  /** GET a link's URL without any key, as a browser would. */
  const download = (url: string) => fetch(url);

  async function assertGone(url: string): Promise<void> {
    const res = await download(url);
    assert.equal(res.status, 404, await describeResponse(res));
    assert.equal(await res.text(), NOT_FOUND_TEXT);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  }

  it('creates a 30-second link to an identity image with a key allowed sensitive results, and serves it', async () => {
    const f = await upload(stripe, 'identity_document_downloadable', SAMPLE.jpg, 'front.jpg');
    const l = await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30, metadata: { purpose: 'review' } });
    checkLink(l);
    assert.equal(l.file, f.id, show(l));
    assert.equal(l.expired, false, show(l));
    assert.equal(l.livemode, false, show(l));
    assert.deepEqual(l.metadata, { purpose: 'review' }, show(l));
    assert.ok(l.url!.startsWith(`${v.url}/links/`), show(l));
    const res = await download(l.url!);
    assert.equal(res.status, 200, await describeResponse(res));
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="front.jpg"/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), SAMPLE.jpg);
    const withLinks = await stripe.files.retrieve(f.id);
    checkFile(withLinks);
    assert.deepEqual(withLinks.links?.data.map((x) => x.id), [l.id], show(withLinks));
  });

  it('refuses an identity link that expires more than 30 seconds ahead, or never', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.jpg);
    const long = await stripeError(sensitive.fileLinks.create({ file: f.id, expires_at: now() + 31 }));
    assertStripeError(long, { status: 400, param: 'expires_at', message: MSG.fileLinkTooLong('selfie', 30) });
    const never = await stripeError(sensitive.fileLinks.create({ file: f.id }));
    assertStripeError(never, { status: 400, param: 'expires_at' });
    const past = await stripeError(sensitive.fileLinks.create({ file: f.id, expires_at: now() - 1 }));
    assertStripeError(past, { status: 400, param: 'expires_at', message: MSG.fileLinkExpiresPast });
    assert.equal((await stripe.fileLinks.list({ file: f.id })).data.length, 0);
  });

  it('refuses identity links to a secret key and to keys without Files write', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.jpg);
    const secret = await stripeError(stripe.fileLinks.create({ file: f.id, expires_at: now() + 10 }));
    assertStripeError(secret, { status: 403, message: MSG.fileLinkNeedsSensitiveKey('selfie') });
    const noFiles = await stripeError(v.stripe(v.keys.restrictedSensitive).fileLinks.create({ file: f.id, expires_at: now() + 10 }));
    assertStripeError(noFiles, { status: 403, message: /'rak_file_write' permission/ });
    const filesOnly = await stripeError(v.stripe(keys.filesWrite).fileLinks.create({ file: f.id, expires_at: now() + 10 }));
    assertStripeError(filesOnly, { status: 403, message: MSG.fileLinkNeedsSensitiveKey('selfie') });
  });

  it("keeps a 'recent results' key to the 48 hours after the verification, as for the other sensitive fields", async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const f = await sessionFile(v, s.id, 'selfie');
    await testHelper(stripe, s.id, 'verify');
    checkLink(await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30 }));
    v.clock.advance(49 * 3600 * 1000);
    const late = await stripeError(sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30 }));
    assertStripeError(late, { status: 403, message: /48 hours/ });
  });

  it('refuses a link to an identity_document and to an unknown file', async () => {
    const f = await upload(stripe, 'identity_document', SAMPLE.pdf, 'a.pdf', 'application/pdf');
    assertStripeError(await stripeError(sensitive.fileLinks.create({ file: f.id, expires_at: now() + 10 })), { status: 400, param: 'file', message: MSG.fileLinkPurpose('identity_document') });
    assertStripeError(await stripeError(sensitive.fileLinks.create({ file: 'file_nope', expires_at: now() + 10 })), { status: 404, code: 'resource_missing', param: 'file' });
  });

  it('stops serving a link once it expires', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.png, 'me.png', 'image/png');
    const l = await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 5 });
    assert.equal((await download(l.url!)).status, 200);
    v.clock.advance(5000);
    await assertGone(l.url!);
    const again = await stripe.fileLinks.retrieve(l.id);
    checkLink(again);
    assert.equal(again.expired, true, show(again));
  });

  it('answers unknown and forged tokens with the same plain 404', async () => {
    await assertGone(`${v.url}/links/fl_test_${'a'.repeat(48)}`);
    await assertGone(`${v.url}/links/nonsense`);
    await assertGone(`${v.url}/links/${'%00'.repeat(3)}`);
  });

  it("kills a redacted session's links at once, and refuses new ones; the contents are deleted", async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const f = await sessionFile(v, s.id, 'identity_document_downloadable');
    const l = await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30 });
    assert.equal((await download(l.url!)).status, 200);
    await stripe.identity.verificationSessions.redact(s.id);
    await assertGone(l.url!); // redaction started: already unreachable
    const refused = await stripeError(sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30 }));
    assertStripeError(refused, { status: 400, param: 'file', message: MSG.fileLinkFileRedacted(f.id) });
    v.clock.advance(v.deps.config.redactionDelayMs);
    await v.runJobs();
    assert.equal(await v.deps.blobs.get(f.id), undefined, 'the sealed contents are still stored');
    await assertGone(l.url!);
    assertStripeError(await stripeError(stripe.fileLinks.retrieve(l.id)), { status: 404 });
  });

  it('updates metadata, and expires a link with expires_at=now', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.jpg);
    const l = await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30, metadata: { a: '1', b: '2' } });
    const u = await sensitive.fileLinks.update(l.id, { metadata: { a: '', c: '3' } });
    checkLink(u);
    assert.deepEqual(u.metadata, { b: '2', c: '3' }, show(u));
    const shorter = await sensitive.fileLinks.update(l.id, { expires_at: now() + 10 });
    assert.equal(shorter.expires_at, now() + 10, show(shorter));
    const longer = await stripeError(sensitive.fileLinks.update(l.id, { expires_at: now() + 60 }));
    assertStripeError(longer, { status: 400, param: 'expires_at' });
    const never = await stripeError(sensitive.fileLinks.update(l.id, { expires_at: '' }));
    assertStripeError(never, { status: 400, param: 'expires_at' });
    const ended = await sensitive.fileLinks.update(l.id, { expires_at: 'now' });
    assert.equal(ended.expired, true, show(ended));
    await assertGone(l.url!);
    assertStripeError(await stripeError(sensitive.fileLinks.update(l.id, { expires_at: 'soon' as never })), { status: 400, param: 'expires_at' });
  });

  it('retrieves a link with the same url, and expands its file', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.jpg);
    const l = await sensitive.fileLinks.create({ file: f.id, expires_at: now() + 30 });
    const got = await stripe.fileLinks.retrieve(l.id);
    assert.deepEqual(got, l);
    const expanded = await stripe.fileLinks.retrieve(l.id, { expand: ['file'] });
    checkFile(expanded.file);
    assert.equal((expanded.file as Stripe.File).id, f.id, show(expanded));
    assertStripeError(await stripeError(stripe.fileLinks.retrieve('link_nope')), { status: 404, code: 'resource_missing' });
  });

  it('lists links, by file and by expired', async () => {
    const w = await startVerity();
    try {
      const k = await fileKeys(w);
      const s = w.stripe(k.filesSensitive);
      const t = () => Math.floor(w.clock.nowMs() / 1000);
      const f1 = await upload(w.stripe(), 'selfie', SAMPLE.jpg);
      const f2 = await upload(w.stripe(), 'selfie', SAMPLE.jpg);
      const a = await s.fileLinks.create({ file: f1.id, expires_at: t() + 5 });
      w.clock.advance(1000);
      const b = await s.fileLinks.create({ file: f1.id, expires_at: t() + 30 });
      w.clock.advance(1000);
      const c = await s.fileLinks.create({ file: f2.id, expires_at: t() + 30 });
      const all = await w.stripe().fileLinks.list();
      assert.equal(all.url, '/v1/file_links');
      all.data.forEach(checkLink);
      assert.deepEqual(all.data.map((x) => x.id), [c.id, b.id, a.id], show(all));
      assert.deepEqual((await w.stripe().fileLinks.list({ file: f1.id })).data.map((x) => x.id), [b.id, a.id]);
      w.clock.advance(5000);
      assert.deepEqual((await w.stripe().fileLinks.list({ expired: true })).data.map((x) => x.id), [a.id]);
      assert.deepEqual((await w.stripe().fileLinks.list({ expired: false })).data.map((x) => x.id), [c.id, b.id]);
      const page = await w.stripe().fileLinks.list({ limit: 1, starting_after: c.id });
      assert.deepEqual(page.data.map((x) => x.id), [b.id], show(page));
      assert.equal(page.has_more, true, show(page));
    } finally {
      await w.close();
    }
  });
});
