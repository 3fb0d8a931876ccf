import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { describeResponse, startVerity, type Verity } from '../../../test/harness.js';
import { assertStripeError, show, stripeError } from '../../../test/identity.js';
import { MSG } from '../stripe/errors.js';
import { SAMPLE, checkFile, fileKeys, sessionFile, upload } from './testkit.js';

describe('GET /v1/files/:file, GET /v1/files (list), GET /v1/files/:file/contents', () => {
  let v: Verity;
  let stripe: Stripe;
  let keys: Awaited<ReturnType<typeof fileKeys>>;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    keys = await fileKeys(v);
  });
  after(() => v.close());

  it('retrieves a file as it was created', async () => {
    const made = await upload(stripe, 'identity_document', SAMPLE.png, 'scan.png', 'image/png');
    const got = await stripe.files.retrieve(made.id);
    checkFile(got);
    assert.deepEqual(got, made);
  });

  it('answers 404 for an unknown file, naming the other mode for a file of the other mode', async () => {
    assertStripeError(await stripeError(stripe.files.retrieve('file_nope')), { status: 404, code: 'resource_missing', param: 'id', message: MSG.noSuch('file', 'file_nope') });
    const live = await upload(v.stripe(v.keys.live), 'selfie', SAMPLE.jpg);
    assertStripeError(await stripeError(stripe.files.retrieve(live.id)), { status: 404, message: MSG.otherMode('file', live.id, 'live') });
  });

  it('lets a restricted key with Files read or write retrieve, and not one without', async () => {
    const f = await upload(stripe, 'selfie', SAMPLE.jpg);
    checkFile(await v.stripe(keys.filesRead).files.retrieve(f.id));
    checkFile(await v.stripe(keys.filesWrite).files.retrieve(f.id));
    assertStripeError(await stripeError(v.stripe(v.keys.restrictedNone).files.retrieve(f.id)), { status: 403, message: /'rak_file_read' permission/ });
  });

  it('downloads the contents of an identity_document with the secret key, with safe headers', async () => {
    const f = await upload(stripe, 'identity_document', SAMPLE.pdf, 'passport "scan".pdf', 'application/pdf');
    const res = await v.fetch(`/v1/files/${f.id}/contents`);
    assert.equal(res.status, 200, await describeResponse(res));
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="passport _scan_.pdf"/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), SAMPLE.pdf);
  });

  it('refuses the contents of identity images to an API key: they are reached through FileLinks', async () => {
    for (const purpose of ['identity_document_downloadable', 'selfie'] as const) {
      const f = await upload(stripe, purpose, SAMPLE.jpg);
      for (const key of [v.keys.test, keys.filesSensitive]) {
        const res = await v.fetch(`/v1/files/${f.id}/contents`, { key });
        assert.equal(res.status, 403, await describeResponse(res));
        assert.equal((await res.json()).error.message, MSG.fileContentsViaLinkOnly(purpose));
      }
    }
  });

  it('has no contents for a file of a redacted session', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const f = await sessionFile(v, s.id, 'identity_document');
    assert.equal((await v.fetch(`/v1/files/${f.id}/contents`)).status, 200);
    await stripe.identity.verificationSessions.redact(s.id);
    const res = await v.fetch(`/v1/files/${f.id}/contents`);
    assert.equal(res.status, 400, await describeResponse(res));
    assert.equal((await res.json()).error.message, MSG.fileContentsUnavailable(f.id));
  });

  describe('list', () => {
    let w: Verity;
    let made: Stripe.File[];
    before(async () => {
      w = await startVerity();
      made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await upload(w.stripe(), i % 2 ? 'selfie' : 'identity_document', SAMPLE.jpg));
        w.clock.advance(1000);
      }
    });
    after(() => w.close());

    it('lists newest first in the list envelope', async () => {
      const l = await w.stripe().files.list();
      assert.deepEqual(Object.keys(l), ['object', 'data', 'has_more', 'url'], show(l));
      assert.equal(l.url, '/v1/files');
      l.data.forEach(checkFile);
      assert.deepEqual(l.data.map((f) => f.id), made.map((f) => f.id).reverse(), show(l));
    });

    it('pages with limit and starting_after / ending_before', async () => {
      const p1 = await w.stripe().files.list({ limit: 2 });
      assert.equal(p1.has_more, true, show(p1));
      const p2 = await w.stripe().files.list({ limit: 2, starting_after: p1.data[1].id });
      assert.deepEqual(p2.data.map((f) => f.id), [made[2].id, made[1].id], show(p2));
      const back = await w.stripe().files.list({ limit: 2, ending_before: p2.data[0].id });
      assert.deepEqual(back.data.map((f) => f.id), p1.data.map((f) => f.id), show(back));
      const all = [];
      for await (const f of w.stripe().files.list({ limit: 2 })) all.push(f.id);
      assert.deepEqual(all, made.map((f) => f.id).reverse());
    });

    it('filters by purpose and created', async () => {
      const selfies = await w.stripe().files.list({ purpose: 'selfie' });
      assert.deepEqual(selfies.data.map((f) => f.id), [made[3].id, made[1].id], show(selfies));
      const recent = await w.stripe().files.list({ created: { gte: made[3].created } });
      assert.deepEqual(recent.data.map((f) => f.id), [made[4].id, made[3].id], show(recent));
    });

    it('refuses an unknown cursor and an unknown purpose', async () => {
      assertStripeError(await stripeError(w.stripe().files.list({ starting_after: 'file_nope' })), { status: 404, param: 'starting_after' });
      assertStripeError(await stripeError(w.stripe().files.list({ purpose: 'dispute_evidence' })), { status: 400, param: 'purpose' });
    });
  });
});
