import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { randomSpec, renderDocument } from '../../test/fixtures/documents.js';
import { randomLicenceSpec, renderLicence } from '../../test/fixtures/licences.js';
import { type DocumentFields, emptyFields } from './reading.js';
import { type VizCrossCheck, close, crossCheck, divideByBackground, readVisualZone, whiteOut } from './viz.js';
import { ocrbSkip } from '../../test/fixtures/ocr-b.js';
import { readMrz } from './mrz/reader.js';

const mrz = (over: Partial<DocumentFields> = {}): DocumentFields => ({
  ...emptyFields(),
  last_name: 'ERIKSSON',
  first_name: 'ANNA MARIA',
  number: 'D23145890',
  dob: { day: 12, month: 3, year: 1985 },
  expiration_date: { day: 2, month: 8, year: 2031 },
  ...over,
});

const VIZ = `UTOPIA IDENTITY CARD / CARTE D'IDENTITE
Surname / Nom Given names / Prenoms
ERIKSSON ANNA MARIA
Document No. Nationality
D23145890 SWEDEN
Date of birth Sex
12 MAR 1985 F
Date of expiry Date of issue
02 AUG 2031 02 AUG 2021`;

const statuses = (c: VizCrossCheck) => c.fields;
const all = (s: 'match' | 'absent') => ({ last_name: s, first_name: s, number: s, dob: s, expiration_date: s });

