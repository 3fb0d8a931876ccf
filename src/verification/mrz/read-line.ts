// Reading one MRZ line: its cells are aligned as a whole, scored glyph by glyph, and re-scored at the vertical
// scale that fits the glyphs best. Scores stay per character, so decode.ts can still weigh the runners-up.
import { EH, EW, sampleCell, shiftLine } from './cells.js';
import { allowedFor } from './decode.js';
import { classify, scoreNear, type CellScores } from './glyphs.js';
import type { Grey } from './image.js';
import type { TextLine } from './locate.js';

/** Glyph size against the pitch, then glyph height against width: the two searches a line goes through. */
const SCALES = [0.9, 0.95, 1.05, 1.1];
const VSCALES = [0.9, 0.94, 0.97, 1.03, 1.06, 1.1];

interface Fit {
  scale: number;
  vscale: number;
}

/** Every cell of one line scored against the characters its slot allows. */
function scoreLine(g: Grey, line: TextLine, slots: string, fit: Fit): CellScores[] {
  const cell = new Float32Array(EW * EH);
  return line.xs.map((_, i) => {
    sampleCell(g, line, i, cell, fit.scale, fit.vscale);
    return classify(cell, allowedFor(slots[i]));
  });
}

const meanBest = (cells: CellScores[]) => cells.reduce((s, c) => s + c.best, 0) / cells.length;

/**
 * Of the fits `options`, the one under which the line's glyphs look most like themselves. Only each cell's
 * current best character is re-scored (cheap); `current` is kept unless another fit does better.
 */
function bestFit(g: Grey, line: TextLine, first: CellScores[], current: Fit, options: Fit[]): Fit {
  const cell = new Float32Array(EW * EH);
  let best = { fit: current, score: meanBest(first) };
  for (const fit of options) {
    let sum = 0;
    for (let i = 0; i < line.xs.length; i++) {
      sampleCell(g, line, i, cell, fit.scale, fit.vscale);
      sum += scoreNear(cell, first[i].char, first[i].dx, first[i].dy);
    }
    const score = sum / line.xs.length;
    if (score > best.score + 0.002) best = { fit, score };
  }
  return best.fit;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/**
 * Corrects a line whose grid sits off the glyphs (a baseline thrown by fillers or tilt, a pitch a little off
 * at the ends): every other cell is matched with the full shift search, and a straight line through those
 * shifts, fitted along the text, moves every cell, so the per-cell search is centred again for the real pass.
 */
function alignLine(g: Grey, line: TextLine, slots: string): TextLine {
  const cell = new Float32Array(EW * EH);
  const pts: { i: number; dx: number; dy: number }[] = [];
  for (let i = 0; i < line.xs.length; i += 2) {
    sampleCell(g, line, i, cell, line.scale);
    const c = classify(cell, allowedFor(slots[i]));
    if (c.best >= 0.6) pts.push({ i, dx: c.dx, dy: c.dy });
  }
  if (pts.length < 4) return line;
  const fit = (key: 'dx' | 'dy') => {
    // Least squares after dropping shifts far from the median (a glyph matched at the wrong place).
    const m = median(pts.map((p) => p[key]));
    const use = pts.filter((p) => Math.abs(p[key] - m) <= 1);
    const n = use.length;
    const mi = use.reduce((s, p) => s + p.i, 0) / n;
    const mv = use.reduce((s, p) => s + p[key], 0) / n;
    const sii = use.reduce((s, p) => s + (p.i - mi) ** 2, 0);
    const slope = sii > 0 ? use.reduce((s, p) => s + (p.i - mi) * (p[key] - mv), 0) / sii : 0;
    return (i: number) => mv + slope * (i - mi);
  };
  const fx = fit('dx');
  const fy = fit('dy');
  return shiftLine(line, fx, fy);
}

/** Scores for every cell of `line` (one Float32Array over the classifier's alphabet per cell). */
export function readLine(g: Grey, raw: TextLine, slots: string): Float32Array[] {
  const line = alignLine(g, raw, slots);
  const start = { scale: line.scale, vscale: 1 };
  let cells = scoreLine(g, line, slots, start);
  let sized = start;
  // Twice: glyphs misread at the wrong size can favour the wrong size; read at a better one, they settle.
  for (let round = 0; round < 2; round++) {
    const next = bestFit(g, line, cells, sized, SCALES.map((f) => ({ scale: sized.scale * f, vscale: 1 })));
    if (next === sized) break;
    sized = next;
    cells = scoreLine(g, line, slots, sized);
  }
  const stretched = bestFit(g, line, cells, sized, VSCALES.map((vscale) => ({ scale: sized.scale, vscale })));
  if (stretched !== sized) cells = scoreLine(g, line, slots, stretched);
  return cells.map((c) => c.scores);
}
