// The glyph classifier: normalised cross-correlation of a sampled cell against one averaged OCR-B template per
// character, at the best of a few small shifts (the cell grid is only accurate to a fraction of a pitch).
import { EH, EW, GH, GW, MX, MY } from './cells.js';
import { GLYPH_CHARS, GLYPH_DATA, GLYPH_HEIGHT, GLYPH_WIDTH } from './glyph-data.js';

if (GLYPH_WIDTH !== GW || GLYPH_HEIGHT !== GH) throw new Error('glyph-data.ts is stale: run scripts/make-mrz-glyphs.ts');

export const CHARS = GLYPH_CHARS;
const N = GW * GH;

/** Zero-mean, unit-norm templates, so a dot product with any window is its correlation numerator. */
const TEMPLATES: Float32Array[] = (() => {
  const bytes = Buffer.from(GLYPH_DATA, 'base64');
  return [...CHARS].map((_, c) => {
    const t = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      const k = c * N + i;
      t[i] = k & 1 ? bytes[k >> 1] & 15 : bytes[k >> 1] >> 4;
    }
    let mean = 0;
    for (const v of t) mean += v;
    mean /= N;
    let norm = 0;
    for (let i = 0; i < N; i++) {
      t[i] -= mean;
      norm += t[i] * t[i];
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < N; i++) t[i] /= norm;
    return t;
  });
})();

/** Character `c`'s template (zero mean, unit norm, GW × GH), for tests that check the search against its definition. */
export const template = (c: number): Readonly<Float32Array> => TEMPLATES[c];

export interface CellScores {
  /** Correlation in [-1, 1] per character of CHARS. */
  scores: Float32Array;
  /** The vertical shift (grid steps) at which the best character matched. */
  dy: number;
  dx: number;
  /** The best score of any character, and that character's index. */
  best: number;
  char: number;
}

/** Copies the GW × GH window at shift (sx, sy) out of a sampled cell; returns its centred norm. */
function window(cell: Float32Array, sx: number, sy: number, win: Float32Array): number {
  let sum = 0, sq = 0, k = 0;
  for (let y = 0; y < GH; y++) {
    const row = (y + MY + sy) * EW + MX + sx;
    for (let x = 0; x < GW; x++) {
      const v = cell[row + x];
      win[k++] = v;
      sum += v;
      sq += v * v;
    }
  }
  const varSum = sq - (sum * sum) / N;
  return varSum > 1e-6 ? Math.sqrt(varSum) : 1;
}

// Four running sums rather than one: a single sum makes every addition wait for the one before it, which was
// most of the classifier's time. (N is a multiple of four; the rounding differs from one sum's by ~1e-16.)
if (N % 4 !== 0) throw new Error('dot() needs the template size to be a multiple of 4');
function dot(a: Float32Array, b: Float32Array): number {
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  for (let i = 0; i < N; i += 4) {
    d0 += a[i] * b[i];
    d1 += a[i + 1] * b[i + 1];
    d2 += a[i + 2] * b[i + 2];
    d3 += a[i + 3] * b[i + 3];
  }
  return d0 + d1 + (d2 + d3);
}

const win = new Float32Array(N);

/**
 * Best correlation of each of `chars` over the shifts within `radius` of (cx, cy). `skipCentre`: the chars
 * were already scored at (cx, cy) itself, which could only give the same values again.
 */
function search(cell: Float32Array, chars: readonly number[], cx: number, cy: number, radius: number, out: CellScores, skipCentre = false): void {
  if (chars.length === 0) return;
  for (let sy = Math.max(-MY, cy - radius); sy <= Math.min(MY, cy + radius); sy++) {
    for (let sx = Math.max(-MX, cx - radius); sx <= Math.min(MX, cx + radius); sx++) {
      if (skipCentre && sx === cx && sy === cy) continue;
      const norm = window(cell, sx, sy, win);
      for (const c of chars) {
        const r = dot(win, TEMPLATES[c]) / norm;
        if (r > out.scores[c]) {
          out.scores[c] = r;
          if (r >= out.best) {
            out.best = r;
            out.char = c;
            out.dx = sx;
            out.dy = sy;
          }
        }
      }
    }
  }
}

/**
 * Scores one sampled cell (EW × EH from sampleCell) against the templates of `allowed` (default: all).
 * Coarse to fine, as a full shift search for every character costs five times more: the six characters that
 * fit best unshifted find the shift, and the eight best so far are then scored around that shift (the rest
 * keep their unshifted score; they are too far behind to matter).
 */
export function classify(cell: Float32Array, allowed?: readonly number[]): CellScores {
  const chars = allowed ?? ALL;
  const out: CellScores = { scores: new Float32Array(CHARS.length).fill(-1), dx: 0, dy: 0, best: -2, char: -1 };
  search(cell, chars, 0, 0, 0, out);
  const ranked = () => [...chars].sort((a, b) => out.scores[b] - out.scores[a]);
  const wide = ranked().slice(0, 6);
  search(cell, wide, 0, 0, Math.max(MX, MY), out, true);
  // The wide search covered every shift there is, so its characters already hold their best score anywhere:
  // scoring them again around the winning shift could change nothing. Only the other two of the eight need it.
  search(cell, ranked().slice(0, 8).filter((c) => !wide.includes(c)), out.dx, out.dy, 1, out);
  return out;
}

/** The score of one character near a known shift (for re-checking a line at another scale). */
export function scoreNear(cell: Float32Array, char: number, dx: number, dy: number): number {
  const out: CellScores = { scores: new Float32Array(CHARS.length).fill(-1), dx, dy, best: -2, char: -1 };
  search(cell, [char], dx, dy, 1, out);
  return out.scores[char];
}

const ALL = [...CHARS].map((_, i) => i);

export const CHAR_INDEX: Record<string, number> = Object.fromEntries([...CHARS].map((c, i) => [c, i]));
export { EH, EW };
