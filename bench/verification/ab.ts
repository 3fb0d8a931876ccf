// `AB_BASELINE=<another checkout> npx tsx bench/verification/ab.ts`: the live engines' CPU per session in this
// checkout against another (its node_modules installed or linked), loaded side by side in one process and
// alternated session by session, so that machine load, which moved the stages bench's figures by 15% from one
// run to the next, falls on both alike. Every output of both is compared too: an engine change that claims to
// cost less must read the same fields and find the same faces (equal to the last bit), or say why not.
//
// The sessions are the end-to-end bench's corpus (passports, ID cards, licences, each with a selfie), the
// document images degraded in turn by each of the accuracy corpus's degradations and then normalised as an
// upload is. Environment: AB_SESSIONS (default 24), AB_ROUNDS (default 2: each session twice, in both orders).
// Run against itself (AB_BASELINE=.) it shows the noise floor: about 1% on this machine in session 7.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DEGRADATIONS, degrade } from '../../test/fixtures/degrade.js';
import type { DocumentReadResult, Engines, FaceAnalysis } from '../../src/verification/engines.js';
import { decideSelfie } from '../../src/verification/face/decide.js';
import { normalisePageImage } from '../../src/web/images.js';
import { type Case, corpus } from './e2e.js';

const BASELINE = process.env.AB_BASELINE;
if (!BASELINE) {
  console.error('AB_BASELINE=<path of the checkout to compare with> is required');
  process.exit(2);
}
const SESSIONS = Number(process.env.AB_SESSIONS || 24);
const ROUNDS = Number(process.env.AB_ROUNDS || 2);

interface Side {
  name: string;
  engines: Engines;
  closeOcr: () => Promise<void>;
  cpu: number[];
  outputs: unknown[];
}

async function load(name: string, root: string): Promise<Side> {
  const src = path.resolve(root, 'src/verification');
  const { createLocalEngines } = (await import(path.join(src, 'local-engines.ts'))) as typeof import('../../src/verification/local-engines.js');
  const viz = (await import(path.join(src, 'viz.ts'))) as typeof import('../../src/verification/viz.js');
  return { name, engines: createLocalEngines(), closeOcr: viz.close, cpu: [], outputs: [] };
}

/** An engine result without what differs between identical runs (wall-clock `timings` and `ms`), buffers by size. */
function comparable(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (k, x) => {
      if (k === 'timings' || k === 'ms') return undefined;
      if (x && typeof x === 'object' && x.type === 'Buffer' && Array.isArray(x.data)) return `<${x.data.length} bytes>`;
      if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
      return x;
    }),
  );
}

/** The first path at which two JSON values differ. */
function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at || '(root)'}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
}

const cases: (Case & { degradation: string })[] = [];
for (const [i, c] of (await corpus(SESSIONS)).entries()) {
  const kind = DEGRADATIONS[i % DEGRADATIONS.length];
  const front = await normalisePageImage(await degrade(c.front, kind, 1000 + i), 'front');
  const back = c.back && (await normalisePageImage(await degrade(c.back, kind, 2000 + i), 'back'));
  cases.push({ type: c.type, front, back, selfie: await normalisePageImage(c.selfie, 'selfie'), degradation: kind });
}

const sides = [await load('this checkout', '.'), await load(`baseline (${BASELINE})`, BASELINE)];
const session = (e: Engines, c: Case) =>
  Promise.all([e.readDocument({ type: c.type, front: c.front, back: c.back, portrait: true }), e.analyseFace(c.selfie)]);
// Models load and JIT warms up outside the measurement, as in a running server.
for (const s of sides) await session(s.engines, cases[0]);

for (let r = 0; r < ROUNDS; r++) {
  for (const [i, c] of cases.entries()) {
    const order = (i + r) % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) {
      const c0 = process.cpuUsage();
      const out = await session(s.engines, c);
      const u = process.cpuUsage(c0);
      s.cpu.push((u.user + u.system) / 1000);
      if (r === 0) s.outputs.push(comparable(out));
    }
  }
  process.stderr.write(`[ab] round ${r + 1}/${ROUNDS} done\n`);
}
for (const s of sides) {
  await s.engines.close();
  await s.closeOcr();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const byType = (s: Side) => {
  const out: Record<string, number[]> = {};
  s.cpu.forEach((ms, j) => (out[cases[j % cases.length].type] ??= []).push(ms));
  return Object.entries(out)
    .map(([t, xs]) => `${t} ${mean(xs).toFixed(0)}`)
    .join(', ');
};
console.log(`Engine CPU per document+selfie session, ${cases.length} sessions × ${ROUNDS} rounds, alternated:`);
for (const s of sides) console.log(`  ${s.name}: mean ${mean(s.cpu).toFixed(0)} ms (${byType(s)})`);
console.log(`  this checkout / baseline: ${(mean(sides[0].cpu) / mean(sides[1].cpu)).toFixed(3)}×`);
const differing = cases.map((c, j) => ({ c, d: firstDifference(sides[0].outputs[j], sides[1].outputs[j]) })).filter((x) => x.d);
console.log(`Outputs: ${cases.length - differing.length} of ${cases.length} sessions identical`);
// When outputs differ (a new model, a new threshold), what matters is whether the checks still read as much.
const vizTally = (s: Side) => {
  const t: Record<string, number> = {};
  for (const o of s.outputs as [{ viz: DocumentReadResult['viz'] }, unknown][]) {
    if (!o[0].viz) t.unread = (t.unread ?? 0) + 1;
    for (const a of Object.values(o[0].viz?.fields ?? {})) t[a] = (t[a] ?? 0) + 1;
    if (o[0].viz && !o[0].viz.agrees) t.disagreeing_documents = (t.disagreeing_documents ?? 0) + 1;
  }
  return Object.entries(t).map(([k, n]) => `${k} ${n}`).join(', ');
};
for (const s of sides) console.log(`  printed-zone fields, ${s.name}: ${vizTally(s)}`);
// And whether the face decision moves: the similarity decideSelfie would see, and its outcome.
const selfie = (o: unknown) => {
  const [doc, face] = o as [DocumentReadResult, FaceAnalysis];
  return doc.portrait ? decideSelfie(doc.portrait, face) : null;
};
let worst = 0;
let changed = 0;
for (let j = 0; j < cases.length; j++) {
  const [a, b] = [selfie(sides[0].outputs[j]), selfie(sides[1].outputs[j])];
  if (a?.scores.similarity != null && b?.scores.similarity != null) worst = Math.max(worst, Math.abs(a.scores.similarity - b.scores.similarity));
  if (a?.code !== b?.code || a?.review !== b?.review) changed++;
}
console.log(`  face match: similarities differ by up to ${worst.toFixed(4)}; ${changed} of ${cases.length} decisions differ`);
for (const { c, d } of differing.slice(0, 10)) console.log(`  ${c.type} (${c.degradation}): ${d}`);
process.exit(0);
