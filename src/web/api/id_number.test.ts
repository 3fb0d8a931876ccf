import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Verity } from '../../../test/harness.js';
import { show } from '../../../test/identity.js';
import { api, createSession, expectJson, startPageVerity, urlToken } from './page-test-kit.js';

describe('POST /verify/api/id_number', () => {
  let v: Verity;
  before(async () => {
    v = await startPageVerity();
  });
  after(() => v.close());

  const valid: [string, string][] = [
    ['us_ssn', '123-45-6789'],
    ['us_ssn', '000000000'],
    ['br_cpf', '529.982.247-25'],
    ['br_cpf', '11144477735'],
    ['sg_nric', 'S1234567D'],
    ['sg_nric', 't0123456g'],
    ['sg_nric', 'F1234567N'],
    ['sg_nric', 'M1234567K'],
  ];
  for (const [type, number] of valid) {
    it(`accepts the ${type} ${number}`, async () => {
      const s = await createSession(v, { type: 'id_number' });
      const view = await expectJson(
        await api(v, 'POST', '/id_number', urlToken(s), { id_number_type: type, id_number: number, first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 1, year: 1990 } }),
        200,
      );
      assert.equal(view.collected.id_number, true, show(view));
      assert.deepEqual(view.requirements.missing, ['biometric_consent'], show(view));
      assert.ok(!JSON.stringify(view).includes(number), 'the page never gets the number back');
    });
  }

  const invalid: [string, string][] = [
    ['us_ssn', '12345678'],
    ['us_ssn', '1234567890'],
    ['us_ssn', '12345678a'],
    ['br_cpf', '529.982.247-26'],
    ['br_cpf', '11111111111'],
    ['br_cpf', '1234567890'],
    ['sg_nric', 'S1234567A'],
    ['sg_nric', 'X1234567D'],
    ['sg_nric', 'S123456D'],
  ];
  for (const [type, number] of invalid) {
    it(`refuses the ${type} ${number} (400 invalid_request)`, async () => {
      const s = await createSession(v, { type: 'id_number' });
      await expectJson(await api(v, 'POST', '/id_number', urlToken(s), { id_number_type: type, id_number: number }), 400, 'invalid_request');
      const view = await expectJson(await api(v, 'GET', '/session', urlToken(s)), 200);
      assert.equal(view.collected.id_number, false, show(view));
    });
  }

  it('refuses an unknown type, a bad date of birth, and a session that does not ask for a number', async () => {
    const s = await createSession(v, { type: 'id_number' });
    await expectJson(await api(v, 'POST', '/id_number', urlToken(s), { id_number_type: 'uk_nino', id_number: 'QQ123456C' }), 400, 'invalid_request');
    await expectJson(await api(v, 'POST', '/id_number', urlToken(s), { id_number_type: 'us_ssn', id_number: '123456789', dob: { day: 32, month: 1, year: 1990 } }), 400, 'invalid_request');
    const d = await createSession(v);
    await expectJson(await api(v, 'POST', '/id_number', urlToken(d), { id_number_type: 'us_ssn', id_number: '123456789' }), 400, 'invalid_request');
  });

  it('is asked for by a document session with require_id_number', async () => {
    const s = await createSession(v, { type: 'document', options: { document: { require_id_number: true } } });
    const view = await expectJson(await api(v, 'POST', '/id_number', urlToken(s), { id_number_type: 'us_ssn', id_number: '123456789' }), 200);
    assert.ok(!view.requirements.missing.includes('id_number'), show(view));
  });
});
