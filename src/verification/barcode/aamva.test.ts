import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aamvaPayload, licenceTruth, randomLicenceSpec, type LicenceSpec } from '../../../test/fixtures/licences.js';
import { parseAamva, parseAamvaDate, parseHeader, parsePostalCode } from './aamva.js';

const spec = (overrides: Partial<LicenceSpec>) => randomLicenceSpec(11, overrides, new Date('2026-01-15T00:00:00Z'));

test('a version-10 US licence reads into every field of the truth', () => {
  const s = spec({ jurisdiction: 'TX', aamvaVersion: 10, postalCode: '78701-1234', middleName: 'ANNE', line2: 'APT 4' });
  const r = parseAamva(aamvaPayload(s));
  assert.equal(r.valid, true, r.notes.join('; '));
  assert.deepEqual(r.fields, licenceTruth(s));
});

test('a Canadian licence has year-first dates and a spaced postal code', () => {
  const s = spec({ jurisdiction: 'ON', postalCode: 'K1A 0B1', dob: { day: 3, month: 11, year: 1990 } });
  const r = parseAamva(aamvaPayload(s));
  assert.deepEqual(r.fields, licenceTruth(s));
  assert.equal(r.fields.issuing_country, 'CA');
  assert.deepEqual(r.fields.dob, { day: 3, month: 11, year: 1990 });
});

test('older layouts: version 1 full name and version 3 given names read the same as version 10', () => {
  for (const aamvaVersion of [1, 2, 3, 4, 8]) {
    const s = spec({ jurisdiction: 'NY', aamvaVersion, middleName: 'LEE' });
    const r = parseAamva(aamvaPayload(s));
    assert.equal(r.valid, true, `v${aamvaVersion}: ${r.notes.join('; ')}`);
    assert.deepEqual(r.fields, licenceTruth(s), `v${aamvaVersion}`);
  }
});

test('the header gives issuer, version, jurisdiction version and subfile count', () => {
  assert.deepEqual(parseHeader('@\n\x1e\rANSI 636000100102DL00410278'), { iin: '636000', version: 10, jurisdictionVersion: 1, entries: 2, end: 21 });
  assert.deepEqual(parseHeader('@\n\x1e\rANSI 6360140101DL00290278'), { iin: '636014', version: 1, jurisdictionVersion: null, entries: 1, end: 19 });
});

test('CRLF separators and dropped control characters still parse', () => {
  const s = spec({ jurisdiction: 'CA' });
  const payload = aamvaPayload(s);
  for (const variant of [payload.replace(/\n/g, '\r\n'), payload.replace(/\n/g, '\r'), payload.replace(/[\x1e\r]/g, '')]) {
    const r = parseAamva(variant);
    assert.equal(r.valid, true, JSON.stringify(variant.slice(0, 40)));
    assert.deepEqual(r.fields, licenceTruth(s));
  }
});

test('wrong subfile offsets fall back to finding the DL subfile', () => {
  const s = spec({ jurisdiction: 'FL' });
  const payload = aamvaPayload(s).replace(/DL\d{4}/, 'DL0007');
  assert.deepEqual(parseAamva(payload).fields, licenceTruth(s));
});

test('the jurisdiction subfile after the DL subfile does not leak into the fields', () => {
  const payload = aamvaPayload(spec({ jurisdiction: 'WA' }));
  assert.match(payload, /\rZWZWA/);
  const r = parseAamva(payload + 'DAQX999\r');
  assert.equal(r.fields.number, licenceTruth(spec({ jurisdiction: 'WA' })).number);
});

test('sex codes 1, 2 and 9 are male, female and unknown, keeping the printed code', () => {
  for (const [sex, code] of [['male', '1'], ['female', '2'], ['unknown', '9']] as const) {
    const r = parseAamva(aamvaPayload(spec({ sex })));
    assert.equal(r.fields.sex, sex);
    assert.equal(r.fields.unparsed_sex, code);
  }
});

test('a payload that is not AAMVA is found but not valid, with a note', () => {
  const r = parseAamva('HELLO WORLD');
  assert.equal(r.found, true);
  assert.equal(r.valid, false);
  assert.ok(r.notes.some((n) => /no DL or ID subfile/.test(n)));
});

test('a payload without a date of birth is not valid and says what is missing', () => {
  const r = parseAamva(aamvaPayload(spec({})).replace(/\nDBB\d{8}/, ''));
  assert.equal(r.valid, false);
  assert.ok(r.notes.some((n) => /date of birth/.test(n)));
});

test('a truncated name is noted for the audit trail', () => {
  const r = parseAamva(aamvaPayload(spec({ aamvaVersion: 10 })).replace('DDEN', 'DDET'));
  assert.ok(r.notes.includes('last name truncated on the card'));
});

test('dates: the expected order first, the other order when it cannot be a date', () => {
  assert.deepEqual(parseAamvaDate('08311980', false), { day: 31, month: 8, year: 1980 });
  assert.deepEqual(parseAamvaDate('19800831', true), { day: 31, month: 8, year: 1980 });
  assert.deepEqual(parseAamvaDate('19800831', false), { day: 31, month: 8, year: 1980 });
  assert.equal(parseAamvaDate('02301980', false), null);
  assert.equal(parseAamvaDate('1980083', false), null);
});

test('postal codes: ZIP+4 padding is trimmed, a real +4 is kept, Canadian codes get their space', () => {
  assert.equal(parsePostalCode('232690000  '), '23269');
  assert.equal(parsePostalCode('232691234  '), '23269-1234');
  assert.equal(parsePostalCode('23269'), '23269');
  assert.equal(parsePostalCode('K1A0B1     '), 'K1A 0B1');
  assert.equal(parsePostalCode('   '), null);
});
