import assert from 'node:assert/strict';
import { type TestContext, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEveryResponse,
  checkSessionList,
  HOUR_MS,
  type Report,
  type Session,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

/** Each scenario gets its own server: lists see every session of a mode. */
async function fresh(t: TestContext): Promise<{ v: Verity; stripe: Stripe }> {
  const v = checkEveryResponse(await startVerity());
  t.after(() => v.close());
  return { v, stripe: v.stripe() };
}

/** n sessions created in order (all in the same second unless the clock moves); returns them oldest first. */
async function createMany(stripe: Stripe, n: number, params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n; i++) out.push(await stripe.identity.verificationSessions.create({ ...params, metadata: { i: String(i) } }));
  return out;
}

const ids = (l: { data: { id: string }[] }) => l.data.map((x) => x.id);

describe('GET /v1/identity/verification_sessions (list)', () => {
  it('returns 10 sessions by default, newest first, with has_more', async (t) => {
    const { v, stripe } = await fresh(t);
    const made = [];
    for (let i = 0; i < 25; i++) {
      made.push(await stripe.identity.verificationSessions.create({ type: 'document' }));
      v.clock.advance(1000);
    }
    const l = await stripe.identity.verificationSessions.list();
    checkSessionList(l);
    assert.equal(l.data.length, 10, show(l));
    assert.equal(l.has_more, true, show(l));
    assert.deepEqual(ids(l), made.slice(-10).reverse().map((s) => s.id), show(l));
    for (let i = 1; i < l.data.length; i++) assert.ok(l.data[i - 1].created > l.data[i].created, show(l));
  });

  it('says has_more false on the last page', async (t) => {
    const { stripe } = await fresh(t);
    await createMany(stripe, 3);
    const l = await stripe.identity.verificationSessions.list({ limit: 3 });
    checkSessionList(l);
    assert.equal(l.data.length, 3, show(l));
    assert.equal(l.has_more, false, show(l));
  });

  it('orders sessions created in the same second newest first, the same way every time', async (t) => {
    const { stripe } = await fresh(t);
    const made = await createMany(stripe, 12);
    assert.ok(made.every((s) => s.created === made[0].created), `the clock did not move, so all share one second:\n${show(made)}`);
    const a = await stripe.identity.verificationSessions.list({ limit: 100 });
    const b = await stripe.identity.verificationSessions.list({ limit: 100 });
    checkSessionList(a);
    assert.deepEqual(ids(a), made.map((s) => s.id).reverse(), show(a));
    assert.deepEqual(ids(b), ids(a), show({ a, b }));
  });

  it('accepts limit 1 and limit 100', async (t) => {
    const { stripe } = await fresh(t);
    await createMany(stripe, 3);
    const one = await stripe.identity.verificationSessions.list({ limit: 1 });
    checkSessionList(one);
    assert.equal(one.data.length, 1, show(one));
    assert.equal(one.has_more, true, show(one));
    const hundred = await stripe.identity.verificationSessions.list({ limit: 100 });
    checkSessionList(hundred);
    assert.equal(hundred.data.length, 3, show(hundred));
  });

  it('refuses limit 0 and limit 101', async (t) => {
    const { stripe } = await fresh(t);
    assertStripeError(await stripeError(stripe.identity.verificationSessions.list({ limit: 0 })), { status: 400, param: 'limit' });
    assertStripeError(await stripeError(stripe.identity.verificationSessions.list({ limit: 101 })), { status: 400, param: 'limit' });
  });

  it('pages with starting_after (older) and ending_before (newer), both newest first', async (t) => {
    const { stripe } = await fresh(t);
    const newestFirst = (await createMany(stripe, 25)).reverse().map((s) => s.id);
    const after10 = await stripe.identity.verificationSessions.list({ starting_after: newestFirst[9] });
    checkSessionList(after10);
    assert.deepEqual(ids(after10), newestFirst.slice(10, 20), show(after10));
    assert.equal(after10.has_more, true, show(after10));
    const before11 = await stripe.identity.verificationSessions.list({ ending_before: newestFirst[10] });
    checkSessionList(before11);
    assert.deepEqual(ids(before11), newestFirst.slice(0, 10), show(before11));
    const tail = await stripe.identity.verificationSessions.list({ starting_after: newestFirst[19] });
    assert.deepEqual(ids(tail), newestFirst.slice(20), show(tail));
    assert.equal(tail.has_more, false, show(tail));
  });

  it('reports has_more on an ending_before page when newer sessions remain', async (t) => {
    const { stripe } = await fresh(t);
    const newestFirst = (await createMany(stripe, 8)).reverse().map((s) => s.id);
    const page = await stripe.identity.verificationSessions.list({ ending_before: newestFirst[7], limit: 3 });
    checkSessionList(page);
    assert.deepEqual(ids(page), newestFirst.slice(4, 7), show(page));
    assert.equal(page.has_more, true, show(page));
  });

  it('refuses starting_after together with ending_before', async (t) => {
    const { stripe } = await fresh(t);
    const [a, b] = await createMany(stripe, 2);
    const err = await stripeError(stripe.identity.verificationSessions.list({ starting_after: a.id, ending_before: b.id }));
    assertStripeError(err, { status: 400 });
  });

  it('answers a cursor that names no session with resource_missing', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationSessions.list({ starting_after: 'vs_doesnotexist' }));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('auto-pages through 25 sessions with no duplicates and none missing', async (t) => {
    const { stripe } = await fresh(t);
    const made = await createMany(stripe, 25);
    const all = await stripe.identity.verificationSessions.list({ limit: 10 }).autoPagingToArray({ limit: 1000 });
    assert.equal(all.length, 25, show(all.map((s) => s.id)));
    assert.equal(new Set(all.map((s) => s.id)).size, 25, show(all.map((s) => s.id)));
    assert.deepEqual(all.map((s) => s.id), made.map((s) => s.id).reverse(), show(all.map((s) => s.id)));
  });

  it('auto-pages backwards from ending_before to the newest session', async (t) => {
    const { stripe } = await fresh(t);
    const made = await createMany(stripe, 13);
    const all = await stripe.identity.verificationSessions.list({ limit: 5, ending_before: made[0].id }).autoPagingToArray({ limit: 1000 });
    assert.equal(all.length, 12, show(all.map((s) => s.id)));
    assert.deepEqual(new Set(all.map((s) => s.id)), new Set(made.slice(1).map((s) => s.id)), show(all.map((s) => s.id)));
  });

  it('filters by status', async (t) => {
    const { stripe } = await fresh(t);
    const [open, processing, verified, canceled] = await createMany(stripe, 4);
    await testHelper(stripe, processing.id, 'verify', { simulate_delay: true });
    await testHelper(stripe, verified.id, 'verify');
    await stripe.identity.verificationSessions.cancel(canceled.id);
    for (const [status, s] of [
      ['requires_input', open],
      ['processing', processing],
      ['verified', verified],
      ['canceled', canceled],
    ] as const) {
      const l = await stripe.identity.verificationSessions.list({ status });
      checkSessionList(l);
      assert.deepEqual(ids(l), [s.id], `status=${status}:\n${show(l)}`);
    }
  });

  it('refuses an unknown status', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationSessions.list({ status: 'done' as 'verified' }));
    assertStripeError(err, { status: 400, param: 'status' });
  });

  it('filters by client_reference_id', async (t) => {
    const { stripe } = await fresh(t);
    const a = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'user_a' });
    await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'user_b' });
    await stripe.identity.verificationSessions.create({ type: 'document' });
    const l = await stripe.identity.verificationSessions.list({ client_reference_id: 'user_a' });
    checkSessionList(l);
    assert.deepEqual(ids(l), [a.id], show(l));
  });

  it('filters by related_customer and by related_customer_account', async (t) => {
    const { stripe } = await fresh(t);
    const c = await stripe.identity.verificationSessions.create({ type: 'document', related_customer: 'cus_A' });
    const acct = await stripe.identity.verificationSessions.create({ type: 'document', related_customer_account: 'acct_A' });
    await stripe.identity.verificationSessions.create({ type: 'document', related_customer: 'cus_B', related_customer_account: 'acct_B' });
    const byCustomer = await stripe.identity.verificationSessions.list({ related_customer: 'cus_A' });
    checkSessionList(byCustomer);
    assert.deepEqual(ids(byCustomer), [c.id], show(byCustomer));
    const byAccount = await stripe.identity.verificationSessions.list({ related_customer_account: 'acct_A' });
    checkSessionList(byAccount);
    assert.deepEqual(ids(byAccount), [acct.id], show(byAccount));
  });

  it('filters by created: an exact second, and gt/gte/lt/lte bounds as named', async (t) => {
    const { v, stripe } = await fresh(t);
    const a = await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(10_000);
    const b = await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(10_000);
    const c = await stripe.identity.verificationSessions.create({ type: 'document' });
    const cases: [Stripe.RangeQueryParam | number, string[]][] = [
      [b.created, [b.id]],
      [{ gt: b.created }, [c.id]],
      [{ gte: b.created }, [c.id, b.id]],
      [{ lt: b.created }, [a.id]],
      [{ lte: b.created }, [b.id, a.id]],
      [{ gt: a.created, lt: c.created }, [b.id]],
      [{ gte: a.created, lte: c.created }, [c.id, b.id, a.id]],
    ];
    for (const [created, want] of cases) {
      const l = await stripe.identity.verificationSessions.list({ created });
      checkSessionList(l);
      assert.deepEqual(ids(l), want, `created=${JSON.stringify(created)}:\n${show(l)}`);
    }
  });

  it('refuses an unknown created bound', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationSessions.list({ created: { after: 1 } as Stripe.RangeQueryParam }));
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'created[after]' });
  });

  it('expands data.last_verification_report in every item', async (t) => {
    const { stripe } = await fresh(t);
    const [a, b] = await createMany(stripe, 2);
    await testHelper(stripe, a.id, 'verify');
    const l = await stripe.identity.verificationSessions.list({ expand: ['data.last_verification_report'] });
    checkSessionList(l);
    const byId = new Map(l.data.map((s) => [s.id, s]));
    const rep = byId.get(a.id)!.last_verification_report as Report;
    assert.equal(rep.object, 'identity.verification_report', show(l));
    assert.equal(rep.verification_session, a.id, show(l));
    assert.equal(byId.get(b.id)!.last_verification_report, null, show(l));
    const plain = await stripe.identity.verificationSessions.list();
    assert.equal(typeof plain.data.find((s) => s.id === a.id)!.last_verification_report, 'string', show(plain));
  });

  it('refuses an expand path without the data. prefix', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.identity.verificationSessions.list({ expand: ['last_verification_report'] }));
    assertStripeError(err, { status: 400, param: 'expand' });
  });

  it('includes data.verified_outputs, and refuses data.verified_outputs.dob to a secret key', async (t) => {
    const { stripe } = await fresh(t);
    const [s] = await createMany(stripe, 1);
    await testHelper(stripe, s.id, 'verify');
    const l = await stripe.identity.verificationSessions.list({ expand: ['data.verified_outputs'] });
    checkSessionList(l);
    assert.equal(l.data[0].verified_outputs?.first_name, 'Jenny', show(l));
    const err = await stripeError(stripe.identity.verificationSessions.list({ expand: ['data.verified_outputs.dob'] }));
    assertStripeError(err, { status: 403, message: /data\.verified_outputs\.dob/ });
  });

  it('lists only the sessions of the key’s mode', async (t) => {
    const { v, stripe } = await fresh(t);
    const test = await stripe.identity.verificationSessions.create({ type: 'document' });
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const lt = await stripe.identity.verificationSessions.list();
    checkSessionList(lt);
    assert.deepEqual(ids(lt), [test.id], show(lt));
    const ll = await v.stripe(v.keys.live).identity.verificationSessions.list();
    checkSessionList(ll);
    assert.deepEqual(ids(ll), [live.id], show(ll));
  });

  it('refuses a live session id as a cursor for a test key', async (t) => {
    const { v, stripe } = await fresh(t);
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(stripe.identity.verificationSessions.list({ starting_after: live.id }));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('does not mint secrets: an expired client_secret lists as null while the url is still valid', async (t) => {
    const { v, stripe } = await fresh(t);
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(24 * HOUR_MS + 1000);
    const l = await stripe.identity.verificationSessions.list();
    checkSessionList(l);
    assert.equal(l.data[0].client_secret, null, show(l));
    assert.equal(l.data[0].url, s.url, show(l));
  });
});
