// Finding the MRZ in a photo: ink blobs of character size are chained left to right along a common baseline;
// chains with a regular, fixed pitch and 30+ characters are MRZ lines; two or three parallel ones stacked
// closely form the zone. Each line then gets a cell grid (one cell per character) that follows the line's
// own tilt and, through a quadratic fit of the blob positions, the pitch change a tilted camera causes.
import { binarise, blobs, halve, type Blob, type Grey } from './image.js';
import { LAYOUTS, type MrzFormat } from './layout.js';

/** One MRZ line: a baseline and the centre of every character cell along it. */
export interface TextLine {
  /** Unit vector along the text, and the unit normal pointing down the page. */
  ux: number;
  uy: number;
  nx: number;
  ny: number;
  /** Baseline point under each cell centre. */
  xs: number[];
  ys: number[];
  /** Local pitch (distance between cell centres) at each cell. */
  pitch: number[];
  /** Glyph size against the templates' (1 = OCR-B at 1.45 pitches to the em), from the blob heights. */
  scale: number;
}

export interface MrzCandidate {
  format: MrzFormat;
  lines: TextLine[];
}

interface Node {
  cx: number;
  bottom: number;
  h: number;
  blob: Blob;
}

interface Chain {
  nodes: Node[];
  ox: number;
  oy: number;
  ux: number;
  uy: number;
  /** Position of each node along u. */
  t: number[];
  pitch: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function fitChain(nodes: Node[]): Chain {
  const n = nodes.length;
  let mx = 0, my = 0;
  for (const d of nodes) {
    mx += d.cx;
    my += d.bottom;
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0;
  for (const d of nodes) {
    sxx += (d.cx - mx) ** 2;
    sxy += (d.cx - mx) * (d.bottom - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const norm = Math.hypot(1, slope);
  const ux = 1 / norm;
  const uy = slope / norm;
  const t = nodes.map((d) => (d.cx - mx) * ux + (d.bottom - my) * uy);
  const gaps = t.slice(1).map((v, i) => v - t[i]);
  return { nodes, ox: mx, oy: my, ux, uy, t, pitch: median(gaps) };
}

/** Links each blob to its nearest plausible right-hand neighbour (mutually), and follows the links. */
function chainBlobs(nodes: Node[]): Node[][] {
  nodes.sort((a, b) => a.cx - b.cx);
  const right = new Int32Array(nodes.length).fill(-1);
  const leftDist = new Float64Array(nodes.length).fill(Infinity);
  const left = new Int32Array(nodes.length).fill(-1);
  for (let i = 0; i < nodes.length; i++) {
    const a = nodes[i];
    let best = -1;
    let bestD = Infinity;
    for (let j = i + 1; j < nodes.length; j++) {
      const b = nodes[j];
      const dx = b.cx - a.cx;
      if (dx > 2.2 * a.h) break;
      if (dx < 0.4 * a.h) continue;
      const ratio = b.h / a.h;
      if (ratio < 0.55 || ratio > 1.8) continue;
      if (Math.abs(b.bottom - a.bottom) > 0.35 * Math.max(a.h, b.h)) continue;
      const d = dx + 2 * Math.abs(b.bottom - a.bottom);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    right[i] = best;
    if (best >= 0 && bestD < leftDist[best]) {
      leftDist[best] = bestD;
      left[best] = i;
    }
  }
  const chains: Node[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (left[i] >= 0 && right[left[i]] === i) continue; // not a chain start
    const chain: Node[] = [];
    for (let k = i; k >= 0; ) {
      chain.push(nodes[k]);
      const next = right[k];
      k = next >= 0 && left[next] === k ? next : -1;
    }
    if (chain.length >= 4) chains.push(chain);
  }
  return chains;
}

/** Joins chains that continue one another along the same line (a link broken by a merged or split blob). */
function mergeCollinear(chains: Chain[]): Chain[] {
  let merged = true;
  let list = [...chains].sort((a, b) => a.nodes[0].cx - b.nodes[0].cx);
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      const a = list[i];
      const last = a.nodes[a.nodes.length - 1];
      for (let j = 0; j < list.length; j++) {
        if (i === j) continue;
        const b = list[j];
        const first = b.nodes[0];
        const dx = first.cx - a.ox;
        const dy = first.bottom - a.oy;
        const along = dx * a.ux + dy * a.uy - a.t[a.t.length - 1];
        const across = Math.abs(-dx * a.uy + dy * a.ux);
        const p = a.pitch;
        if (along < 0.4 * p || along > 4.2 * p || across > 0.45 * p) continue;
        if (b.nodes.length >= 3 && (b.pitch / p < 0.75 || b.pitch / p > 1.33)) continue;
        if (first.cx <= last.cx) continue;
        const joined = fitChain([...a.nodes, ...b.nodes]);
        list = list.filter((_, k) => k !== i && k !== j);
        list.push(joined);
        list.sort((x, y) => x.nodes[0].cx - y.nodes[0].cx);
        merged = true;
        break outer;
      }
    }
  }
  return list;
}

const regularity = (c: Chain): number => {
  const gaps = c.t.slice(1).map((v, i) => v - c.t[i]);
  return gaps.filter((g) => g > 0.75 * c.pitch && g < 1.3 * c.pitch).length / Math.max(1, gaps.length);
};

const spanCount = (c: Chain) => (c.t[c.t.length - 1] - c.t[0]) / c.pitch + 1;

/** Builds the cell grid of one line, given the zone's character count, pitch and where its first cell lies. */
function gridFor(c: Chain, count: number, pitch: number, t0: number): TextLine {
  const nx = -c.uy;
  const ny = c.ux;
  // Each blob votes for the cell it sits in; a quadratic through (cell index, position) follows perspective.
  // Indices are counted blob to blob rather than from t0, since under perspective the pitch drifts along the
  // line and a single pitch would misplace the middle cells by up to half a cell.
  const pts: [number, number][] = [];
  let prevT = t0;
  let prevI = 0;
  let local = pitch;
  c.t.forEach((t, k) => {
    const w = c.nodes[k].blob.x1 - c.nodes[k].blob.x0 + 1;
    // Two glyphs merged by blur have a centre that belongs to neither cell; narrow glyphs (1, I) are centred
    // off their cell by a tenth of a pitch, enough to bend the fit at the ends of a line.
    if (w > 1.3 * pitch || w < 0.45 * pitch) return;
    const i = k === 0 ? Math.round((t - t0) / pitch) : prevI + Math.round((t - prevT) / local);
    if (i < 0 || i >= count) return;
    if (k > 0 && i > prevI) local = 0.7 * local + 0.3 * ((t - prevT) / (i - prevI));
    if (i > prevI || pts.length === 0) pts.push([i, t]);
    prevT = t;
    prevI = i;
  });
  const coef = pts.length >= 12 ? polyfit(pts, 2) : pts.length >= 3 ? polyfit(pts, 1) : [t0, pitch];
  const tAt = (i: number) => coef.reduce((s, a, k) => s + a * i ** k, 0);
  const dtAt = (i: number) => coef.reduce((s, a, k) => (k === 0 ? s : s + k * a * i ** (k - 1)), 0);
  // Baseline: the bottoms of letters and digits. `<` sits higher, so the line is fitted first and then moved to
  // a high percentile of the residuals (the true baseline lies below the fillers).
  const along = c.nodes.map((d) => (d.cx - c.ox) * c.ux + (d.bottom - c.oy) * c.uy);
  const across = c.nodes.map((d) => (d.cx - c.ox) * nx + (d.bottom - c.oy) * ny);
  const [s0, s1] = polyfit(along.map((a, k) => [a, across[k]]), 1);
  const residuals = across.map((s, k) => s - (s0 + s1 * along[k])).sort((a, b) => a - b);
  const lift = residuals[Math.floor(residuals.length * 0.8)] ?? 0;
  const xs: number[] = [];
  const ys: number[] = [];
  const pitches: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = tAt(i);
    const s = s0 + s1 * t + lift;
    xs.push(c.ox + t * c.ux + s * nx);
    ys.push(c.oy + t * c.uy + s * ny);
    pitches.push(dtAt(i));
  }
  // Letters stand 1.05 pitches tall in the templates, digits 1.15; a high percentile of the blob heights sits
  // between the two whatever the mix (fillers are shorter), which is close enough to start the size search.
  const heights = c.nodes.map((d) => d.h).sort((a, b) => a - b);
  const h80 = heights[Math.floor(heights.length * 0.8)];
  const scale = Math.min(1.4, Math.max(0.7, h80 / (1.1 * pitch)));
  return { ux: c.ux, uy: c.uy, nx, ny, xs, ys, pitch: pitches, scale };
}

/** Least-squares polynomial of `degree` through (x, y) points; coefficients lowest power first. */
function polyfit(pts: [number, number][], degree: number): number[] {
  const m = degree + 1;
  const a = Array.from({ length: m }, () => new Array(m + 1).fill(0));
  for (const [x, y] of pts) {
    const pw = Array.from({ length: 2 * m }, (_, k) => x ** k);
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) a[r][c] += pw[r + c];
      a[r][m] += pw[r] * y;
    }
  }
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    [a[col], a[piv]] = [a[piv], a[col]];
    if (Math.abs(a[col][col]) < 1e-12) return degree > 1 ? polyfit(pts, degree - 1).concat(0) : [pts[0]?.[1] ?? 0, 0];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= m; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[m] / row[i]);
}

