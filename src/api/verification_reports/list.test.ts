import assert from 'node:assert/strict';
import { type TestContext, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEveryResponse,
  checkReportList,
  liveSessionWithReport,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

/** Each scenario gets its own server: lists see every report of a mode. */
async function fresh(t: TestContext): Promise<{ v: Verity; stripe: Stripe }> {
  const v = checkEveryResponse(await startVerity());
  t.after(() => v.close());
  return { v, stripe: v.stripe() };
}

/** Creates and verifies a session; returns its report id. */
async function verifiedReport(stripe: Stripe, params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }): Promise<string> {
  const s = await stripe.identity.verificationSessions.create(params);
  const done = await testHelper(stripe, s.id, 'verify');
  return done.last_verification_report as string;
}

const ids = (l: { data: { id: string }[] }) => l.data.map((x) => x.id);

describe('GET /v1/identity/verification_reports (list)', () => {
  it('returns 10 reports by default, newest first, with has_more', async (t) => {
    const { stripe } = await fresh(t);
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push(await verifiedReport(stripe));
    const l = await stripe.identity.verificationReports.list();
    checkReportList(l);
    assert.equal(l.data.length, 10, show(l));
    assert.equal(l.has_more, true, show(l));
    assert.deepEqual(ids(l), made.slice(-10).reverse(), show(l));
  });

  it('refuses limit 0 and limit 101', async (t) => {
    const { stripe } = await fresh(t);
    assertStripeError(await stripeError(stripe.identity.verificationReports.list({ limit: 0 })), { status: 400, param: 'limit' });
    assertStripeError(await stripeError(stripe.identity.verificationReports.list({ limit: 101 })), { status: 400, param: 'limit' });
  });

  it('pages with starting_after and ending_before, and auto-pages with no duplicates', async (t) => {
    const { stripe } = await fresh(t);
    const newestFirst: string[] = [];
    for (let i = 0; i < 7; i++) newestFirst.unshift(await verifiedReport(stripe));
    const older = await stripe.identity.verificationReports.list({ limit: 3, starting_after: newestFirst[2] });
    checkReportList(older);
    assert.deepEqual(ids(older), newestFirst.slice(3, 6), show(older));
    const newer = await stripe.identity.verificationReports.list({ limit: 3, ending_before: newestFirst[4] });
    checkReportList(newer);
    assert.deepEqual(ids(newer), newestFirst.slice(1, 4), show(newer));
    const all = await stripe.identity.verificationReports.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    assert.deepEqual(all.map((r) => r.id), newestFirst, show(all.map((r) => r.id)));
  });

  it('filters by verification_session: every attempt of that session, newest first', async (t) => {
    const { stripe } = await fresh(t);
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const failed = await testHelper(stripe, s.id, 'unverify');
    const passed = await testHelper(stripe, s.id, 'verify');
    await verifiedReport(stripe);
    const l = await stripe.identity.verificationReports.list({ verification_session: s.id });
    checkReportList(l);
    assert.deepEqual(ids(l), [passed.last_verification_report, failed.last_verification_report], show(l));
  });

  it('filters by type', async (t) => {
    const { stripe } = await fresh(t);
    const doc = await verifiedReport(stripe, { type: 'document' });
    const idn = await verifiedReport(stripe, { type: 'id_number' });
    const docs = await stripe.identity.verificationReports.list({ type: 'document' });
    checkReportList(docs);
    assert.deepEqual(ids(docs), [doc], show(docs));
    const idns = await stripe.identity.verificationReports.list({ type: 'id_number' });
    checkReportList(idns);
    assert.deepEqual(ids(idns), [idn], show(idns));
  });

  it('refuses a type other than document or id_number', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationReports.list({ type: 'selfie' as 'document' }));
    assertStripeError(err, { status: 400, param: 'type' });
  });

  it('filters by client_reference_id', async (t) => {
    const { stripe } = await fresh(t);
    const mine = await verifiedReport(stripe, { type: 'document', client_reference_id: 'user_1' });
    await verifiedReport(stripe, { type: 'document', client_reference_id: 'user_2' });
    const l = await stripe.identity.verificationReports.list({ client_reference_id: 'user_1' });
    checkReportList(l);
    assert.deepEqual(ids(l), [mine], show(l));
  });

  it('filters by created: exact second and bounds', async (t) => {
    const { v, stripe } = await fresh(t);
    const a = await verifiedReport(stripe);
    v.clock.advance(10_000);
    const b = await verifiedReport(stripe);
    v.clock.advance(10_000);
    const c = await verifiedReport(stripe);
    const created = (await stripe.identity.verificationReports.retrieve(b)).created;
    const cases: [Stripe.RangeQueryParam | number, string[]][] = [
      [created, [b]],
      [{ gt: created }, [c]],
      [{ gte: created }, [c, b]],
      [{ lt: created }, [a]],
      [{ lte: created }, [b, a]],
    ];
    for (const [filter, want] of cases) {
      const l = await stripe.identity.verificationReports.list({ created: filter });
      checkReportList(l);
      assert.deepEqual(ids(l), want, `created=${JSON.stringify(filter)}:\n${show(l)}`);
    }
  });

  it('lists no report for a failure before submission (consent declined)', async (t) => {
    const { stripe } = await fresh(t);
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'consent_declined' } });
    const l = await stripe.identity.verificationReports.list({ verification_session: s.id });
    checkReportList(l);
    assert.deepEqual(l.data, [], show(l));
  });

  it('lists only the reports of the key’s mode', async (t) => {
    const { v, stripe } = await fresh(t);
    const test = await verifiedReport(stripe);
    const { reportId: live } = await liveSessionWithReport(v);
    const lt = await stripe.identity.verificationReports.list();
    checkReportList(lt);
    assert.deepEqual(ids(lt), [test], show(lt));
    const ll = await v.stripe(v.keys.live).identity.verificationReports.list();
    checkReportList(ll);
    assert.deepEqual(ids(ll), [live], show(ll));
  });

  it('expands data.document.number for a sensitive restricted key, and refuses it to a secret key', async (t) => {
    const { v, stripe } = await fresh(t);
    await verifiedReport(stripe);
    const l = await v.stripe(v.keys.restrictedSensitive).identity.verificationReports.list({ expand: ['data.document.number'] });
    checkReportList(l);
    assert.equal(l.data[0].document?.number, '000000000', show(l));
    const err = await stripeError(stripe.identity.verificationReports.list({ expand: ['data.document.number'] }));
    assertStripeError(err, { status: 403, message: /data\.document\.number/ });
  });

  it('refuses an expand path without the data. prefix', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationReports.list({ expand: ['document.number'] }));
    assertStripeError(err, { status: 400, param: 'expand' });
  });
});
