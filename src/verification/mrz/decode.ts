// From glyph scores to MRZ text: each position takes the best character its slot allows (digits where only
// digits can be, letters in names), then every failing check digit is repaired by the cheapest change to the
// characters it protects, trying each glyph's runner-up candidates. A repair must make the check pass, so it
// can only fix what the check digit can see; names, which no check covers, rest on the classifier alone.
import { CHAR_INDEX } from './glyphs.js';
import { checkPasses, rulesFor, SLOT_CHARS, type CheckRule, type Layout, type Slot } from './layout.js';

export interface Decoded {
  lines: string[];
  /** Notes on the repairs made, for the audit trail. */
  repairs: string[];
  /** Every check digit passes and the glyphs are trusted. */
  valid: boolean;
  /** Mean score of the characters chosen: how OCR-B-like the zone looked. */
  confidence: number;
  /** The lowest score among the characters finally chosen: one badly seen glyph is enough to distrust a zone. */
  weakest: number;
  /**
   * The glyphs looked like OCR-B at all. Check digits catch one misread in ten only by luck when everything is
   * misread (a zone sampled off its grid, or upside down), and repairs make that worse, so a zone whose glyphs
   * match poorly is never reported valid.
   */
  trusted: boolean;
}

interface Candidate {
  ch: string;
  score: number;
  /** Score lost against the best allowed character. */
  cost: number;
}

const TOP = 4;
// A runner-up is only worth trying if it looked almost as good as the winner; with no limit, two free changes
// can make almost any misread zone pass its check digits.
const MAX_COST = 0.25;
const MIN_ALTERNATIVE = 0.5;
const MIN_MEAN = 0.85;
const MIN_WEAKEST = 0.55;

/** The allowed characters of each slot, as indices into the classifier's alphabet. */
export const allowedFor = (slot: string): number[] => [...SLOT_CHARS[slot as Slot]].map((c) => CHAR_INDEX[c]);

export function decode(layout: Layout, scores: Float32Array[][]): Decoded {
  const cands: Candidate[][][] = scores.map((line, l) =>
    line.map((s, i) => {
      const allowed = [...SLOT_CHARS[layout.slots[l][i] as Slot]];
      const ranked = allowed.map((ch) => ({ ch, score: s[CHAR_INDEX[ch]] })).sort((a, b) => b.score - a.score);
      return ranked.slice(0, TOP).map((r) => ({ ch: r.ch, score: r.score, cost: ranked[0].score - r.score }));
    }),
  );
  const chars = cands.map((line) => line.map((c) => c[0].ch));
  const text = () => chars.map((l) => l.join(''));
  const repairs: string[] = [];
  for (const name of ['number', 'dob', 'expiry', 'personal_number', 'composite'] as const) {
    const rules = rulesFor(layout, text());
    const rule = rules.find((r) => r.name === name);
    if (!rule || checkPasses(text(), rule)) continue;
    const others = rules.filter((r) => r !== rule && r.name !== 'composite' && checkPasses(text(), r));
    const fixed = repair(rule, others, cands, chars);
    repairs.push(fixed ? `${name}: ${fixed}` : `${name}: check digit fails`);
  }
  const lines = text();
  const chosen = chars.flatMap((line, l) => line.map((ch, i) => scores[l][i][CHAR_INDEX[ch]]));
  const confidence = chosen.reduce((a, b) => a + b, 0) / chosen.length;
  const weakest = Math.min(...chosen);
  const trusted = confidence >= MIN_MEAN && weakest >= MIN_WEAKEST;
  return {
    lines,
    repairs,
    valid: trusted && rulesFor(layout, lines).every((r) => checkPasses(lines, r)),
    confidence,
    weakest,
    trusted,
  };
}

/** Cheapest change of one or two characters under `rule` that makes it pass without breaking `others`. */
function repair(rule: CheckRule, others: CheckRule[], cands: Candidate[][][], chars: string[][]): string | null {
  const protectedByOthers = new Set<string>();
  for (const r of others) {
    protectedByOthers.add(`${r.digit[0]}:${r.digit[1]}`);
    for (const [l, a, b] of r.covers) for (let i = a; i < b; i++) protectedByOthers.add(`${l}:${i}`);
  }
  const positions: [number, number][] = [];
  for (const [l, a, b] of rule.covers) for (let i = a; i < b; i++) positions.push([l, i]);
  positions.push([rule.digit[0], rule.digit[1]]);
  const free = positions.filter(([l, i]) => !protectedByOthers.has(`${l}:${i}`));
  const passes = () => {
    const lines = chars.map((l) => l.join(''));
    return checkPasses(lines, rule) && others.every((r) => checkPasses(lines, r));
  };
  let best: { cost: number; changes: [number, number, string][] } | null = null;
  const consider = (changes: [number, number, string][], cost: number) => {
    if (best && cost >= best.cost) return;
    const saved = changes.map(([l, i]) => chars[l][i]);
    for (const [l, i, ch] of changes) chars[l][i] = ch;
    if (passes()) best = { cost, changes };
    changes.forEach(([l, i], k) => (chars[l][i] = saved[k]));
  };
  const plausible = (l: number, i: number, n: number) => cands[l][i].slice(1, n).filter((c) => c.score >= MIN_ALTERNATIVE);
  for (const [l, i] of free) for (const c of plausible(l, i, TOP)) if (c.cost <= MAX_COST) consider([[l, i, c.ch]], c.cost);
  if (!best) {
    for (let a = 0; a < free.length; a++) {
      for (let b = a + 1; b < free.length; b++) {
        const [la, ia] = free[a];
        const [lb, ib] = free[b];
        for (const ca of plausible(la, ia, 3)) {
          for (const cb of plausible(lb, ib, 3)) {
            if (ca.cost + cb.cost <= MAX_COST) consider([[la, ia, ca.ch], [lb, ib, cb.ch]], ca.cost + cb.cost);
          }
        }
      }
    }
  }
  if (!best) return null;
  const chosen = best as { cost: number; changes: [number, number, string][] };
  for (const [l, i, ch] of chosen.changes) chars[l][i] = ch;
  return chosen.changes.map(([l, i, ch]) => `line ${l + 1} col ${i + 1} → ${ch}`).join(', ');
}

