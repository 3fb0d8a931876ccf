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
function readZone(g: Grey): Decoded | null {
  const candidates = locateMrz(g).slice(0, 4);
  if (candidates.length === 0) return null;
  let decoded = readCandidate(g, candidates[0]);
  for (const cand of candidates.slice(1)) {
    if (decoded.valid) break;
    const other = readCandidate(g, cand);
    if (other.valid) decoded = other;
  }
  return decoded;
}

/** Reads the MRZ of a passport data page, TD2 card or TD1 card back. */
export async function readMrz(image: Buffer): Promise<SourceReading> {
  const notes: string[] = [];
  let g: Grey;
  try {
    g = await loadGrey(image);
  } catch (e) {
    return { source: 'mrz', found: false, valid: false, fields: emptyFields(), notes: [`image not readable: ${(e as Error).message}`], raw: null };
  }
  let decoded = readZone(g);
  if (!decoded?.valid) {
    // A document photographed upside down: reversing the pixel order turns the picture by 180°.
    const turned = readZone({ ...g, data: g.data.slice().reverse() });
    if (turned && (turned.valid || !decoded || turned.confidence > decoded.confidence + 0.1)) {
      decoded = turned;
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
  return { source: 'mrz', found: true, valid: parsed.valid && decoded.trusted, fields: parsed.fields, notes, raw: decoded.lines.join('\n') };
}
