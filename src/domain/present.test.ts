import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFieldOrder, show } from '../../test/identity.js';
import { presentEvent, presentReport, presentSession } from './present.js';
import type { EventRecord, Report, Session } from './types.js';

const NOW = 1_800_000_000;
const CTX = { publicUrl: 'https://verity.example', now: NOW };

function session(over: Partial<Session> = {}): Session {
  return {
    id: 'vs_123',
    livemode: false,
    created: NOW - 60,
    status: 'requires_input',
    type: 'document',
    client_reference_id: 'ref',
    metadata: { z: '1', a: '2' },
    options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
    provided_details: { email: 'jenny@example.com', phone: '+15555551212' },
    related_customer: 'cus_1',
    related_customer_account: 'acct_c',
    related_person: { account: 'acct_1', person: 'person_1' },
    return_url: 'https://example.com/back',
    verification_flow: null,
    last_error: null,
    last_report_id: null,
    redaction_status: null,
    client_secret: 'vs_123_secret_test_abc',
    client_secret_expires: NOW + 100,
    url_token: 'test_tok',
    url_expires: NOW + 200,
    version: 0,
    ...over,
  };
}

function report(over: Partial<Report> = {}): Report {
  const date = { day: 1, month: 2, year: 1990 };
  return {
    id: 'vr_1',
    livemode: false,
    created: NOW - 30,
    session_id: 'vs_123',
    client_reference_id: 'ref',
    type: 'document',
    verification_flow: null,
    options: { document: { require_matching_selfie: true }, id_number: {} },
    checks: {
      document: {
        status: 'verified',
        error: null,
        address: { city: 'SF', country: 'US', line1: '1 Main', line2: null, postal_code: '94111', state: 'CA' },
        dob: date,
        expiration_date: date,
        files: ['file_a', 'file_b'],
        first_name: 'Jenny',
        issued_date: date,
        issuing_country: 'US',
        last_name: 'Rosen',
        number: 'D123',
        sex: 'female',
        type: 'passport',
        unparsed_place_of_birth: 'Springfield',
        unparsed_sex: 'F',
      },
      id_number: { status: 'verified', error: null, dob: date, first_name: 'Jenny', id_number: '1234', id_number_type: 'us_ssn', last_name: 'Rosen' },
      selfie: { status: 'verified', error: null, document: 'file_a', selfie: 'file_s' },
      email: { status: 'verified', error: null, email: 'jenny@example.com' },
      phone: { status: 'verified', error: null, phone: '+15555551212' },
    },
    ...over,
  };
}

const ALL_REPORT = { document: new Set(['dob', 'expiration_date', 'number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex']), id_number: new Set(['dob', 'id_number']) };

