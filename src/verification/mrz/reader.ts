// The MRZ reader: photo in, SourceReading out. Finds the zone (locate.ts), samples every character cell along
// the line's own axes (cells.ts, read-line.ts), scores it against OCR-B templates (glyphs.ts) and lets the
// check digits pick among each glyph's candidates (decode.ts). No OCR engine and no font at run time.
import type { SourceReading } from '../reading.js';
import { emptyFields } from '../reading.js';
import { decode, type Decoded } from './decode.js';
import { loadGrey, type Grey } from './image.js';
import { LAYOUTS } from './layout.js';
import { locateMrz, type MrzCandidate } from './locate.js';
import { parseMrz } from './parse.js';
import { readLine } from './read-line.js';

function readCandidate(g: Grey, cand: MrzCandidate): Decoded {
  const layout = LAYOUTS[cand.format];
  const scores = cand.lines.map((line, l) => readLine(g, line, layout.slots[l]));
  return decode(layout, scores);
}

/**
 * The best reading of the zones found in `g`, or null when there is none. The geometrically best zone wins
 * unless a later one passes every check digit (a caption that happened to look like an MRZ line, say).
 */
function readZone(g: Grey): { decoded: Decoded; cand: MrzCandidate } | null {
  const candidates = locateMrz(g).slice(0, 4);
  if (candidates.length === 0) return null;
  let best = { decoded: readCandidate(g, candidates[0]), cand: candidates[0] };
  for (const cand of candidates.slice(1)) {
    if (best.decoded.valid) break;
    const other = readCandidate(g, cand);
    if (other.valid) best = { decoded: other, cand };
  }
  return best;
}

/**
 * The top edge of the zone as a line through two points, in fractions of the (EXIF-upright) image's width and
 * height; everything on the far side of it from the page's top is MRZ. Lets the printed-zone reader leave the
 * MRZ out (it would only be compared with itself) whatever the document's tilt.
 */
export interface MrzTopEdge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function topEdge(g: Grey, cand: MrzCandidate): MrzTopEdge {
  const line = cand.lines[0];
  const last = line.xs.length - 1;
  // OCR-B capitals stand about one pitch tall above the baseline; half a pitch more clears their tops.
  const up = (i: number) => 1.5 * line.pitch[i];
  return {
    x0: (line.xs[0] - line.nx * up(0)) / g.width,
    y0: (line.ys[0] - line.ny * up(0)) / g.height,
    x1: (line.xs[last] - line.nx * up(last)) / g.width,
    y1: (line.ys[last] - line.ny * up(last)) / g.height,
  };
}

/**
 * Reads the MRZ of a passport data page, TD2 card or TD1 card back: encoded image bytes, or the grey pixels the
 * caller already decoded (loadGrey). `topEdge` is set when the zone was found upright.
 */
export async function readMrz(image: Buffer | Grey): Promise<SourceReading & { topEdge?: MrzTopEdge }> {
  const notes: string[] = [];
  let g: Grey;
  try {
    g = Buffer.isBuffer(image) ? await loadGrey(image) : image;
  } catch (e) {
    return { source: 'mrz', found: false, valid: false, fields: emptyFields(), notes: [`image not readable: ${(e as Error).message}`], raw: null };
  }
  const upright = readZone(g);
  let decoded = upright?.decoded ?? null;
  let edge: MrzTopEdge | undefined = upright ? topEdge(g, upright.cand) : undefined;
  if (!decoded?.valid) {
    // A document photographed upside down: reversing the pixel order turns the picture by 180°.
    const turned = readZone({ ...g, data: g.data.slice().reverse() })?.decoded;
    if (turned && (turned.valid || !decoded || turned.confidence > decoded.confidence + 0.1)) {
      decoded = turned;
      edge = undefined;
      notes.push('image was upside down');
    }
  }
  if (!decoded) {
    return { source: 'mrz', found: false, valid: false, fields: emptyFields(), notes: ['no machine-readable zone found'], raw: null };
  }
  const parsed = parseMrz(decoded.lines)!;
  notes.push(...decoded.repairs);
  notes.push(`glyph match: mean ${decoded.confidence.toFixed(3)}, weakest ${decoded.weakest.toFixed(3)}`);
  if (!decoded.trusted) notes.push('glyphs too unclear to trust the check digits');
  for (const c of parsed.checks) if (!c.ok) notes.push(`check digit failed: ${c.name}`);
  return { source: 'mrz', found: true, valid: parsed.valid && decoded.trusted, fields: parsed.fields, notes, raw: decoded.lines.join('\n'), ...(edge && { topEdge: edge }) };
}
