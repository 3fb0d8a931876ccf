import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from './decode.js';
import { CHAR_INDEX, CHARS } from './glyphs.js';
import { LAYOUTS } from './layout.js';

const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];

/** Scores as a perfect classifier would give them: the printed character clearly first. */
const scoresFor = (lines: string[]) =>
  lines.map((line) =>
    [...line].map((ch) => {
      const s = new Float32Array(CHARS.length).fill(0.3);
      s[CHAR_INDEX[ch]] = 0.9;
      return s;
    }),
  );

test('clear glyphs decode to the printed lines with every check passing', () => {
  const d = decode(LAYOUTS.TD2, scoresFor(TD2));
  assert.deepEqual(d.lines, TD2);
  assert.equal(d.valid, true);
  assert.deepEqual(d.repairs, []);
});

test('a near-tie in the document number is settled by its check digit', () => {
  const scores = scoresFor(TD2);
  scores[1][1][CHAR_INDEX['7']] = 0.93; // '2' misread as '7', but '2' was a close second
  const d = decode(LAYOUTS.TD2, scores);
  assert.equal(d.lines[1], TD2[1]);
  assert.equal(d.valid, true);
  assert.match(d.repairs.join(), /number: line 2 col 2 → 2/);
});

test('a misread with no plausible alternative is left failing rather than forced through', () => {
  const scores = scoresFor(TD2);
  scores[1][1][CHAR_INDEX['7']] = 0.95;
  scores[1][1][CHAR_INDEX['2']] = 0.4;
  const d = decode(LAYOUTS.TD2, scores);
  assert.equal(d.valid, false);
  assert.match(d.repairs.join(), /number: check digit fails/);
});

test('each position only takes the characters its field allows', () => {
  const scores = scoresFor(TD2);
  scores[0][5][CHAR_INDEX['8']] = 0.95; // a digit cannot appear in a name
  scores[1][13][CHAR_INDEX['Z']] = 0.95; // nor a letter in a date
  const d = decode(LAYOUTS.TD2, scores);
  assert.deepEqual(d.lines, TD2);
});

test('a zone whose glyphs all match poorly is not trusted even when its check digits pass', () => {
  const scores = scoresFor(TD2).map((line) => line.map((s) => s.map((v) => (v > 0.5 ? 0.55 : v))));
  const d = decode(LAYOUTS.TD2, scores);
  assert.deepEqual(d.lines, TD2);
  assert.equal(d.trusted, false);
  assert.equal(d.valid, false);
});