describe('presentSession', () => {
  it('orders every field id, object, then alphabetically, with all optional parts present', () => {
    const s = session({ status: 'verified', verification_flow: 'vf_1', last_report_id: 'vr_1', last_error: { code: null, reason: null } });
    const out = presentSession(s, CTX, {
      report: { report: report(), includes: ALL_REPORT },
      verifiedOutputs: { report: report(), sensitive: new Set(['dob', 'id_number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex']) },
    });
    assertFieldOrder(out);
    assert.deepEqual(
      Object.keys(out),
      [
        'id',
        'object',
        'client_reference_id',
        'client_secret',
        'created',
        'last_error',
        'last_verification_report',
        'livemode',
        'metadata',
        'options',
        'provided_details',
        'redaction',
        'related_customer',
        'related_customer_account',
        'related_person',
        'status',
        'type',
        'url',
        'verification_flow',
        'verified_outputs',
      ],
      show(out),
    );
  });

  it('leaves out related_person, verification_flow and verified_outputs when there are none to show', () => {
    const out = presentSession(session({ related_person: null }), CTX);
    for (const k of ['related_person', 'verification_flow', 'verified_outputs']) assert.ok(!(k in out), `${k}:\n${show(out)}`);
  });

  it('shows the client_secret and the url built from PUBLIC_URL while both are valid', () => {
    const out = presentSession(session(), CTX);
    assert.equal(out.client_secret, 'vs_123_secret_test_abc', show(out));
    assert.equal(out.url, 'https://verity.example/verify/test_tok', show(out));
  });

  it('hides a client_secret at its expiry second but keeps a url still valid', () => {
    const out = presentSession(session({ client_secret_expires: NOW }), CTX);
    assert.equal(out.client_secret, null, show(out));
    assert.equal(out.url, 'https://verity.example/verify/test_tok', show(out));
  });

  it('hides an expired url', () => {
    const out = presentSession(session({ url_expires: NOW - 1 }), CTX);
    assert.equal(out.url, null, show(out));
  });

  for (const status of ['processing', 'verified', 'canceled'] as const) {
    it(`hides client_secret and url when the session is ${status}`, () => {
      const out = presentSession(session({ status }), CTX);
      assert.equal(out.client_secret, null, show(out));
      assert.equal(out.url, null, show(out));
    });
  }

  it('hides client_secret and url of a session being redacted', () => {
    const out = presentSession(session({ redaction_status: 'processing' }), CTX);
    assert.equal(out.client_secret, null, show(out));
    assert.equal(out.url, null, show(out));
    assert.deepEqual(out.redaction, { status: 'processing' }, show(out));
  });

  it('shows verified_outputs as null until the session is verified', () => {
    const out = presentSession(session({ last_report_id: 'vr_1' }), CTX, { verifiedOutputs: { report: report(), sensitive: new Set() } });
    assert.equal(out.verified_outputs, null, show(out));
  });

  it('builds verified_outputs from the report, sensitive fields only when asked', () => {
    const s = session({ status: 'verified', last_report_id: 'vr_1' });
    const plain = presentSession(s, CTX, { verifiedOutputs: { report: report(), sensitive: new Set() } });
    assert.deepEqual(
      plain.verified_outputs,
      {
        address: { city: 'SF', country: 'US', line1: '1 Main', line2: null, postal_code: '94111', state: 'CA' },
        email: 'jenny@example.com',
        first_name: 'Jenny',
        id_number_type: 'us_ssn',
        last_name: 'Rosen',
        phone: '+15555551212',
      },
      show(plain),
    );
    const dob = presentSession(s, CTX, { verifiedOutputs: { report: report(), sensitive: new Set(['dob']) } });
    assert.deepEqual((dob.verified_outputs as Record<string, unknown>).dob, { day: 1, month: 2, year: 1990 }, show(dob));
    assert.ok(!('id_number' in (dob.verified_outputs as object)), show(dob));
  });

  it('shows options.id_number as {} and keeps allowed_types in their order', () => {
    const out = presentSession(session({ options: { document: { allowed_types: ['passport', 'driving_license'] }, id_number: {} } }), CTX);
    assert.deepEqual(out.options, { document: { allowed_types: ['passport', 'driving_license'] }, id_number: {} }, show(out));
  });
});

describe('presentReport', () => {
  it('orders every field, every check included, all sensitive fields asked for', () => {
    const out = presentReport(report({ verification_flow: 'vf_1', type: 'verification_flow' }), ALL_REPORT);
    assertFieldOrder(out);
    assert.deepEqual(
      Object.keys(out),
      ['id', 'object', 'client_reference_id', 'created', 'document', 'email', 'id_number', 'livemode', 'options', 'phone', 'selfie', 'type', 'verification_flow', 'verification_session'],
      show(out),
    );
  });

  it('leaves sensitive fields out unless asked for', () => {
    const out = presentReport(report());
    const doc = out.document as Record<string, unknown>;
    for (const k of ['dob', 'expiration_date', 'number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex']) assert.ok(!(k in doc), `${k}:\n${show(out)}`);
    const idn = out.id_number as Record<string, unknown>;
    for (const k of ['dob', 'id_number']) assert.ok(!(k in idn), `${k}:\n${show(out)}`);
    assert.deepEqual(doc.files, ['file_a', 'file_b'], show(out));
  });

  it('leaves out the checks that did not run', () => {
    const out = presentReport(report({ type: 'id_number', checks: { id_number: report().checks.id_number } }));
    for (const k of ['document', 'selfie', 'email', 'phone', 'verification_flow']) assert.ok(!(k in out), `${k}:\n${show(out)}`);
  });
});

describe('presentEvent', () => {
  it('shows Stripe’s event fields in order, with request id and idempotency key', () => {
    const e: EventRecord = {
      id: 'evt_1',
      livemode: true,
      created: NOW,
      type: 'identity.verification_session.created',
      object_id: 'vs_123',
      api_version: '2026-10-28.endive',
      data: { object: { id: 'vs_123' } },
      request_id: 'req_1',
      idempotency_key: 'k',
      pending_webhooks: 2,
    };
    const out = presentEvent(e);
    assertFieldOrder(out);
    assert.deepEqual(
      out,
      {
        id: 'evt_1',
        object: 'event',
        api_version: '2026-10-28.endive',
        created: NOW,
        data: { object: { id: 'vs_123' } },
        livemode: true,
        pending_webhooks: 2,
        request: { id: 'req_1', idempotency_key: 'k' },
        type: 'identity.verification_session.created',
      },
      show(out),
    );
  });
});
