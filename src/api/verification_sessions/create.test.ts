import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, describeResponse, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEvent,
  checkEveryResponse,
  checkSession,
  eventsOf,
  show,
  stripeError,
} from '../../../test/identity.js';

describe('POST /v1/identity/verification_sessions (create)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  it('creates a document session in requires_input with every field at its starting value', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    checkSession(s);
    const now = Math.floor(v.clock.nowMs() / 1000);
    assert.match(s.id, /^vs_[A-Za-z0-9]{24}$/, show(s));
    assert.ok(Math.abs(s.created - now) <= 5, show(s));
    assert.deepEqual(
      {
        object: s.object,
        status: s.status,
        type: s.type,
        livemode: s.livemode,
        client_reference_id: s.client_reference_id,
        last_error: s.last_error,
        last_verification_report: s.last_verification_report,
        metadata: s.metadata,
        options: s.options,
        provided_details: s.provided_details,
        redaction: s.redaction,
        related_customer: s.related_customer,
        related_customer_account: s.related_customer_account,
      },
      {
        object: 'identity.verification_session',
        status: 'requires_input',
        type: 'document',
        livemode: false,
        client_reference_id: null,
        last_error: null,
        last_verification_report: null,
        metadata: {},
        options: { document: {} },
        provided_details: null,
        redaction: null,
        related_customer: null,
        related_customer_account: null,
      },
      show(s),
    );
    assert.ok(!('related_person' in s), `related_person is absent when not set:\n${show(s)}`);
    assert.ok(!('verification_flow' in s), `verification_flow is absent when not set:\n${show(s)}`);
    assert.ok(!('verified_outputs' in s), `verified_outputs is not included unless expanded:\n${show(s)}`);
    assert.match(s.client_secret ?? '', new RegExp(`^${s.id}_secret_test_[A-Za-z0-9]+$`), show(s));
    assert.match(s.url ?? '', new RegExp(`^${v.url}/verify/test_[A-Za-z0-9]+$`), show(s));
  });

  it('creates an id_number session whose options name the id_number check', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    checkSession(s);
    assert.equal(s.type, 'id_number', show(s));
    assert.deepEqual(s.options, { id_number: {} }, show(s));
  });

  it('refuses a type other than document or id_number', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({ type: 'passport' as 'document' }));
    assertStripeError(err, { status: 400, param: 'type', message: /^Invalid type: must be one of document or id_number/ });
  });

  it('refuses type=verification_flow, which only a flow can set', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({ type: 'verification_flow' as 'document' }));
    assertStripeError(err, { status: 400, param: 'type' });
  });

  it('keeps client_reference_id', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'user_42' });
    checkSession(s);
    assert.equal(s.client_reference_id, 'user_42', show(s));
  });

  it('stores metadata values as strings', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      metadata: { order: '1234', count: 7 as unknown as string, flag: true as unknown as string },
    });
    checkSession(s);
    assert.deepEqual(s.metadata, { order: '1234', count: '7', flag: 'true' }, show(s));
  });

  it('drops a metadata key given an empty value at creation (nothing to unset yet)', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { keep: 'x', drop: '' } });
    checkSession(s);
    assert.deepEqual(s.metadata, { keep: 'x' }, show(s));
  });

  it('refuses metadata with more than 50 keys', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const err = await stripeError(stripe.identity.verificationSessions.create({ type: 'document', metadata }));
    assertStripeError(err, { status: 400, param: 'metadata' });
  });

  it('keeps every document option, with allowed_types in the order given', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: {
        document: {
          allowed_types: ['passport', 'id_card'],
          require_id_number: true,
          require_live_capture: false,
          require_matching_selfie: true,
        },
      },
    });
    checkSession(s);
    assert.deepEqual(
      s.options,
      {
        document: {
          allowed_types: ['passport', 'id_card'],
          require_id_number: true,
          require_live_capture: false,
          require_matching_selfie: true,
        },
      },
      show(s),
    );
  });

  it('keeps allowed_types in the reverse order too (no sorting)', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport', 'id_card', 'driving_license'] } },
    });
    checkSession(s);
    assert.deepEqual(s.options?.document?.allowed_types, ['passport', 'id_card', 'driving_license'], show(s));
  });

  it('treats options[document]="" as no document options', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', options: { document: '' } });
    checkSession(s);
    assert.deepEqual(s.options, { document: {} }, show(s));
  });

  it('refuses an unknown document type in allowed_types, naming the element', async () => {
    const err = await stripeError(
      stripe.identity.verificationSessions.create({
        type: 'document',
        options: { document: { allowed_types: ['passport', 'library_card' as 'passport'] } },
      }),
    );
    assertStripeError(err, { status: 400, param: 'options[document][allowed_types][1]' });
  });

  it('refuses an unknown document option', async () => {
    const err = await stripeError(
      stripe.identity.verificationSessions.create({
        type: 'document',
        options: { document: { require_hologram: true } as Stripe.Identity.VerificationSessionCreateParams.Options.Document },
      }),
    );
    assertStripeError(err, {
      status: 400,
      code: 'parameter_unknown',
      param: 'options[document][require_hologram]',
      message: 'Received unknown parameter: options[document][require_hologram]',
    });
  });

  it('ignores options[document] on an id_number session (its options stay {id_number: {}})', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'id_number',
      options: { document: { require_matching_selfie: true } },
    });
    checkSession(s);
    assert.deepEqual(s.options, { id_number: {} }, show(s));
  });

  it('keeps provided_details email and phone', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      provided_details: { email: 'jenny@example.com', phone: '+15555551212' },
    });
    checkSession(s);
    assert.deepEqual(s.provided_details, { email: 'jenny@example.com', phone: '+15555551212' }, show(s));
  });

  it('keeps provided_details with only an email', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', provided_details: { email: 'jenny@example.com' } });
    checkSession(s);
    assert.deepEqual(s.provided_details, { email: 'jenny@example.com' }, show(s));
  });

  it('keeps related_customer and related_customer_account', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      related_customer: 'cus_Jenny',
      related_customer_account: 'acct_1Customer',
    });
    checkSession(s);
    assert.equal(s.related_customer, 'cus_Jenny', show(s));
    assert.equal(s.related_customer_account, 'acct_1Customer', show(s));
  });

  it('keeps related_person when both account and person are given', async () => {
    const s = await stripe.identity.verificationSessions.create({
      type: 'document',
      related_person: { account: 'acct_1Connected', person: 'person_1Jenny' },
    });
    checkSession(s);
    assert.deepEqual(s.related_person, { account: 'acct_1Connected', person: 'person_1Jenny' }, show(s));
  });

  it('refuses related_person without person', async () => {
    const err = await stripeError(
      stripe.identity.verificationSessions.create({
        type: 'document',
        related_person: { account: 'acct_1Connected' } as Stripe.Identity.VerificationSessionCreateParams.RelatedPerson,
      }),
    );
    assertStripeError(err, {
      status: 400,
      code: 'parameter_missing',
      param: 'related_person[person]',
      message: 'Missing required param: related_person[person].',
    });
  });

  it('refuses related_person without account', async () => {
    const err = await stripeError(
      stripe.identity.verificationSessions.create({
        type: 'document',
        related_person: { person: 'person_1Jenny' } as Stripe.Identity.VerificationSessionCreateParams.RelatedPerson,
      }),
    );
    assertStripeError(err, { status: 400, code: 'parameter_missing', param: 'related_person[account]' });
  });

  it('accepts an absolute return_url and does not echo it (the session has no such field)', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://example.com/done?x=1' });
    checkSession(s);
    assert.equal(s.status, 'requires_input', show(s));
    assert.ok(!('return_url' in s), show(s));
  });

  it('refuses a return_url that is not an absolute http(s) URL', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({ type: 'document', return_url: '/done' }));
    assertStripeError(err, { status: 400, code: 'url_invalid', param: 'return_url' });
  });

  it('answers verification_flow with resource_missing: Verity has no Dashboard flows', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({ verification_flow: 'vf_1NoSuchFlow' }));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      param: 'verification_flow',
      message: "No such verification_flow: 'vf_1NoSuchFlow'",
    });
  });

  it('refuses type and verification_flow together', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({ type: 'document', verification_flow: 'vf_1Flow' }));
    assertStripeError(err, { status: 400, message: 'You may only specify one of these parameters: type, verification_flow.' });
  });

  it('refuses a request with neither type nor verification_flow', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.create({}));
    assertStripeError(err, { status: 400, code: 'parameter_missing', param: 'type', message: 'Missing required param: type.' });
  });

  it('refuses an unknown parameter', async () => {
    const err = await stripeError(
      stripe.identity.verificationSessions.create({ type: 'document', bogus: 'x' } as Stripe.Identity.VerificationSessionCreateParams),
    );
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'bogus', message: 'Received unknown parameter: bogus' });
  });

  it('accepts expand[]=last_verification_report and shows null before any submission', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', expand: ['last_verification_report'] });
    checkSession(s);
    assert.equal(s.last_verification_report, null, show(s));
  });

  it('creates a live-mode session with a live key, with live secrets', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    checkSession(s);
    assert.equal(s.livemode, true, show(s));
    assert.match(s.client_secret ?? '', /_secret_live_/, show(s));
    assert.match(s.url ?? '', /\/verify\/live_/, show(s));
  });

  it('refuses a restricted key that may only read', async () => {
    const err = await stripeError(v.stripe(v.keys.restrictedRead).identity.verificationSessions.create({ type: 'document' }));
    assertStripeError(err, { status: 403, message: /rak_identity_verification_write/ });
  });

  it('leaves no session and no event behind when the response is refused (403 on a sensitive expand, no idempotency key)', async () => {
    const own = checkEveryResponse(await startVerity());
    try {
      const res = await own.fetch('/v1/identity/verification_sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=document&expand[]=verified_outputs.dob',
      });
      assert.equal(res.status, 403, await describeResponse(res));
      const sessions = await own.stripe().identity.verificationSessions.list();
      assert.deepEqual(sessions.data, [], `a refused create must not create:\n${show(sessions)}`);
      const events = await own.stripe().events.list();
      assert.deepEqual(events.data, [], show(events));
    } finally {
      await own.close();
    }
  });

  it('records one created event whose snapshot is the session as returned', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' }, client_reference_id: 'evt-check' });
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(evs.map((e) => e.type), ['identity.verification_session.created'], show(evs));
    checkEvent(evs[0]);
    assert.deepEqual(evs[0].data.object, JSON.parse(JSON.stringify(s)), show(evs[0]));
  });

  it('replays the same session for a repeated idempotency key, with one created event', async () => {
    const a = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'create-once' });
    const b = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'create-once' });
    assert.deepEqual(b, a, show({ a, b }));
    const evs = await eventsOf(stripe, a.id);
    assert.equal(evs.length, 1, show(evs));
  });
});
