import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDigit } from './layout.js';
import { mrzDate, parseMrz } from './parse.js';

// ICAO 9303 specimens (part 4 and part 5), so the check digits are someone else's arithmetic, not ours.
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
const TD1_LONG = ['I<UTOD23145890<7349<<<<<<<<<<<', '3407127M9507122UTO<<<<<<<<<<<2', 'STEVENSON<<PETER<JOHN<<<<<<<<<'];

const withDigit = (line: string, pos: number, text: string) => line.slice(0, pos) + checkDigit(text) + line.slice(pos + 1);

test('check digits weigh 7-3-1 with letters as 10 to 35 and the filler as 0', () => {
  assert.equal(checkDigit('L898902C3'), 6);
  assert.equal(checkDigit('740812'), 2);
  assert.equal(checkDigit('ZE184226B<<<<<'), 1);
  assert.equal(checkDigit('<<<'), 0);
});

test('a TD3 passport yields every field and passes all five check digits', () => {
  const p = parseMrz(TD3)!;
  assert.equal(p.format, 'TD3');
  assert.equal(p.valid, true);
  assert.deepEqual(p.checks.map((c) => c.name), ['number', 'dob', 'expiry', 'personal_number', 'composite']);
  assert.equal(p.fields.type, 'passport');
  assert.equal(p.fields.number, 'L898902C3');
  assert.equal(p.fields.last_name, 'ERIKSSON');
  assert.equal(p.fields.first_name, 'ANNA MARIA');
  assert.deepEqual(p.fields.dob, { day: 12, month: 8, year: 1974 });
  assert.deepEqual(p.fields.expiration_date, { day: 15, month: 4, year: 2012 });
  assert.equal(p.fields.sex, 'female');
  assert.equal(p.fields.unparsed_sex, 'F');
  assert.equal(p.issuing_state, 'UTO');
  assert.equal(p.fields.issuing_country, null, 'the specimen state Utopia has no ISO code');
});

test('a TD2 card is an id_card whatever its document code', () => {
  const p = parseMrz(TD2)!;
  assert.equal(p.format, 'TD2');
  assert.equal(p.valid, true);
  assert.equal(p.fields.type, 'id_card');
  assert.equal(p.fields.number, 'D23145890');
  assert.equal(p.fields.first_name, 'ANNA MARIA');
});

test('a TD1 card reads its number from line one and its names from line three', () => {
  const p = parseMrz(TD1.join('\n'))!;
  assert.equal(p.format, 'TD1');
  assert.equal(p.valid, true);
  assert.equal(p.fields.type, 'id_card');
  assert.equal(p.fields.number, 'D23145890');
  assert.equal(p.fields.last_name, 'ERIKSSON');
});

test('a TD1 number longer than nine characters continues in the optional field', () => {
  const p = parseMrz(TD1_LONG)!;
  assert.equal(p.valid, true);
  assert.equal(p.fields.number, 'D23145890734');
  assert.equal(p.fields.sex, 'male');
});

test('one wrong character fails its own check digit and the composite', () => {
  const bad = [TD3[0], TD3[1].replace('L898902C3', 'L898902C8')];
  const p = parseMrz(bad)!;
  assert.equal(p.valid, false);
  assert.deepEqual(p.checks.filter((c) => !c.ok).map((c) => c.name), ['number', 'composite']);
});

test('Germany writes D<< and is reported as DE; a normal alpha-3 code maps to alpha-2', () => {
  let l2 = 'C01X00T47' + '0' + 'D<<' + '640812' + '0' + 'F' + '270228' + '0' + '<'.repeat(14) + '<' + '0';
  l2 = withDigit(l2, 9, 'C01X00T47');
  l2 = withDigit(l2, 19, '640812');
  l2 = withDigit(l2, 27, '270228');
  l2 = withDigit(l2, 43, l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43));
  const de = parseMrz(['P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', l2])!;
  assert.equal(de.valid, true);
  assert.equal(de.fields.issuing_country, 'DE');
  const fr = parseMrz(['P<FRA' + TD3[0].slice(5), TD3[1]])!;
  assert.equal(fr.fields.issuing_country, 'FR');
});

test('birth years take the century that puts them in the past, expiry years are 20xx', () => {
  const today = new Date(Date.UTC(2026, 10, 26));
  assert.equal(mrzDate('251231', 'dob', today)!.year, 2025);
  assert.equal(mrzDate('261127', 'dob', today)!.year, 1926);
  assert.equal(mrzDate('851231', 'dob', today)!.year, 1985);
  assert.equal(mrzDate('851231', 'expiry', today)!.year, 2085);
  assert.equal(mrzDate('85123A', 'dob', today), null);
});

test('the unknown-sex filler is reported as unknown and kept as printed', () => {
  const l2 = TD2[1].slice(0, 20) + '<' + TD2[1].slice(21);
  const p = parseMrz([TD2[0], l2])!;
  assert.equal(p.fields.sex, 'unknown');
  assert.equal(p.fields.unparsed_sex, '<');
});

test('text that is not an MRZ is refused', () => {
  assert.equal(parseMrz(['HELLO', 'WORLD']), null);
  assert.equal(parseMrz([TD3[0], TD3[1].slice(0, 43)]), null);
});