describe('crossCheck', () => {
  it('agrees when every MRZ value is printed', () => {
    assert.deepEqual(crossCheck(mrz(), VIZ), { agrees: true, fields: all('match') });
  });

  it('finds nothing in an empty read, which is not a disagreement', () => {
    assert.deepEqual(crossCheck(mrz(), ''), { agrees: true, fields: all('absent') });
  });

  it('reports a field the MRZ did not give as absent', () => {
    assert.equal(crossCheck(mrz({ expiration_date: null, number: null }), VIZ).fields.expiration_date, 'absent');
    assert.equal(crossCheck(mrz({ expiration_date: null, number: null }), VIZ).fields.number, 'absent');
  });

  it('ignores the MRZ lines the OCR read on the same side', () => {
    const text = 'I<SWED23145890<<<<<<<<<<<<<<<<\n8503128F3108022SWE<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<';
    assert.deepEqual(crossCheck(mrz(), text).fields, all('absent'));
  });

  describe('names', () => {
    it('ignore case and accents', () => {
      assert.equal(crossCheck(mrz({ last_name: 'MULLER' }), 'Surname\nMüller').fields.last_name, 'match');
      assert.equal(crossCheck(mrz({ first_name: 'JOSE' }), 'José Luis').fields.first_name, 'match');
    });

    it('accept the MRZ transliteration of an umlaut (one edit in a long name)', () => {
      assert.equal(crossCheck(mrz({ last_name: 'MUELLER' }), 'MÜLLER').fields.last_name, 'match');
    });

    it('take hyphens and apostrophes as printed', () => {
      assert.equal(crossCheck(mrz({ first_name: 'JEAN PIERRE' }), 'JEAN-PIERRE').fields.first_name, 'match');
      assert.equal(crossCheck(mrz({ last_name: 'OBRIEN' }), "O'BRIEN").fields.last_name, 'match');
    });

    it('tolerate OCR confusing letters with digits', () => {
      assert.equal(crossCheck(mrz(), 'ER1KSS0N ANNA MAR1A').fields.last_name, 'match');
      assert.equal(crossCheck(mrz(), 'ER1KSS0N ANNA MAR1A').fields.first_name, 'match');
    });

    it('tolerate one OCR edit in a long name', () => {
      assert.equal(crossCheck(mrz(), 'ERIKSON').fields.last_name, 'match');
      assert.equal(crossCheck(mrz(), 'ERIKSSONN').fields.last_name, 'match');
    });

    it('do not tolerate two edits in a long name', () => {
      assert.equal(crossCheck(mrz(), 'Surname\nERICSON').fields.last_name, 'mismatch');
    });

    it('do not tolerate an edit in a short name', () => {
      assert.equal(crossCheck(mrz({ first_name: 'ANNA' }), 'Given names\nANNE').fields.first_name, 'mismatch');
    });

    it('report a mismatch when only some of the words are printed', () => {
      const c = crossCheck(mrz(), VIZ.replace('ANNA MARIA', 'ANNA MARTA'));
      assert.equal(c.fields.first_name, 'mismatch');
      assert.equal(c.agrees, false);
    });

    it('report a mismatch when another name is printed under the label', () => {
      assert.equal(crossCheck(mrz(), VIZ.replace('ERIKSSON', 'LINDQVIST')).fields.last_name, 'mismatch');
    });

    it('report a mismatch when another name is printed beside the other name', () => {
      assert.equal(crossCheck(mrz(), 'LINDQVIST ANNA MARIA').fields.last_name, 'mismatch');
      assert.equal(crossCheck(mrz(), 'ERIKSSON KARIN').fields.first_name, 'mismatch');
    });

    it('report absent when the name is nowhere and nothing shows where it would be', () => {
      assert.equal(crossCheck(mrz(), 'ANNA MARIA\nD23145890').fields.last_name, 'absent');
      assert.equal(crossCheck(mrz(), 'LINDQVIST').fields.last_name, 'absent');
    });

    it('accept a given name the MRZ cut short', () => {
      assert.equal(crossCheck(mrz({ first_name: 'MARIA DEL CARM' }), 'MARIA DEL CARMEN').fields.first_name, 'match');
    });

    it('accept a given name the print cut short at the edge of its field', () => {
      assert.equal(crossCheck(mrz({ first_name: 'ANA LUISA MARTIM' }), 'ANA LUISA MAR"').fields.first_name, 'match');
    });

    it('accept given names whose last words the print lost at the edge of its field', () => {
      assert.equal(crossCheck(mrz({ first_name: 'MAX LENA FRIEDRICH WILHELM' }), 'FISCHER MAX LENA FRIEDRICH —').fields.first_name, 'match');
      assert.equal(crossCheck(mrz({ first_name: 'ANA LUISA MARTIM' }), 'SANTOS ANA LUISA MARE').fields.first_name, 'match');
    });

    it('do not take the first given names for all of them in the middle of a line', () => {
      assert.equal(crossCheck(mrz({ first_name: 'MAX LENA' }), 'FISCHER MAX KARL').fields.first_name, 'mismatch');
    });

    it('read an exclamation mark as the I it usually is', () => {
      assert.equal(crossCheck(mrz({ first_name: 'MEI LINDA' }), 'ME! LINDA').fields.first_name, 'match');
    });

    it('accept a cut only in the last word', () => {
      assert.equal(crossCheck(mrz({ first_name: 'ANA LUISA MARTIM' }), 'Given names\nANA LU MARTIM').fields.first_name, 'mismatch');
    });
  });

  describe('document numbers', () => {
    it('are found when printed in groups', () => {
      assert.equal(crossCheck(mrz(), 'No. D23 145 890').fields.number, 'match');
    });

    it('tolerate OCR confusions and one stray or lost character', () => {
      assert.equal(crossCheck(mrz(), 'D23145B9O').fields.number, 'match');
      assert.equal(crossCheck(mrz(), 'DZ2314589O').fields.number, 'match');
      assert.equal(crossCheck(mrz(), 'D2314589').fields.number, 'match');
    });

    it('report a mismatch when another number is printed under the label', () => {
      const c = crossCheck(mrz(), VIZ.replace('D23145890', 'D23177790'));
      assert.equal(c.fields.number, 'mismatch');
      assert.equal(c.agrees, false);
    });

    it('report absent when the label has no number beside or under it', () => {
      assert.equal(crossCheck(mrz(), 'Document No. Nationality\nSWEDEN').fields.number, 'absent');
    });
  });

  describe('dates', () => {
    const formats = [
      '12 MAR 1985',
      '12 Mar 1985',
      '12MAR85',
      '12 MAR/MARS 1985',
      '12 MARS 1985',
      '12. MÄR 1985',
      '12 MRZ 1985',
      '12.03.1985',
      '12-03-1985',
      '03/12/1985',
      '12/03/85',
      '1985-03-12',
      '1985.03.12',
      'l2.O3.1985',
    ];
    for (const f of formats) {
      it(`read ${JSON.stringify(f)} as 12 March 1985`, () => {
        assert.equal(crossCheck(mrz(), `Date of birth\n${f}`).fields.dob, 'match');
      });
    }

    it('read Spanish, Italian and German month names', () => {
      assert.equal(crossCheck(mrz({ expiration_date: { day: 2, month: 8, year: 2031 } }), '02 AGO 2031').fields.expiration_date, 'match');
      assert.equal(crossCheck(mrz({ expiration_date: { day: 2, month: 12, year: 2031 } }), '02 DIC 2031').fields.expiration_date, 'match');
      assert.equal(crossCheck(mrz({ expiration_date: { day: 2, month: 10, year: 2031 } }), '02 OKT 2031').fields.expiration_date, 'match');
    });

    it('report a mismatch when another date follows the label', () => {
      const c = crossCheck(mrz(), VIZ.replace('12 MAR 1985', '13 MAR 1985'));
      assert.equal(c.fields.dob, 'mismatch');
      assert.equal(c.fields.expiration_date, 'match');
      assert.equal(c.agrees, false);
    });

    it('report a mismatch for an expiry changed by one year', () => {
      assert.equal(crossCheck(mrz(), VIZ.replace('02 AUG 2031', '02 AUG 2032')).fields.expiration_date, 'mismatch');
    });

    it('read a month whose O the OCR took for a zero ("22 0CT 1971")', () => {
      assert.equal(crossCheck(mrz({ dob: { day: 22, month: 10, year: 1971 } }), 'Date of birth\n22 0CT 1971').fields.dob, 'match');
    });

    it('do not take a number that is no date for one', () => {
      assert.equal(crossCheck(mrz(), 'Date of birth\n32.13.1985 1985').fields.dob, 'absent');
    });
  });
});

