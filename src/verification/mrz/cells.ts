// How a character cell is cut out of the photo: a window around the cell centre, sized in units of the local
// pitch and sampled on a fixed grid along the line's own axes (so rotation and scale vanish here). The glyph
// templates are cut with this same function from rendered OCR-B (scripts/make-mrz-glyphs.ts), which is what
// makes a template and a photographed glyph comparable pixel for pixel.
import { sampleAt, type Grey } from './image.js';
import type { TextLine } from './locate.js';

/** Template size in grid steps, and the margin sampled around it for the shift search. */
export const GW = 16;
export const GH = 21;
export const MX = 2;
export const MY = 3;
export const EW = GW + 2 * MX;
export const EH = GH + 2 * MY;

/** The window, in pitches: 1.1 wide, from 1.35 above the baseline to 0.15 below it. */
const WIDTH = 1.1;
const ABOVE = 1.35;
const HEIGHT = 1.5;

/**
 * Samples cell `i` of `line` (with margins) into `out` (EW × EH, row-major), as ink darkness 0..255.
 * `scale` sizes the window to the glyphs (printers set OCR-B a little larger or smaller against the fixed
 * pitch) and `vscale` stretches it vertically on top of that, about the baseline: a camera tilted towards or
 * away from the text changes glyph height and pitch by different amounts, and OCR-B tells O from 0 mostly by
 * height.
 */
export function sampleCell(g: Grey, line: TextLine, i: number, out: Float32Array, scale = 1, vscale = 1): void {
  const p = line.pitch[i] * scale;
  const sx = (WIDTH * p) / GW;
  const sy = (HEIGHT * p * vscale) / GH;
  const ox = line.xs[i] - (WIDTH / 2) * p * line.ux - ABOVE * vscale * p * line.nx;
  const oy = line.ys[i] - (WIDTH / 2) * p * line.uy - ABOVE * vscale * p * line.ny;
  let k = 0;
  for (let gy = -MY; gy < GH + MY; gy++) {
    const ay = (gy + 0.5) * sy;
    for (let gx = -MX; gx < GW + MX; gx++) {
      const ax = (gx + 0.5) * sx;
      out[k++] = 255 - sampleAt(g, ox + ax * line.ux + ay * line.nx, oy + ax * line.uy + ay * line.ny);
    }
  }
}

/** The line with cell i moved by (dx(i), dy(i)) grid steps along its own axes. */
export function shiftLine(line: TextLine, dx: (i: number) => number, dy: (i: number) => number): TextLine {
  const along = (i: number) => (dx(i) * WIDTH * line.pitch[i]) / GW;
  const across = (i: number) => (dy(i) * HEIGHT * line.pitch[i]) / GH;
  return {
    ...line,
    xs: line.xs.map((x, i) => x + along(i) * line.ux + across(i) * line.nx),
    ys: line.ys.map((y, i) => y + along(i) * line.uy + across(i) * line.ny),
  };
}
