import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IdNumberType, TEST_ID_NUMBER, idNumberValid, normaliseIdNumber } from './id-numbers.js';

const cases = (type: IdNumberType, valid: boolean, numbers: string[]) =>
  numbers.map((n) => it(`${valid ? 'accepts' : 'refuses'} the ${type} ${JSON.stringify(n)}`, () => assert.equal(idNumberValid(type, n, { livemode: true }), valid)));

describe('us_ssn', () => {
  cases('us_ssn', true, ['123-45-6789', '123456789', '001-01-0001', '665-99-9999', '667-12-3456', '899-99-9999', '772 10 1234']);
  describe('lengths and characters', () => {
    cases('us_ssn', false, ['12345678', '1234567890', '12345678a', '']);
  });
  describe('areas the SSA never issues', () => {
    cases('us_ssn', false, ['000-12-3456', '666-12-3456', '900-12-3456', '987-65-4321', '999-99-9999']);
  });
  describe('group 00 and serial 0000', () => {
    cases('us_ssn', false, ['123-00-4567', '123-45-0000']);
  });
});

describe("Stripe's test ID number", () => {
  it('is refused by the live verification', () => {
    assert.equal(idNumberValid('us_ssn', TEST_ID_NUMBER, { livemode: true }), false);
  });
  it('passes the form check, which does not know the mode', () => {
    assert.equal(idNumberValid('us_ssn', '000-00-0000'), true);
  });
  it('passes in test mode', () => {
    assert.equal(idNumberValid('us_ssn', TEST_ID_NUMBER, { livemode: false }), true);
  });
  it('is only the all-zero number: other SSA-invalid numbers fail in test mode too', () => {
    assert.equal(idNumberValid('us_ssn', '666-12-3456', { livemode: false }), false);
  });
});

describe('br_cpf', () => {
  cases('br_cpf', true, ['529.982.247-25', '11144477735', '111.444.777-35']);
  describe('check digits', () => {
    cases('br_cpf', false, ['529.982.247-26', '529.982.247-15', '11144477734']);
  });
  describe('shape', () => {
    cases('br_cpf', false, ['1234567890', '123456789012', '5299822472a']);
  });
  describe('runs of one digit, which pass the arithmetic but are never issued', () => {
    cases('br_cpf', false, ['00000000000', '11111111111', '999.999.999-99']);
  });
});

describe('sg_nric', () => {
  cases('sg_nric', true, ['S1234567D', 't0123456g', 'S7654321F', 'T7654321B', 'F1234567N', 'F7654321Q', 'G7654321L', 'M1234567K', 'M7654321J']);
  describe('check letters', () => {
    cases('sg_nric', false, ['S1234567A', 'S7654321G', 'T7654321F', 'F7654321B', 'G7654321Q', 'M7654321L']);
  });
  describe('shape', () => {
    cases('sg_nric', false, ['X1234567D', 'S123456D', 'S12345678D', '12345678D', 'S1234567']);
  });
});

describe('normaliseIdNumber', () => {
  it('drops the separators people type and upper-cases letters', () => {
    assert.equal(normaliseIdNumber(' 529.982.247-25 '), '52998224725');
    assert.equal(normaliseIdNumber('s 123/4567-d'), 'S1234567D');
  });
});