describe('divideByBackground', () => {
  it('gives 255 · pixel / background, rounded and capped at white, for every pair of values', () => {
    const px = new Uint8Array(256 * 256);
    const bg = new Uint8Array(256 * 256);
    for (let b = 0; b < 256; b++) for (let d = 0; d < 256; d++) [px[b * 256 + d], bg[b * 256 + d]] = [d, b];
    const out = divideByBackground(px, bg);
    for (let i = 0; i < px.length; i++) assert.equal(out[i], Math.min(255, Math.round((255 * px[i]) / Math.max(bg[i], 1))), `${px[i]} / ${bg[i]}`);
    assert.deepEqual([...divideByBackground(Uint8Array.of(100, 100, 0), Uint8Array.of(200, 50, 0))], [128, 255, 0]);
  });
});

describe('readVisualZone', { skip: ocrbSkip() }, () => {
  after(() => close());

  it('refuses what is not an image, and keeps reading the next ones', async () => {
    await assert.rejects(readVisualZone(Buffer.from('not an image')));
  });

  // Rendered by the corpus generator: guilloche behind the text, the card photographed on a table.
  for (const [kind, seed] of [['passport', 1], ['id_card', 2]] as const) {
    it(`reads a synthetic ${kind}'s front in agreement with its truth`, async (t) => {
      const doc = await renderDocument(randomSpec(seed, kind));
      const r = await readVisualZone(doc.front);
      t.diagnostic(`${kind} front: ${r.ms} ms`);
      assert.deepEqual(crossCheck(doc.truth, r.text), { agrees: true, fields: all('match') }, r.text);
    });
  }

  it("reads a synthetic driving licence's front in agreement with its truth", async (t) => {
    const lic = await renderLicence(randomLicenceSpec(3, {}, new Date('2026-11-01T00:00:00Z')));
    const r = await readVisualZone(lic.front);
    t.diagnostic(`licence front: ${r.ms} ms`);
    assert.deepEqual(crossCheck(lic.truth, r.text), { agrees: true, fields: all('match') }, r.text);
  });

  it("leaves out a passport's MRZ when told where it begins, and still reads the printed fields", async () => {
    const doc = await renderDocument(randomSpec(4, 'passport'));
    const { topEdge } = await readMrz(doc.front);
    assert.ok(topEdge);
    const whole = await readVisualZone(doc.front);
    assert.match(whole.text, /<</, 'the MRZ is read without the edge');
    const r = await readVisualZone(doc.front, { mrzTop: topEdge });
    assert.doesNotMatch(r.text, /<</, r.text);
    const c = crossCheck(doc.truth, r.text);
    assert.equal(c.agrees, true, r.text);
    assert.equal(c.fields.number, 'match', r.text);
    assert.equal(c.fields.expiration_date, 'match', r.text);
  });

  it('finds a forged printed name on a synthetic card', async () => {
    const spec = randomSpec(2, 'id_card');
    const doc = await renderDocument({ ...spec, surname: 'LINDQVIST' });
    const r = await readVisualZone(doc.front);
    const c = crossCheck({ ...doc.truth, last_name: spec.surname }, r.text);
    assert.equal(c.fields.last_name, 'mismatch', r.text);
    assert.equal(c.agrees, false);
  });
});

describe('whiteOut', () => {
  it('paints white exactly the rectangle given in fractions of the image, clipped at its edges', () => {
    const px = new Uint8Array(10 * 4);
    whiteOut(px, 10, 4, [0.2, 0.25, 0.3, 0.5]);
    const rows = Array.from({ length: 4 }, (_, y) => [...px.subarray(y * 10, y * 10 + 10)].map((v) => (v ? 'x' : '.')).join(''));
    assert.deepEqual(rows, ['..........', '..xxx.....', '..xxx.....', '..........']);
    whiteOut(px, 10, 4, [0.8, 0.75, 0.5, 0.5]);
    assert.equal([...px.subarray(30, 40)].map((v) => (v ? 'x' : '.')).join(''), '........xx');
  });
});
