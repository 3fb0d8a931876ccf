import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEvent,
  checkEveryResponse,
  DAY_MS,
  eventsOf,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

type VS = Stripe.Identity.VerificationSession;
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('GET /v1/events/:id (retrieve)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  it('returns the created event, naming the create request and the idempotency key sent', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'idem-create-1' });
    const [listed] = await eventsOf(stripe, s.id);
    const e = await stripe.events.retrieve(listed.id);
    checkEvent(e);
    assert.equal(e.type, 'identity.verification_session.created', show(e));
    assert.deepEqual(e.request, { id: s.lastResponse.requestId, idempotency_key: 'idem-create-1' }, show(e));
    assert.equal(e.livemode, false, show(e));
    assert.equal(e.pending_webhooks, 0, show(e));
    assert.equal(e.api_version, v.deps.config.defaultApiVersion, show(e));
    assert.deepEqual(e.data.object, plain(s), show({ event: e, session: s }));
    assert.ok(Math.abs(e.created - s.created) <= 1, show({ event: e, session: s }));
  });

  it('renders the event in the API version the request named', async () => {
    const pinned = v.stripe(v.keys.test, { apiVersion: '2024-09-30.acacia' as Stripe.LatestApiVersion });
    const s = await pinned.identity.verificationSessions.create({ type: 'document' });
    const [e] = await eventsOf(stripe, s.id);
    assert.equal(e.api_version, '2024-09-30.acacia', show(e));
  });

  it('records processing and verified, each with the session as it was after the change', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const done = await testHelper(stripe, s.id, 'verify');
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['identity.verification_session.created', 'identity.verification_session.processing', 'identity.verification_session.verified'],
      show(evs),
    );
    const processing = (await stripe.events.retrieve(evs[1].id)).data.object as VS;
    const verified = await stripe.events.retrieve(evs[2].id);
    checkEvent(verified);
    assert.equal(processing.status, 'processing', show(processing));
    assert.equal(processing.client_secret, null, show(processing));
    assert.equal(processing.url, null, show(processing));
    assert.equal(processing.last_verification_report, null, show(processing));
    assert.deepEqual(verified.data.object, plain(done), `the verified snapshot is the helper's response:\n${show({ verified, done })}`);
    assert.equal(verified.request?.id, done.lastResponse.requestId, show(verified));
  });

  it('records requires_input with last_error, the new report and a fresh client_secret after a failed check', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const failed = await testHelper(stripe, s.id, 'unverify', { last_error: { code: 'document_expired' } });
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      [
        'identity.verification_session.created',
        'identity.verification_session.processing',
        'identity.verification_session.requires_input',
      ],
      show(evs),
    );
    const e = await stripe.events.retrieve(evs[2].id);
    checkEvent(e);
    const obj = e.data.object as VS;
    assert.deepEqual(obj.last_error, { code: 'document_expired', reason: 'The document is expired.' }, show(e));
    assert.equal(obj.status, 'requires_input', show(e));
    assert.equal(obj.last_verification_report, failed.last_verification_report, show({ e, failed }));
    assert.equal(obj.client_secret, failed.client_secret, show({ e, failed }));
    assert.notEqual(obj.client_secret, s.client_secret, show({ e, s }));
  });

  it('records the outcome of a delayed submission as an automatic event (no request)', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    const evs = await eventsOf(stripe, s.id);
    const e = await stripe.events.retrieve(evs.at(-1)!.id);
    checkEvent(e);
    assert.equal(e.type, 'identity.verification_session.verified', show(evs));
    assert.deepEqual(e.request, { id: null, idempotency_key: null }, show(e));
    assert.equal((e.data.object as VS).status, 'verified', show(e));
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(stripe.events.retrieve('evt_doesnotexist'));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id', message: "No such event: 'evt_doesnotexist'" });
  });

  it('hides a live event from a test key, saying a similar object exists in live mode', async () => {
    const live = v.stripe(v.keys.live);
    const s = await live.identity.verificationSessions.create({ type: 'document' });
    const [e] = await eventsOf(live, s.id);
    assert.equal(e.livemode, true, show(e));
    const err = await stripeError(stripe.events.retrieve(e.id));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      message: `No such event: '${e.id}'; a similar object exists in live mode, but a test mode key was used to make this request.`,
    });
  });

  it('keeps events retrievable for 30 days and no longer', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const [e] = await eventsOf(stripe, s.id);
    v.clock.advance(30 * DAY_MS - 1000);
    const still = await stripe.events.retrieve(e.id);
    assert.equal(still.id, e.id, show(still));
    v.clock.advance(2000);
    const err = await stripeError(stripe.events.retrieve(e.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: `No such event: '${e.id}'` });
  });

  it('is refused to a restricted key without the event permission', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const [e] = await eventsOf(stripe, s.id);
    const err = await stripeError(v.stripe(v.keys.restrictedRead).events.retrieve(e.id));
    assertStripeError(err, { status: 403, message: /rak_event_read/ });
  });
});
