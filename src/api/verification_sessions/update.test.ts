import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEveryResponse,
  checkSession,
  eventsOf,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

describe('POST /v1/identity/verification_sessions/:id (update)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const create = (params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }) =>
    stripe.identity.verificationSessions.create(params);
  const update = (id: string, params: Stripe.Identity.VerificationSessionUpdateParams) =>
    stripe.identity.verificationSessions.update(id, params);

  /** Waits out a redaction: the job that completes it runs once its delay has passed. */
  async function completeRedaction(): Promise<void> {
    v.clock.advance(v.deps.config.redactionDelayMs);
    await v.runJobs();
  }

  it('merges metadata: new keys are added and existing keys overwritten', async () => {
    const s = await create({ type: 'document', metadata: { a: '1', b: '2' } });
    const u = await update(s.id, { metadata: { b: '3', c: '4' } });
    checkSession(u);
    assert.deepEqual(u.metadata, { a: '1', b: '3', c: '4' }, show(u));
  });

  it('removes one metadata key set to an empty string, keeping the others', async () => {
    const s = await create({ type: 'document', metadata: { a: '1', b: '2' } });
    const u = await update(s.id, { metadata: { a: '' } });
    checkSession(u);
    assert.deepEqual(u.metadata, { b: '2' }, show(u));
  });

  it('removes all metadata when metadata is sent empty', async () => {
    const s = await create({ type: 'document', metadata: { a: '1', b: '2' } });
    const u = await update(s.id, { metadata: null as unknown as Stripe.MetadataParam });
    checkSession(u);
    assert.deepEqual(u.metadata, {}, show(u));
    const again = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.deepEqual(again.metadata, {}, show(again));
  });

  it('replaces document options in requires_input', async () => {
    const s = await create({ type: 'document', options: { document: { allowed_types: ['passport'], require_live_capture: true } } });
    const u = await update(s.id, { options: { document: { require_matching_selfie: true, allowed_types: ['id_card', 'passport'] } } });
    checkSession(u);
    assert.deepEqual(u.options, { document: { allowed_types: ['id_card', 'passport'], require_matching_selfie: true } }, show(u));
  });

  it('clears document options with options[document]=""', async () => {
    const s = await create({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const u = await update(s.id, { options: { document: '' } });
    checkSession(u);
    assert.deepEqual(u.options, { document: {} }, show(u));
  });

  it('changes the type from document to id_number, with the id_number options', async () => {
    const s = await create({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const u = await update(s.id, { type: 'id_number' });
    checkSession(u);
    assert.equal(u.type, 'id_number', show(u));
    assert.deepEqual(u.options, { id_number: {} }, show(u));
  });

  it('changes the type from id_number to document, taking document options given with it', async () => {
    const s = await create({ type: 'id_number' });
    const u = await update(s.id, { type: 'document', options: { document: { allowed_types: ['passport'] } } });
    checkSession(u);
    assert.equal(u.type, 'document', show(u));
    assert.deepEqual(u.options, { document: { allowed_types: ['passport'] } }, show(u));
  });

  it('refuses type=verification_flow', async () => {
    const s = await create();
    const err = await stripeError(update(s.id, { type: 'verification_flow' as 'document' }));
    assertStripeError(err, { status: 400, param: 'type' });
  });

  it('sets provided_details per key, keeping a key not mentioned', async () => {
    const s = await create({ type: 'document', provided_details: { email: 'jenny@example.com' } });
    const u = await update(s.id, { provided_details: { phone: '+15555551212' } });
    checkSession(u);
    assert.deepEqual(u.provided_details, { email: 'jenny@example.com', phone: '+15555551212' }, show(u));
  });

  it('removes one provided detail set to an empty string', async () => {
    const s = await create({ type: 'document', provided_details: { email: 'jenny@example.com', phone: '+15555551212' } });
    const u = await update(s.id, { provided_details: { email: '' } });
    checkSession(u);
    assert.deepEqual(u.provided_details, { phone: '+15555551212' }, show(u));
  });

  it('clears provided_details with provided_details=""', async () => {
    const s = await create({ type: 'document', provided_details: { email: 'jenny@example.com' } });
    const u = await update(s.id, { provided_details: '' as unknown as Stripe.Identity.VerificationSessionUpdateParams.ProvidedDetails });
    checkSession(u);
    assert.equal(u.provided_details, null, show(u));
  });

  it('refuses parameters that cannot change after creation', async () => {
    const s = await create();
    const err = await stripeError(
      update(s.id, { client_reference_id: 'x' } as Stripe.Identity.VerificationSessionUpdateParams),
    );
    assertStripeError(err, { status: 400, code: 'parameter_unknown', param: 'client_reference_id' });
  });

  it('refuses options while processing and leaves the session unchanged', async () => {
    const s = await create({ type: 'document', options: { document: { require_live_capture: true } } });
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const err = await stripeError(update(s.id, { options: { document: { require_matching_selfie: true } } }));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot update this VerificationSession because it has a status of processing.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.deepEqual(r.options, { document: { require_live_capture: true } }, show(r));
  });

  it('refuses a type change once verified', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(update(s.id, { type: 'id_number' }));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot update this VerificationSession because it has a status of verified.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.type, 'document', show(r));
  });

  it('refuses provided_details once canceled', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.cancel(s.id);
    const err = await stripeError(update(s.id, { provided_details: { email: 'late@example.com' } }));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'You cannot update this VerificationSession because it has a status of canceled.',
    });
  });

  it('changes metadata while processing', async () => {
    const s = await create({ type: 'document', metadata: { a: '1' } });
    await testHelper(stripe, s.id, 'verify', { simulate_delay: true });
    const u = await update(s.id, { metadata: { b: '2' } });
    checkSession(u);
    assert.equal(u.status, 'processing', show(u));
    assert.deepEqual(u.metadata, { a: '1', b: '2' }, show(u));
  });

  it('changes metadata once verified', async () => {
    const s = await create({ type: 'document', metadata: { a: '1' } });
    await testHelper(stripe, s.id, 'verify');
    const u = await update(s.id, { metadata: { a: '' , order: '99' } });
    checkSession(u);
    assert.equal(u.status, 'verified', show(u));
    assert.deepEqual(u.metadata, { order: '99' }, show(u));
  });

  it('changes metadata once canceled', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.cancel(s.id);
    const u = await update(s.id, { metadata: { why: 'duplicate' } });
    checkSession(u);
    assert.equal(u.status, 'canceled', show(u));
    assert.deepEqual(u.metadata, { why: 'duplicate' }, show(u));
  });

  it('refuses even metadata while a redaction is processing', async () => {
    const s = await create({ type: 'document', metadata: { a: '1' } });
    await stripe.identity.verificationSessions.redact(s.id);
    const err = await stripeError(update(s.id, { metadata: { b: '2' } }));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'This VerificationSession has been redacted and can no longer be updated or used.',
    });
  });

  it('refuses any update once redacted', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    await stripe.identity.verificationSessions.redact(s.id);
    await completeRedaction();
    const err = await stripeError(update(s.id, { metadata: { b: '2' } }));
    assertStripeError(err, {
      status: 400,
      code: 'session_invalid_state',
      message: 'This VerificationSession has been redacted and can no longer be updated or used.',
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.deepEqual(r.metadata, {}, show(r));
  });

  it('records no event (Stripe has no verification_session.updated)', async () => {
    const s = await create();
    await update(s.id, { metadata: { a: '1' }, options: { document: { require_live_capture: true } } });
    const evs = await eventsOf(stripe, s.id);
    assert.deepEqual(evs.map((e) => e.type), ['identity.verification_session.created'], show(evs));
  });

  it('hides a live session from a test key', async () => {
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(update(live.id, { metadata: { a: '1' } }));
    assertStripeError(err, { status: 404, code: 'resource_missing', message: /a similar object exists in live mode/ });
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(update('vs_doesnotexist', { metadata: { a: '1' } }));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id', message: "No such verification_session: 'vs_doesnotexist'" });
  });
});
