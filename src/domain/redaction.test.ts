import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from '../../test/identity.js';
import { redactChecks } from './placeholders.js';
import type { Checks } from './types.js';

const R = '[redacted]';
const D = { day: 1, month: 1, year: 1 };

function checks(): Checks {
  const date = { day: 14, month: 3, year: 1988 };
  return {
    document: {
      status: 'unverified',
      error: { code: 'document_expired', reason: 'The document is expired.' },
      address: { city: 'SF', country: 'US', line1: '1 Main', line2: null, postal_code: '94111', state: 'CA' },
      dob: date,
      expiration_date: date,
      files: ['file_front', 'file_back'],
      first_name: 'Jenny',
      issued_date: null,
      issuing_country: 'US',
      last_name: 'Rosen',
      number: 'D123',
      sex: 'female',
      type: 'passport',
      unparsed_place_of_birth: 'Springfield',
      unparsed_sex: null,
    },
    id_number: { status: 'verified', error: null, dob: date, first_name: 'Jenny', id_number: '1234', id_number_type: 'us_ssn', last_name: 'Rosen' },
    selfie: { status: 'verified', error: null, document: 'file_front', selfie: 'file_selfie' },
    email: { status: 'verified', error: null, email: 'jenny@example.com' },
    phone: { status: 'unverified', error: { code: 'phone_unverified_other', reason: 'x' }, phone: null },
  };
}

describe('redactChecks', () => {
  it('replaces personal strings by [redacted] and dates by 1/1/1 in the document check', () => {
    const out = redactChecks(checks());
    assert.deepEqual(
      out.document,
      {
        status: 'unverified',
        error: { code: 'document_expired', reason: 'The document is expired.' },
        address: { city: R, country: 'US', line1: R, line2: null, postal_code: R, state: R },
        dob: D,
        expiration_date: D,
        files: ['file_front', 'file_back'],
        first_name: R,
        issued_date: null,
        issuing_country: 'US',
        last_name: R,
        number: R,
        sex: R,
        type: 'passport',
        unparsed_place_of_birth: R,
        unparsed_sex: null,
      },
      show(out),
    );
  });

  it('keeps what was null null: a placeholder would claim data that never existed', () => {
    const out = redactChecks(checks());
    assert.equal(out.document?.issued_date, null, show(out));
    assert.equal(out.document?.unparsed_sex, null, show(out));
    assert.equal(out.document?.address?.line2, null, show(out));
    assert.equal(out.phone?.phone, null, show(out));
  });

  it('redacts the id_number check but keeps the id number type', () => {
    const out = redactChecks(checks());
    assert.deepEqual(
      out.id_number,
      { status: 'verified', error: null, dob: D, first_name: R, id_number: R, id_number_type: 'us_ssn', last_name: R },
      show(out),
    );
  });

  it('redacts the email and phone checks', () => {
    const out = redactChecks(checks());
    assert.deepEqual(out.email, { status: 'verified', error: null, email: R }, show(out));
    assert.deepEqual(out.phone, { status: 'unverified', error: { code: 'phone_unverified_other', reason: 'x' }, phone: null }, show(out));
  });

  it('leaves the selfie check’s file ids (the files themselves are what redaction deletes)', () => {
    const out = redactChecks(checks());
    assert.deepEqual(out.selfie, { status: 'verified', error: null, document: 'file_front', selfie: 'file_selfie' }, show(out));
  });

  it('leaves out checks that did not run and does not change its input', () => {
    const input = { id_number: checks().id_number };
    const before = JSON.stringify(input);
    const out = redactChecks(input);
    assert.deepEqual(Object.keys(out), ['id_number'], show(out));
    assert.equal(JSON.stringify(input), before);
  });
});
