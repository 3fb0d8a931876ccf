// Request encoding: Rack-style bracket forms from stripe-node and from hand-written clients, empty strings as
// "unset", metadata limits, content types and expand. Platform-conventions §2, checklist items 8–16.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { MSG } from '../../src/api/stripe/errors.js';
import { type Verity, startVerity } from '../harness.js';
import { assertSchema } from '../openapi.js';
import { FORM, errorBody, read, sdkError, show } from './wire.js';

const SESSIONS = '/v1/identity/verification_sessions';

describe('request encoding', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  const verified = async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${s.id}/verify`, {});
    return s.id;
  };

  describe('arrays and brackets', () => {
    it('an array parameter round-trips in the order it was sent', async () => {
      const s = await stripe.identity.verificationSessions.create({
        type: 'document',
        options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
      });
      assertSchema('session', s);
      assert.deepEqual(s.options?.document?.allowed_types, ['passport', 'id_card'], JSON.stringify(s));
      assert.equal(s.options?.document?.require_matching_selfie, true, JSON.stringify(s));
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.deepEqual(back.options?.document?.allowed_types, ['passport', 'id_card'], JSON.stringify(back));
    });

    it('a[]=x repeated (Rack style, no indexes) is read as an array', async () => {
      const body = 'type=document&options[document][allowed_types][]=passport&options[document][allowed_types][]=driving_license';
      const r = await read(await v.fetch(SESSIONS, { method: 'POST', headers: FORM, body }));
      assert.equal(r.status, 200, r.desc);
      assertSchema('session', r.body);
      assert.deepEqual(r.body.options.document.allowed_types, ['passport', 'driving_license'], r.desc);
    });

    it('percent-encoded brackets (%5B0%5D) are read like raw ones', async () => {
      const body =
        'type=document&options%5Bdocument%5D%5Ballowed_types%5D%5B0%5D=id_card&options%5Bdocument%5D%5Ballowed_types%5D%5B1%5D=passport&metadata%5Border%5D=42';
      const r = await read(await v.fetch(SESSIONS, { method: 'POST', headers: FORM, body }));
      assert.equal(r.status, 200, r.desc);
      assertSchema('session', r.body);
      assert.deepEqual(r.body.options.document.allowed_types, ['id_card', 'passport'], r.desc);
      assert.deepEqual(r.body.metadata, { order: '42' }, r.desc);
    });

    it('indexes sent out of order are put back in index order', async () => {
      const body = 'type=document&options[document][allowed_types][1]=passport&options[document][allowed_types][0]=id_card';
      const r = await read(await v.fetch(SESSIONS, { method: 'POST', headers: FORM, body }));
      assert.equal(r.status, 200, r.desc);
      assert.deepEqual(r.body.options.document.allowed_types, ['id_card', 'passport'], r.desc);
    });

    it('+ and %20 both decode to a space, and reserved characters survive percent-encoding', async () => {
      const body = 'type=document&metadata[note]=a+b%20c&metadata[sp%20ace]=a%26b%3Dc&client_reference_id=x%2By';
      const r = await read(await v.fetch(SESSIONS, { method: 'POST', headers: FORM, body }));
      assert.equal(r.status, 200, r.desc);
      assertSchema('session', r.body);
      assert.deepEqual(r.body.metadata, { note: 'a b c', 'sp ace': 'a&b=c' }, r.desc);
      assert.equal(r.body.client_reference_id, 'x+y', r.desc);
    });

    it('GET parameters are read from the query string, brackets encoded or not', async () => {
      const id = await verified();
      for (const q of ['expand[0]=last_verification_report', 'expand%5B0%5D=last_verification_report', 'expand[]=last_verification_report']) {
        const r = await read(await v.fetch(`${SESSIONS}/${id}?${q}`));
        assert.equal(r.status, 200, r.desc);
        assertSchema('session', r.body);
        assert.equal(r.body.last_verification_report?.object, 'identity.verification_report', `${q}\n${r.desc}`);
      }
    });

    it('metadata keys named like JavaScript object properties are kept', async () => {
      const s = await stripe.identity.verificationSessions.create({
        type: 'document',
        metadata: { constructor: 'a', toString: 'b', hasOwnProperty: 'c', plain: 'd' },
      });
      assertSchema('session', s);
      assert.deepEqual(s.metadata, { constructor: 'a', hasOwnProperty: 'c', plain: 'd', toString: 'b' }, JSON.stringify(s));
    });

    it('a top-level parameter named like a JavaScript object property is refused as unknown', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', toString: 'x' } as never));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.code, 'parameter_unknown', show(err));
      assert.equal(err.param, 'toString', show(err));
      assert.equal(err.message, MSG.unknownParam('toString'), show(err));
    });
  });

  describe('empty strings unset', () => {
    it('metadata[k]= removes that key only', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { k: '1', keep: '2' } });
      const u = await stripe.identity.verificationSessions.update(s.id, { metadata: { k: '' } });
      assertSchema('session', u);
      assert.deepEqual(u.metadata, { keep: '2' }, JSON.stringify(u));
    });

    it('metadata= (the SDK sends null that way) removes every key', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1', b: '2' } });
      const u = await stripe.identity.verificationSessions.update(s.id, { metadata: null as never });
      assertSchema('session', u);
      assert.deepEqual(u.metadata, {}, JSON.stringify(u));
    });

    it('metadata keys not named in an update are left alone', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' } });
      const u = await stripe.identity.verificationSessions.update(s.id, { metadata: { b: '2' } });
      assert.deepEqual(u.metadata, { a: '1', b: '2' }, JSON.stringify(u));
    });

    it('options[document]= clears the document options', async () => {
      const s = await stripe.identity.verificationSessions.create({
        type: 'document',
        options: { document: { allowed_types: ['passport'], require_matching_selfie: true, require_id_number: true } },
      });
      const u = await stripe.identity.verificationSessions.update(s.id, { options: { document: '' } });
      assertSchema('session', u);
      assert.deepEqual(u.options, { document: {} }, JSON.stringify(u));
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.deepEqual(back.options, { document: {} }, JSON.stringify(back));
    });

    it('an empty string for a parameter that cannot be unset is refused, naming it', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: '' }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.param, 'client_reference_id', show(err));
      assert.equal(err.message, MSG.emptyString('client_reference_id'), show(err));
      assertSchema('error', errorBody(err));
    });
  });

  describe('metadata limits', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

    it('50 keys, a 40-character key and a 500-character value are accepted', async () => {
      const meta = { ...many(48), ['x'.repeat(40)]: 'v', long: 'y'.repeat(500) };
      const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: meta });
      assertSchema('session', s);
      assert.equal(Object.keys(s.metadata).length, 50, JSON.stringify(s));
      assert.equal(s.metadata.long, 'y'.repeat(500));
    });

    it('51 keys are refused with param metadata', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', metadata: many(51) }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.rawType, 'invalid_request_error', show(err));
      assert.equal(err.param, 'metadata', show(err));
      assert.equal(err.message, MSG.metadataTooManyKeys, show(err));
      assertSchema('error', errorBody(err));
    });

    it('a 41-character key is refused with param metadata[<key>]', async () => {
      const key = 'k'.repeat(41);
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', metadata: { [key]: 'v' } }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.param, `metadata[${key}]`, show(err));
      assert.equal(err.message, MSG.metadataKeyTooLong(key), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a 501-character value is refused with param metadata[<key>]', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.create({ type: 'document', metadata: { note: 'v'.repeat(501) } }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.param, 'metadata[note]', show(err));
      assert.equal(err.message, MSG.metadataValueTooLong('note'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('the limits apply to updates too, and a refused update changes nothing', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: '1' } });
      const err = await sdkError(stripe.identity.verificationSessions.update(s.id, { metadata: { a: '2', b: 'v'.repeat(501) } }));
      assert.equal(err.param, 'metadata[b]', show(err));
      const back = await stripe.identity.verificationSessions.retrieve(s.id);
      assert.deepEqual(back.metadata, { a: '1' }, JSON.stringify(back));
    });
  });

  describe('content types', () => {
    it('a POST with Content-Type text/plain is refused with "unsupported Content-Type"', async () => {
      const r = await read(await v.fetch(SESSIONS, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'type=document' }));
      assert.equal(r.status, 400, r.desc);
      assertSchema('error', r.body);
      assert.deepEqual(r.body, { error: { message: MSG.unsupportedContentType('text/plain; charset=utf-8'), type: 'invalid_request_error' } }, r.desc);
    });

    it('a JSON body is refused the same way (v1 takes forms only)', async () => {
      const r = await read(
        await v.fetch(SESSIONS, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'document' }) }),
      );
      assert.equal(r.status, 400, r.desc);
      assertSchema('error', r.body);
      assert.equal(r.body.error.message, MSG.unsupportedContentType('application/json'), r.desc);
    });

    it('a refused content type creates nothing', async () => {
      const before = await stripe.identity.verificationSessions.list({ limit: 100 });
      await read(await v.fetch(SESSIONS, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'type=document' }));
      const afterList = await stripe.identity.verificationSessions.list({ limit: 100 });
      assert.equal(afterList.data.length, before.data.length, JSON.stringify(afterList.data.map((s) => s.id)));
    });

    it('a form content type with a charset parameter is accepted', async () => {
      const r = await read(
        await v.fetch(SESSIONS, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'type=id_number' }),
      );
      assert.equal(r.status, 200, r.desc);
      assertSchema('session', r.body);
      assert.equal(r.body.type, 'id_number', r.desc);
    });
  });

  describe('expand', () => {
    it('retrieve with expand[]=last_verification_report returns the report object', async () => {
      const id = await verified();
      const s = await stripe.identity.verificationSessions.retrieve(id, { expand: ['last_verification_report'] });
      assertSchema('session', s);
      const rep = s.last_verification_report as Stripe.Identity.VerificationReport;
      assert.equal(typeof rep, 'object', JSON.stringify(s));
      assert.equal(rep.object, 'identity.verification_report', JSON.stringify(s));
      assert.equal(rep.verification_session, id, JSON.stringify(s));
      assertSchema('report', rep);
    });

    it('without expand, last_verification_report is the report id', async () => {
      const id = await verified();
      const s = await stripe.identity.verificationSessions.retrieve(id);
      assertSchema('session', s);
      assert.equal(typeof s.last_verification_report, 'string', JSON.stringify(s));
      assert.match(s.last_verification_report as string, /^vr_[A-Za-z0-9]+$/, JSON.stringify(s));
    });

    it('a session that was never processed has last_verification_report null, expanded or not', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      assert.equal(s.last_verification_report, null, JSON.stringify(s));
      const e = await stripe.identity.verificationSessions.retrieve(s.id, { expand: ['last_verification_report'] });
      assert.equal(e.last_verification_report, null, JSON.stringify(e));
    });

    it('expand on create applies to the create response', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document', expand: ['verified_outputs'] });
      assertSchema('session', s);
      assert.ok('verified_outputs' in s, JSON.stringify(s));
      assert.equal(s.verified_outputs, null, JSON.stringify(s));
    });

    it('list with expand[]=data.last_verification_report expands inside every item', async () => {
      const ids = [await verified(), await verified()];
      const list = await stripe.identity.verificationSessions.list({ limit: 100, expand: ['data.last_verification_report'] });
      assertSchema('sessionList', list);
      for (const id of ids) {
        const item = list.data.find((s) => s.id === id);
        assert.ok(item, JSON.stringify(list));
        const rep = item.last_verification_report as Stripe.Identity.VerificationReport;
        assert.equal(rep?.object, 'identity.verification_report', JSON.stringify(item));
        assertSchema('report', rep);
      }
    });

    it('a list expand path without the data. prefix is refused with param expand', async () => {
      const err = await sdkError(stripe.identity.verificationSessions.list({ expand: ['last_verification_report'] }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.param, 'expand', show(err));
      assert.equal(err.message, MSG.expandUnknown('last_verification_report'), show(err));
      assertSchema('error', errorBody(err));
    });

    it('a five-level expand path is refused with param expand', async () => {
      const path = 'last_verification_report.document.dob.year.more';
      const err = await sdkError(stripe.identity.verificationSessions.retrieve((await verified()), { expand: [path] }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.statusCode, 400, show(err));
      assert.equal(err.param, 'expand', show(err));
      assert.equal(err.message, MSG.expandTooDeep(path), show(err));
      assertSchema('error', errorBody(err));
    });

    it('an unknown expand path is refused with param expand', async () => {
      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      const err = await sdkError(stripe.identity.verificationSessions.retrieve(s.id, { expand: ['nonsense'] }));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, show(err));
      assert.equal(err.param, 'expand', show(err));
      assert.equal(err.message, MSG.expandUnknown('nonsense'), show(err));
    });
  });
});
