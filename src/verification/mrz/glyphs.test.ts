import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printedMrz } from '../../../test/fixtures/documents.js';
import { EH, EW, GH, GW, MX, MY, sampleCell } from './cells.js';
import { CHARS, classify, template } from './glyphs.js';
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

test('the classifier finds its best character at that character’s best shift, as a search of every shift does', { skip }, async () => {
  const g = await loadGrey(await printedMrz([LINE, LINE2], { pitch: 20 }));
  const [zone] = locateMrz(g);
  const cell = new Float32Array(EW * EH);
  // Off-grid cells too: sampled a third of a pitch along, the glyph sits at a shift other than the centre.
  for (const offset of [0, 0.35]) {
    for (const line of zone.lines) {
      for (let i = 0; i < line.xs.length; i += 3) {
        const shifted = { ...line, xs: line.xs.map((x) => x + offset * line.pitch[0] * line.ux), ys: line.ys.map((y) => y + offset * line.pitch[0] * line.uy) };
        sampleCell(g, shifted, i, cell);
        const c = classify(cell);
        const full = fullSearch(cell, c.char);
        assert.ok(Math.abs(c.best - full.best) < 1e-9, `cell ${i}: ${c.best} vs ${full.best}`);
        assert.equal(c.scores[c.char], Math.fround(c.best));
        assert.deepEqual([c.dx, c.dy], [full.dx, full.dy]);
      }
    }
  }
});

/** The plain definition: the correlation of `char`'s template with the cell at every shift, the best kept. */
function fullSearch(cell: Float32Array, char: number): { best: number; dx: number; dy: number } {
  const t = template(char);
  let out = { best: -2, dx: 0, dy: 0 };
  for (let dy = -MY; dy <= MY; dy++) {
    for (let dx = -MX; dx <= MX; dx++) {
      const w: number[] = [];
      for (let y = 0; y < GH; y++) for (let x = 0; x < GW; x++) w.push(cell[(y + MY + dy) * EW + MX + dx + x]);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const norm = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0)) || 1;
      const r = w.reduce((a, v, k) => a + v * t[k], 0) / norm;
      if (r > out.best) out = { best: r, dx, dy };
    }
  }
  return out;
}
