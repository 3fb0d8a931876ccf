import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { degrade } from '../../../test/fixtures/degrade.js';
import { mrzSide, printedMrz, randomSpec, renderDocument, type DocumentSpec } from '../../../test/fixtures/documents.js';
import { parseMrz } from './parse.js';
import { readMrz } from './reader.js';
import { ocrbSkip } from '../../../test/fixtures/ocr-b.js';

const skip = ocrbSkip();

const person: Omit<DocumentSpec, 'kind'> = {
  country: 'DEU',
  surname: 'MUSTERMANN',
  given_names: 'ERIKA',
  number: 'C01X00T47',
  sex: 'F',
  dob: { day: 12, month: 8, year: 1964 },
  issued: { day: 1, month: 3, year: 2021 },
  expiry: { day: 28, month: 2, year: 2031 },
  portrait: null,
  seed: 3,
};

test('a passport data page is read exactly, every check digit passing', { skip }, async () => {
  const doc = await renderDocument({ ...person, kind: 'passport' });
  const r = await readMrz(doc.front);
  assert.equal(r.source, 'mrz');
  assert.equal(r.found, true);
  assert.equal(r.raw, doc.truth.mrz.join('\n'));
  assert.equal(r.valid, true);
  assert.equal(r.fields.type, 'passport');
  assert.equal(r.fields.issuing_country, 'DE');
  assert.equal(r.fields.number, 'C01X00T47');
  assert.equal(r.fields.last_name, 'MUSTERMANN');
  assert.deepEqual(r.fields.dob, { day: 12, month: 8, year: 1964 });
});

test('the back of a TD1 card is read, including a number that overflows its field', { skip }, async () => {
  const doc = await renderDocument({ ...person, kind: 'id_card', number: 'LZX123456789' });
  const r = await readMrz(doc.back!);
  assert.equal(r.raw, doc.truth.mrz.join('\n'));
  assert.equal(r.valid, true);
  assert.equal(r.fields.number, 'LZX123456789');
  assert.equal(r.fields.type, 'id_card');
});

test('a TD2 card photographed at a tilt is read', { skip }, async () => {
  const doc = await renderDocument(randomSpec(11, 'td2'));
  const r = await readMrz(await degrade(mrzSide(doc), 'rotate', 11));
  assert.equal(r.raw, doc.truth.mrz.join('\n'));
  assert.equal(r.valid, true);
});

test('a card photographed in perspective is read', { skip }, async () => {
  const doc = await renderDocument(randomSpec(12, 'id_card'));
  const r = await readMrz(await degrade(mrzSide(doc), 'perspective', 12));
  assert.equal(r.raw, doc.truth.mrz.join('\n'));
});

test('the front of a TD1 card has no MRZ and says so', { skip }, async () => {
  const doc = await renderDocument({ ...person, kind: 'id_card' });
  const r = await readMrz(doc.front);
  assert.equal(r.found, false);
  assert.equal(r.valid, false);
  assert.equal(r.raw, null);
});

test('a printed MRZ with a wrong birth-date check digit is read as printed and marked invalid', { skip }, async () => {
  const lines = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408125F1204159<<<<<<<6'];
  assert.equal(parseMrz(lines)!.valid, false);
  const r = await readMrz(await printedMrz(lines));
  assert.equal(r.found, true);
  assert.equal(r.raw, lines.join('\n'));
  assert.equal(r.valid, false);
  assert.ok(r.notes.some((n) => n.includes('dob')), r.notes.join('; '));
});

test('bytes that are not an image give a reading that found nothing', { skip }, async () => {
  const r = await readMrz(Buffer.from('not an image'));
  assert.equal(r.found, false);
  assert.match(r.notes[0], /not readable/);
});

test('a document photographed upside down is read', { skip }, async () => {
  const doc = await renderDocument({ ...person, kind: 'td2' });
  const r = await readMrz(await sharp(doc.front).rotate(180).jpeg().toBuffer());
  assert.equal(r.raw, doc.truth.mrz.join('\n'));
  assert.ok(r.notes.includes('image was upside down'));
});

test('an MRZ set smaller against its pitch than the templates is still read exactly', { skip }, async () => {
  const lines = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
  const r = await readMrz(await printedMrz(lines, { pitch: 26, fontPerPitch: 1.2 }));
  assert.equal(r.raw, lines.join('\n'));
  assert.equal(r.valid, true);
});
