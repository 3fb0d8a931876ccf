import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printedMrz } from '../../../test/fixtures/documents.js';
import { EH, EW, sampleCell } from './cells.js';
import { CHARS, classify } from './glyphs.js';
import { loadGrey } from './image.js';
import { locateMrz } from './locate.js';
import { ocrbSkip } from '../../../test/fixtures/ocr-b.js';

const skip = ocrbSkip();

// Every character of the alphabet, twice, in a two-line zone so the locator lays the grid.
const LINE = (CHARS + CHARS).slice(0, 44);
const LINE2 = (CHARS.slice(20) + CHARS).slice(0, 44);

for (const pitch of [16, 28]) {
  test(`every MRZ character is recognised unaided at ${pitch} px a character`, { skip }, async () => {
    const g = await loadGrey(await printedMrz([LINE, LINE2], { pitch }));
    const [zone] = locateMrz(g);
    const cell = new Float32Array(EW * EH);
    const read = zone.lines.map((line) =>
      line.xs.map((_, i) => {
        sampleCell(g, line, i, cell);
        return CHARS[classify(cell).char];
      }).join(''),
    );
    assert.deepEqual(read, [LINE, LINE2]);
  });
}