/** Candidate MRZ zones in the image, most plausible first (usually exactly one). */
export function locateMrz(g: Grey): MrzCandidate[] {
  // Large photos are searched at half size (4× fewer pixels to threshold and label); the cell grid is mapped
  // back to full resolution, where the glyphs are sampled.
  if (Math.max(g.width, g.height) <= 1100) return locateIn(g);
  return locateIn(halve(g)).map((c) => ({
    format: c.format,
    lines: c.lines.map((l) => ({
      ...l,
      xs: l.xs.map((x) => 2 * x + 0.5),
      ys: l.ys.map((y) => 2 * y + 0.5),
      pitch: l.pitch.map((p) => 2 * p),
    })),
  }));
}

function locateIn(g: Grey): MrzCandidate[] {
  const side = Math.max(g.width, g.height);
  const mask = binarise(g, Math.max(15, Math.round(side / 30)));
  const found = blobs(mask, g.width, g.height, Math.max(6, Math.round(side / 250)), Math.round(side / 12));
  const nodes: Node[] = [];
  for (const b of found) {
    const w = b.x1 - b.x0 + 1;
    const h = b.y1 - b.y0 + 1;
    if (w > 3 * h || b.area < 12) continue;
    nodes.push({ cx: (b.x0 + b.x1) / 2, bottom: b.y1 + 0.5, h, blob: b });
  }
  const chains = mergeCollinear(chainBlobs(nodes).map(fitChain));
  const lines = chains.filter((c) => c.nodes.length >= 12 && spanCount(c) >= 24 && regularity(c) >= 0.6);
  // Order top to bottom by the vertical position of each line's middle.
  const mid = (c: Chain) => c.oy;
  lines.sort((a, b) => mid(a) - mid(b));
  const follows = (a: Chain, b: Chain): boolean => {
    if (Math.abs(Math.atan2(a.uy, a.ux) - Math.atan2(b.uy, b.ux)) > 0.05) return false;
    const ratio = b.pitch / a.pitch;
    if (ratio < 0.85 || ratio > 1.18) return false;
    const dx = b.ox - a.ox;
    const dy = b.oy - a.oy;
    const across = -dx * a.uy + dy * a.ux;
    if (across < 1.0 * a.pitch || across > 2.8 * a.pitch) return false;
    const bx = b.nodes[0].cx - a.ox;
    const by = b.nodes[0].bottom - a.oy;
    const startB = bx * a.ux + by * a.uy;
    return Math.abs(startB - a.t[0]) < 3 * a.pitch;
  };
  const candidates: { score: number; cand: MrzCandidate }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const group = [lines[i]];
    for (let j = i + 1; j < lines.length && group.length < 3; j++) if (follows(group[group.length - 1], lines[j])) group.push(lines[j]);
    if (group.length < 2) continue;
    const counts = group.map(spanCount);
    const formats: MrzFormat[] = group.length === 3 ? ['TD1'] : ['TD3', 'TD2'];
    for (const format of formats) {
      // A zone is never shorter or longer than its format by more than a lost glyph or two.
      if (Math.abs(Math.max(...counts) - LAYOUTS[format].width) > 3) continue;
      const cand = buildCandidate(group, format, counts);
      if (cand) candidates.push({ score: Math.abs(Math.max(...counts) - LAYOUTS[format].width), cand });
    }
    if (group.length === 3) i += 2;
  }
  return candidates.sort((a, b) => a.score - b.score).map((c) => c.cand);
}

function buildCandidate(group: Chain[], format: MrzFormat, counts: number[]): MrzCandidate | null {
  const n = LAYOUTS[format].width;
  // Lines whose chain spans the full width fix the pitch and the left edge; the others inherit them.
  const whole = group.map((c, k) => Math.abs(counts[k] - n) < 0.6);
  const pitches = group.filter((_, k) => whole[k]).map((c) => (c.t[c.t.length - 1] - c.t[0]) / (n - 1));
  const pitch = pitches.length ? median(pitches) : median(group.map((c) => c.pitch));
  if (!(pitch > 0)) return null;
  const ref = group.find((_, k) => whole[k]);
  const lines = group.map((c, k) => {
    let t0 = c.t[0];
    if (!whole[k] && ref) {
      const fx = ref.ox + ref.t[0] * ref.ux;
      const fy = ref.oy + ref.t[0] * ref.uy;
      t0 = (fx - c.ox) * c.ux + (fy - c.oy) * c.uy;
    }
    return gridFor(c, n, pitch, t0);
  });
  return { format, lines };
}
