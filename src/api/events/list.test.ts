import assert from 'node:assert/strict';
import { type TestContext, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEventList,
  checkEveryResponse,
  DAY_MS,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

/** Each scenario gets its own server: the Events API lists every event of a mode. */
async function fresh(t: TestContext): Promise<{ v: Verity; stripe: Stripe }> {
  const v = checkEveryResponse(await startVerity());
  t.after(() => v.close());
  return { v, stripe: v.stripe() };
}

const types = (l: { data: Stripe.Event[] }) => l.data.map((e) => e.type);

/** One session through created → processing → verified, and one through created → canceled. */
async function someHistory(stripe: Stripe): Promise<void> {
  const a = await stripe.identity.verificationSessions.create({ type: 'document' });
  await testHelper(stripe, a.id, 'verify');
  const b = await stripe.identity.verificationSessions.create({ type: 'document' });
  await stripe.identity.verificationSessions.cancel(b.id);
}

describe('GET /v1/events (list)', () => {
  it('lists events newest first, 10 by default, with has_more', async (t) => {
    const { v, stripe } = await fresh(t);
    for (let i = 0; i < 12; i++) {
      await stripe.identity.verificationSessions.create({ type: 'document', metadata: { i: String(i) } });
      v.clock.advance(1000);
    }
    const l = await stripe.events.list();
    checkEventList(l);
    assert.equal(l.data.length, 10, show(l));
    assert.equal(l.has_more, true, show(l));
    const order = l.data.map((e) => Number((e.data.object as Stripe.Identity.VerificationSession).metadata.i));
    assert.deepEqual(order, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2], show(l));
  });

  it('orders events of the same second by when they happened', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const l = await stripe.events.list();
    checkEventList(l);
    assert.deepEqual(
      types(l),
      [
        'identity.verification_session.canceled',
        'identity.verification_session.created',
        'identity.verification_session.verified',
        'identity.verification_session.processing',
        'identity.verification_session.created',
      ],
      show(l),
    );
  });

  it('filters by an exact type', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const l = await stripe.events.list({ type: 'identity.verification_session.created' });
    checkEventList(l);
    assert.deepEqual(types(l), ['identity.verification_session.created', 'identity.verification_session.created'], show(l));
  });

  it('filters by a trailing wildcard: identity.* matches every identity event, invoice.* none', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const identity = await stripe.events.list({ type: 'identity.*' });
    checkEventList(identity);
    assert.equal(identity.data.length, 5, show(identity));
    const sessions = await stripe.events.list({ type: 'identity.verification_session.*' });
    assert.equal(sessions.data.length, 5, show(sessions));
    const invoices = await stripe.events.list({ type: 'invoice.*' });
    checkEventList(invoices);
    assert.deepEqual(invoices.data, [], show(invoices));
  });

  it('treats _ in a wildcard prefix literally', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const l = await stripe.events.list({ type: 'identity.verification_sessio_*' });
    assert.deepEqual(l.data, [], show(l));
  });

  it('refuses a wildcard that is not at the end', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(stripe.events.list({ type: 'identity.*.created' }));
    assertStripeError(err, { status: 400, param: 'type' });
  });

  it('filters by a list of types', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const l = await stripe.events.list({
      types: ['identity.verification_session.verified', 'identity.verification_session.canceled'],
    });
    checkEventList(l);
    assert.deepEqual(types(l), ['identity.verification_session.canceled', 'identity.verification_session.verified'], show(l));
  });

  it('accepts 20 types and refuses 21', async (t) => {
    const { stripe } = await fresh(t);
    await someHistory(stripe);
    const twenty = Array.from({ length: 19 }, (_, i) => `identity.other_${i}`).concat('identity.verification_session.created');
    const ok = await stripe.events.list({ types: twenty });
    checkEventList(ok);
    assert.equal(ok.data.length, 2, show(ok));
    const err = await stripeError(stripe.events.list({ types: [...twenty, 'identity.verification_session.verified'] }));
    assertStripeError(err, { status: 400, param: 'types' });
  });

  it('refuses type and types together', async (t) => {
    const { stripe } = await fresh(t);
    const err = await stripeError(
      stripe.events.list({ type: 'identity.*', types: ['identity.verification_session.created'] }),
    );
    assertStripeError(err, { status: 400, message: 'You may only specify one of these parameters: type, types.' });
  });

  it('filters by created', async (t) => {
    const { v, stripe } = await fresh(t);
    await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(10_000);
    const later = await stripe.identity.verificationSessions.create({ type: 'document' });
    const l = await stripe.events.list({ created: { gte: later.created } });
    checkEventList(l);
    assert.deepEqual(l.data.map((e) => (e.data.object as Stripe.Identity.VerificationSession).id), [later.id], show(l));
    const exact = await stripe.events.list({ created: later.created - 10 });
    assert.equal(exact.data.length, 1, show(exact));
    assert.notEqual((exact.data[0].data.object as Stripe.Identity.VerificationSession).id, later.id, show(exact));
  });

  it('pages with starting_after and auto-pages with no duplicates', async (t) => {
    const { stripe } = await fresh(t);
    for (let i = 0; i < 4; i++) await someHistory(stripe);
    const all = await stripe.events.list({ limit: 3 }).autoPagingToArray({ limit: 1000 });
    assert.equal(all.length, 20, show(all.map((e) => e.id)));
    assert.equal(new Set(all.map((e) => e.id)).size, 20, show(all.map((e) => e.id)));
    const page = await stripe.events.list({ limit: 5, starting_after: all[4].id });
    checkEventList(page);
    assert.deepEqual(page.data.map((e) => e.id), all.slice(5, 10).map((e) => e.id), show(page));
    const back = await stripe.events.list({ limit: 5, ending_before: all[10].id });
    assert.deepEqual(back.data.map((e) => e.id), all.slice(5, 10).map((e) => e.id), show(back));
  });

  it('lists only the last 30 days', async (t) => {
    const { v, stripe } = await fresh(t);
    const old = await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(20 * DAY_MS);
    const recent = await stripe.identity.verificationSessions.create({ type: 'document' });
    v.clock.advance(10 * DAY_MS + 1000);
    const l = await stripe.events.list();
    checkEventList(l);
    const objects = l.data.map((e) => (e.data.object as Stripe.Identity.VerificationSession).id);
    assert.deepEqual(objects, [recent.id], `the event of ${old.id} is older than 30 days:\n${show(l)}`);
  });

  it('lists only the events of the key’s mode', async (t) => {
    const { v, stripe } = await fresh(t);
    const test = await stripe.identity.verificationSessions.create({ type: 'document' });
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const lt = await stripe.events.list();
    assert.deepEqual(lt.data.map((e) => (e.data.object as Stripe.Identity.VerificationSession).id), [test.id], show(lt));
    const ll = await v.stripe(v.keys.live).events.list();
    checkEventList(ll);
    assert.deepEqual(ll.data.map((e) => (e.data.object as Stripe.Identity.VerificationSession).id), [live.id], show(ll));
    assert.equal(ll.data[0].livemode, true, show(ll));
  });

  it('refuses limit 0 and limit 101', async (t) => {
    const { stripe } = await fresh(t);
    assertStripeError(await stripeError(stripe.events.list({ limit: 0 })), { status: 400, param: 'limit' });
    assertStripeError(await stripeError(stripe.events.list({ limit: 101 })), { status: 400, param: 'limit' });
  });
});
