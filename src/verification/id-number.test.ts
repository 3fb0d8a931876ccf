import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type IdNumberInput,
  type IdNumberProvider,
  ID_NUMBER_DETAILS_MISSING,
  NO_ID_NUMBER_PROVIDER,
  checkIdNumber,
  idNumberForReport,
  namesMatch,
} from './id-number.js';
import { type DocumentFields, emptyFields } from './reading.js';

const entered = (over: Partial<IdNumberInput> = {}): IdNumberInput => ({
  type: 'us_ssn',
  number: '123-45-6789',
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 1, month: 1, year: 1990 },
  ...over,
});

const doc = (over: Partial<DocumentFields> = {}): DocumentFields => ({
  ...emptyFields(),
  first_name: 'JENNY',
  last_name: 'ROSEN',
  dob: { day: 1, month: 1, year: 1990 },
  ...over,
});

/** A provider that answers `answer` and remembers what it was asked. */
function provider(answer: 'match' | 'mismatch' | 'not_found'): IdNumberProvider & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    async lookup(q) {
      asked.push(q);
      return answer;
    },
  };
}

describe('checkIdNumber', () => {
  it('verifies when the document agrees and the provider matches', async () => {
    assert.deepEqual(await checkIdNumber(entered(), doc(), provider('match')), { status: 'verified', code: null, reason: null });
  });

  it('verifies without a document when the provider matches (an id_number session)', async () => {
    assert.equal((await checkIdNumber(entered(), null, provider('match'))).status, 'verified');
  });

  it('asks the provider with the normalised number and the entered details', async () => {
    const p = provider('match');
    await checkIdNumber(entered({ type: 'br_cpf', number: '529.982.247-25' }), null, p);
    assert.deepEqual(p.asked, [{ type: 'br_cpf', number: '52998224725', first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 1, year: 1990 } }]);
  });

  for (const [type, number] of [
    ['us_ssn', '666-12-3456'],
    ['us_ssn', '000000000'],
    ['br_cpf', '529.982.247-26'],
    ['sg_nric', 'S1234567A'],
  ] as const) {
    it(`refuses the invalid ${type} ${number} as id_number_unverified_other, without asking the provider`, async () => {
      const p = provider('match');
      const r = await checkIdNumber(entered({ type, number }), doc(), p);
      assert.equal(r.status, 'unverified');
      assert.equal(r.code, 'id_number_unverified_other');
      assert.equal(p.asked.length, 0);
    });
  }

  it('reports id_number_mismatch when the entered last name is not the document’s', async () => {
    const p = provider('match');
    assert.equal((await checkIdNumber(entered({ last_name: 'Rossen' }), doc(), p)).code, 'id_number_mismatch');
    assert.equal(p.asked.length, 0);
  });

  it('reports id_number_mismatch when the entered first name is not the document’s', async () => {
    assert.equal((await checkIdNumber(entered({ first_name: 'Jane' }), doc(), provider('match'))).code, 'id_number_mismatch');
  });

  it('reports id_number_mismatch when the entered date of birth is not the document’s', async () => {
    assert.equal((await checkIdNumber(entered({ dob: { day: 2, month: 1, year: 1990 } }), doc(), provider('match'))).code, 'id_number_mismatch');
  });

  it('reports id_number_insufficient_document_data when the document has no date of birth', async () => {
    assert.equal((await checkIdNumber(entered(), doc({ dob: null }), provider('match'))).code, 'id_number_insufficient_document_data');
  });

  it('reports id_number_insufficient_document_data when the document’s date of birth lacks the day', async () => {
    const r = await checkIdNumber(entered(), doc({ dob: { day: null, month: 1, year: 1990 } }), provider('match'));
    assert.equal(r.code, 'id_number_insufficient_document_data');
  });

  it('reports id_number_insufficient_document_data when the document has no name', async () => {
    assert.equal((await checkIdNumber(entered(), doc({ last_name: null }), provider('match'))).code, 'id_number_insufficient_document_data');
    assert.equal((await checkIdNumber(entered(), doc({ first_name: null }), provider('match'))).code, 'id_number_insufficient_document_data');
  });

  it('refuses an entry without a name or date of birth as id_number_unverified_other', async () => {
    const r = await checkIdNumber(entered({ dob: null }), null, provider('match'));
    assert.deepEqual(r, { status: 'unverified', code: 'id_number_unverified_other', reason: ID_NUMBER_DETAILS_MISSING });
  });

  it('reports id_number_mismatch when the provider says the number is someone else’s', async () => {
    assert.equal((await checkIdNumber(entered(), doc(), provider('mismatch'))).code, 'id_number_mismatch');
  });

  it('reports id_number_mismatch when the provider does not know the number', async () => {
    assert.equal((await checkIdNumber(entered(), doc(), provider('not_found'))).code, 'id_number_mismatch');
  });

  it('cannot verify without a provider, and says so', async () => {
    assert.deepEqual(await checkIdNumber(entered(), doc(), null), {
      status: 'unverified',
      code: 'id_number_unverified_other',
      reason: NO_ID_NUMBER_PROVIDER,
    });
    assert.equal(NO_ID_NUMBER_PROVIDER, 'No ID number provider is configured');
  });

  it('lets a provider failure propagate rather than fail the person', async () => {
    const failing: IdNumberProvider = { lookup: async () => Promise.reject(new Error('registry down')) };
    await assert.rejects(checkIdNumber(entered(), doc(), failing), /registry down/);
  });
});

describe('namesMatch', () => {
  it('ignores case, accents, hyphens and spaces', () => {
    assert.equal(namesMatch('jean-pierre', 'JEAN PIERRE', true), true);
    assert.equal(namesMatch('José', 'JOSE', true), true);
    assert.equal(namesMatch('Van der Berg', 'VANDERBERG', false), true);
    assert.equal(namesMatch("O'Brien", 'OBRIEN', false), true);
  });

  it('accepts the MRZ transliteration of umlauts and ß', () => {
    assert.equal(namesMatch('Müller', 'MUELLER', false), true);
    assert.equal(namesMatch('Muller', 'MÜLLER', false), true);
    assert.equal(namesMatch('Strauß', 'STRAUSS', false), true);
  });

  it('accepts the first of the given names the document lists', () => {
    assert.equal(namesMatch('Anna', 'ANNA MARIA', true), true);
    assert.equal(namesMatch('Anna Maria', 'ANNA MARIA', true), true);
  });

  it('does not take a part of a last name, or a later given name, as the whole', () => {
    assert.equal(namesMatch('Garcia', 'GARCIA LOPEZ', false), false);
    assert.equal(namesMatch('Maria', 'ANNA MARIA', true), false);
    assert.equal(namesMatch('Ann', 'ANNA', true), false);
  });

  it('never matches an empty name', () => {
    assert.equal(namesMatch('--', 'ROSEN', false), false);
  });
});

describe('idNumberForReport', () => {
  it('shows only the last four digits of a US SSN', () => {
    assert.equal(idNumberForReport('us_ssn', '123-45-6789'), '6789');
  });

  it('shows other numbers whole, normalised', () => {
    assert.equal(idNumberForReport('br_cpf', '529.982.247-25'), '52998224725');
    assert.equal(idNumberForReport('sg_nric', 's1234567d'), 'S1234567D');
  });
});
