import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../../../test/harness.js';
import {
  assertStripeError,
  checkEveryResponse,
  checkSession,
  HOUR_MS,
  type Report,
  show,
  stripeError,
  testHelper,
} from '../../../test/identity.js';

describe('GET /v1/identity/verification_sessions/:id (retrieve)', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = checkEveryResponse(await startVerity());
    stripe = v.stripe();
  });
  after(() => v.close());

  const create = (params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }) =>
    stripe.identity.verificationSessions.create(params);

  it('returns the session exactly as it was created', async () => {
    const s = await create({
      type: 'document',
      client_reference_id: 'ref-1',
      metadata: { a: '1' },
      provided_details: { email: 'jenny@example.com' },
      related_customer: 'cus_1',
      related_person: { account: 'acct_1', person: 'person_1' },
    });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), JSON.parse(JSON.stringify(s)), show({ created: s, retrieved: r }));
  });

  it('answers an unknown id with resource_missing', async () => {
    const err = await stripeError(stripe.identity.verificationSessions.retrieve('vs_doesnotexist'));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such verification_session: 'vs_doesnotexist'",
    });
    assert.match(String((err.raw as { doc_url?: string }).doc_url), /\/resource-missing$/, show(err.raw));
  });

  it('hides a live session from a test key, saying a similar object exists in live mode', async () => {
    const live = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const err = await stripeError(stripe.identity.verificationSessions.retrieve(live.id));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      param: 'id',
      message: `No such verification_session: '${live.id}'; a similar object exists in live mode, but a test mode key was used to make this request.`,
    });
  });

  it('hides a test session from a live key, saying a similar object exists in test mode', async () => {
    const s = await create();
    const err = await stripeError(v.stripe(v.keys.live).identity.verificationSessions.retrieve(s.id));
    assertStripeError(err, {
      status: 404,
      code: 'resource_missing',
      message: `No such verification_session: '${s.id}'; a similar object exists in test mode, but a live mode key was used to make this request.`,
    });
  });

  it('is allowed to a restricted key that may only read', async () => {
    const s = await create();
    const r = await v.stripe(v.keys.restrictedRead).identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.equal(r.id, s.id, show(r));
  });

  it('is refused to a restricted key without identity permissions', async () => {
    const s = await create();
    const err = await stripeError(v.stripe(v.keys.restrictedNone).identity.verificationSessions.retrieve(s.id));
    assertStripeError(err, { status: 403, message: /rak_identity_verification_read/ });
  });

  it('hands out the same client_secret and url while they are valid', async () => {
    const s = await create();
    v.clock.advance(23 * HOUR_MS);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.equal(r.client_secret, s.client_secret, show({ s, r }));
    assert.equal(r.url, s.url, show({ s, r }));
  });

  it('mints a new client_secret (and url) once the client_secret is past its 24 hours', async () => {
    const s = await create();
    v.clock.advance(24 * HOUR_MS + 1000);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.ok(r.client_secret && r.client_secret !== s.client_secret, show({ s, r }));
    assert.match(r.client_secret ?? '', new RegExp(`^${s.id}_secret_test_`), show(r));
    assert.ok(r.url && r.url !== s.url, show({ s, r }));
    const again = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(again.client_secret, r.client_secret, `a fresh pair is stable until it expires:\n${show({ r, again })}`);
    assert.equal(again.url, r.url, show({ r, again }));
  });

  // Retrieve keeps its answers without expansions (rendered.ts); each of these retrieves first, so that a
  // kept answer exists when the change happens.
  it('shows an update made since the session was last retrieved', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.retrieve(s.id);
    await stripe.identity.verificationSessions.update(s.id, { metadata: { step: 'two' } });
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.deepEqual(r.metadata, { step: 'two' }, show(r));
  });

  it('shows a status change made since the session was last retrieved', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.retrieve(s.id);
    await testHelper(stripe, s.id, 'verify');
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.equal(r.status, 'verified', show(r));
    assert.equal(r.client_secret, null, show(r));
  });

  it('mints a new pair when the pair it last handed out has expired', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.retrieve(s.id);
    await stripe.identity.verificationSessions.retrieve(s.id);
    v.clock.advance(24 * HOUR_MS + 1000);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.ok(r.client_secret && r.client_secret !== s.client_secret, show({ s, r }));
  });

  it('still hides a test session from a live key right after a test key retrieved it', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.retrieve(s.id);
    const err = await stripeError(v.stripe(v.keys.live).identity.verificationSessions.retrieve(s.id));
    assertStripeError(err, { status: 404, code: 'resource_missing', param: 'id' });
  });

  it('mints a new pair when retrieved after the url’s 48 hours', async () => {
    const s = await create();
    v.clock.advance(48 * HOUR_MS + 1000);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.ok(r.client_secret && r.client_secret !== s.client_secret, show({ s, r }));
    assert.ok(r.url && r.url !== s.url, show({ s, r }));
  });

  it('shows no client_secret or url for a verified session, even long after', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    v.clock.advance(49 * HOUR_MS);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.equal(r.status, 'verified', show(r));
    assert.equal(r.client_secret, null, show(r));
    assert.equal(r.url, null, show(r));
  });

  it('shows no client_secret or url for a canceled session', async () => {
    const s = await create();
    await stripe.identity.verificationSessions.cancel(s.id);
    const r = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(r);
    assert.equal(r.client_secret, null, show(r));
    assert.equal(r.url, null, show(r));
  });

  it('shows last_verification_report as an id, and as the report when expanded', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const plain = await stripe.identity.verificationSessions.retrieve(s.id);
    checkSession(plain);
    assert.match(String(plain.last_verification_report), /^vr_[A-Za-z0-9]{24}$/, show(plain));
    const expanded = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
    checkSession(expanded);
    const rep = expanded.last_verification_report as Report;
    assert.equal(rep.object, 'identity.verification_report', show(expanded));
    assert.equal(rep.id, plain.last_verification_report, show({ plain, expanded }));
    assert.equal(rep.verification_session, s.id, show(expanded));
    assert.ok(!('number' in (rep.document ?? {})), `sensitive report fields stay out unless expanded:\n${show(expanded)}`);
  });

  it('includes verified_outputs only when expanded, without the sensitive fields', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const plain = await stripe.identity.verificationSessions.retrieve(s.id);
    assert.ok(!('verified_outputs' in plain), show(plain));
    const r = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs'] });
    checkSession(r);
    assert.deepEqual(
      r.verified_outputs,
      {
        address: { city: 'San Francisco', country: 'US', line1: '1234 Main St.', line2: null, postal_code: '94111', state: 'CA' },
        email: null,
        first_name: 'Jenny',
        id_number_type: null,
        last_name: 'Rosen',
        phone: null,
      },
      show(r),
    );
  });

  it('shows verified_outputs null for a session that is not verified', async () => {
    const s = await create();
    const r = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs'] });
    checkSession(r);
    assert.equal(r.verified_outputs, null, show(r));
  });

  it('refuses verified_outputs.dob to a secret key with 403', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(stripe.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs.dob'] }));
    assertStripeError(err, { status: 403, message: /verified_outputs\.dob.*secret key/ });
  });

  it('refuses last_verification_report.document.number to a secret key with 403', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(
      stripe.identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report.document.number'] }),
    );
    assertStripeError(err, { status: 403, message: /last_verification_report\.document\.number/ });
  });

  it('refuses sensitive fields to a read-only restricted key without the sensitive permission', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const err = await stripeError(
      v.stripe(v.keys.restrictedRead).identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs.dob'] }),
    );
    assertStripeError(err, { status: 403 });
  });

  it('shows every sensitive output to a sensitive restricted key within 48 hours of processing', async () => {
    const s = await create({ type: 'document', options: { document: { require_id_number: true } } });
    await testHelper(stripe, s.id, 'verify');
    v.clock.advance(47 * HOUR_MS);
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, {
      expand: [
        'verified_outputs.dob',
        'verified_outputs.id_number',
        'verified_outputs.sex',
        'verified_outputs.unparsed_place_of_birth',
        'verified_outputs.unparsed_sex',
      ],
    });
    checkSession(r);
    const vo = r.verified_outputs!;
    assert.deepEqual(vo.dob, { day: 1, month: 1, year: 1990 }, show(r));
    assert.equal(vo.id_number, '0000', show(r));
    assert.equal(vo.id_number_type, 'us_ssn', show(r));
    assert.equal(vo.sex, 'female', show(r));
    assert.equal(vo.unparsed_place_of_birth, null, show(r));
    assert.equal(vo.unparsed_sex, null, show(r));
  });

  it('shows the sensitive report fields to a sensitive restricted key', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, {
      expand: [
        'last_verification_report.document.number',
        'last_verification_report.document.dob',
        'last_verification_report.document.expiration_date',
      ],
    });
    checkSession(r);
    const doc = (r.last_verification_report as Report).document!;
    assert.equal(doc.number, '000000000', show(r));
    assert.deepEqual(doc.dob, { day: 1, month: 1, year: 1990 }, show(r));
    assert.deepEqual(doc.expiration_date, { day: 1, month: 12, year: 2030 }, show(r));
  });

  it('refuses sensitive fields to the sensitive restricted key more than 48 hours after processing', async () => {
    const s = await create();
    await testHelper(stripe, s.id, 'verify');
    v.clock.advance(48 * HOUR_MS + 1000);
    const err = await stripeError(
      v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs.dob'] }),
    );
    assertStripeError(err, { status: 403, message: /48 hours/ });
    const r = await v.stripe(v.keys.restrictedSensitive).identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs'] });
    assert.equal(r.verified_outputs?.first_name, 'Jenny', `non-sensitive outputs stay available:\n${show(r)}`);
  });

  it('refuses an expand path the session does not have', async () => {
    const s = await create();
    const err = await stripeError(stripe.identity.verificationSessions.retrieve(s.id, { expand: ['customer'] }));
    assertStripeError(err, { status: 400, param: 'expand' });
  });
});
