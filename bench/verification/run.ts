// `npm run bench:verification`: how well and how fast live verification reads documents and matches faces.
//
// 1. MRZ: BENCH_DOCS synthetic documents per kind (passport TD3, ID card TD1, TD2) × each degradation (clean,
//    rotation up to ±8°, blur, JPEG q50, uneven light, perspective): the share with every MRZ field exactly
//    right, and the share that pass every check digit.
// 2. PDF417: BENCH_LICENCES synthetic US/Canadian licences × each degradation: every AAMVA field exact.
// 3. Faces: every pair the labelled sample faces allow (a selfie crop against a document portrait): false
//    accepts among different people and false rejects of the same person, at the configured thresholds.
// 4. End to end: a real `verity serve` with a live key takes document+selfie sessions through the hosted
//    page's API; latency from submit to final status, p50/p95 with 1 and with 4 sessions at once, and the
//    server's peak RSS (engine thread included).
// Targets (issue 6, printed PASS/FAIL): MRZ ≥ 99% exact clean, ≥ 95% degraded; PDF417 ≥ 99%; 0 false
// accepts; p95 ≤ 3 s per session; peak RSS ≤ 1.2 GB. Results: stdout and bench/results/verification.json.
// 5. Stages: the CPU time of normalising the uploads (src/web/images.ts), of each engine stage (MRZ/PDF417,
//    printed zone, portrait, selfie) on the stored images, and of a whole session through the composed engines,
//    per session of the end-to-end corpus (BENCH_STAGES sessions).
// BENCH_ONLY=mrz|pdf417|faces|e2e|stages runs one part.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureMrz } from '../../test/fixtures/mrz-accuracy.js';
import { measurePdf417 } from '../../test/fixtures/pdf417-measure.js';
import { measureFaces, matchOutcomes } from '../../test/fixtures/faces.js';
import { createFaceEngine } from '../../src/verification/face/human.js';
import { DEFAULT_FACE_THRESHOLDS } from '../../src/verification/face/decide.js';
import { measureEndToEnd } from './e2e.js';
import { measureStages } from './stages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const only = process.env.BENCH_ONLY;
const part = (name: string) => !only || only === name;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const pctStr = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;

const results: Record<string, unknown> = { date: new Date().toISOString() };

if (part('mrz')) {
  const n = num('BENCH_DOCS', 50);
  console.log(`\n== MRZ: ${n} documents per kind × degradation`);
  console.log('kind      degradation   exact        check digits  found   p50 ms  p95 ms');
  const rows = await measureMrz(n, {
    onRow: (r) =>
      console.log(
        `${r.kind.padEnd(9)} ${r.degradation.padEnd(12)}  ${pctStr(r.exact, r.documents).padStart(6)} ${`(${r.exact}/${r.documents})`.padEnd(5)}  ${pctStr(r.checksPass, r.documents).padStart(6)}        ${String(r.found).padStart(3)}   ${String(r.msP50).padStart(6)}  ${String(r.msP95).padStart(6)}`,
      ),
  });
  const sum = (rs: typeof rows) => rs.reduce((a, r) => [a[0] + r.exact, a[1] + r.documents], [0, 0]);
  const [ce, cn] = sum(rows.filter((r) => r.degradation === 'clean'));
  const [de, dn] = sum(rows.filter((r) => r.degradation !== 'clean'));
  console.log(`MRZ fields exact: clean ${pctStr(ce, cn)} (target ≥ 99%: ${verdict(ce / cn >= 0.99)}), degraded ${pctStr(de, dn)} (target ≥ 95%: ${verdict(de / dn >= 0.95)})`);
  results.mrz = { rows: rows.map(({ failures, ...r }) => ({ ...r, failures: failures.length })), clean: ce / cn, degraded: de / dn };
}

if (part('pdf417')) {
  const n = num('BENCH_LICENCES', 50);
  console.log(`\n== PDF417: ${n} licences × degradation`);
  const m = await measurePdf417(n);
  let exact = 0;
  let total = 0;
  for (const r of m.results) {
    exact += r.exact;
    total += r.documents;
    console.log(`${r.kind.padEnd(12)} exact ${pctStr(r.exact, r.documents).padStart(6)} (${r.exact}/${r.documents})  p50 ${Math.round(r.p50)} ms  p95 ${Math.round(r.p95)} ms`);
  }
  console.log(`PDF417 fields exact: ${pctStr(exact, total)} (target ≥ 99%: ${verdict(exact / total >= 0.99)})`);
  results.pdf417 = { results: m.results, exact: exact / total };
}

if (part('faces')) {
  console.log('\n== Faces: every pair of labelled sample faces (selfie crop vs document portrait)');
  const engine = await createFaceEngine();
  const m = await measureFaces((img) => engine.analyse(img));
  const t = DEFAULT_FACE_THRESHOLDS;
  const o = matchOutcomes(m.pairs, { match: t.match, reviewBand: t.reviewBand });
  const impostors = m.pairs.filter((p) => p.kind === 'impostor');
  const genuine = m.pairs.filter((p) => p.kind !== 'impostor');
  const falseAccepts = impostors.filter((p) => p.similarity >= t.match).length;
  const falseRejects = genuine.filter((p) => p.similarity < t.match).length;
  console.log(`pairs: ${impostors.length} different people, ${genuine.length} same person; threshold ${t.match}, review band ±${t.reviewBand}`);
  console.log(`false accepts: ${falseAccepts}/${impostors.length} (target 0: ${verdict(falseAccepts === 0)}); false rejects: ${falseRejects}/${genuine.length} (${pctStr(falseRejects, genuine.length)})`);
  console.log(`with the review band: ${JSON.stringify(o)}`);
  console.log(`lowest threshold with no false accept: ${m.zeroFalseAcceptThreshold}`);
  results.faces = { impostor_pairs: impostors.length, genuine_pairs: genuine.length, false_accepts: falseAccepts, false_rejects: falseRejects, outcomes: o, zero_fa_threshold: m.zeroFalseAcceptThreshold };
}

if (part('e2e')) {
  const s1 = num('BENCH_SESSIONS_1', 12);
  const s4 = num('BENCH_SESSIONS_4', 24);
  console.log(`\n== End to end: live document+selfie sessions through the hosted page's API (${s1} one at a time, ${s4} four at a time)`);
  const e = await measureEndToEnd({ sessions1: s1, sessions4: s4 });
  for (const r of e.runs)
    console.log(`${r.concurrency} at once: ${r.sessions} sessions, submit → final status p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, max ${r.max_ms} ms, server CPU ${r.cpu_ms_per_session} ms/session (${r.verified} verified${Object.keys(r.failed).length ? `; not verified: ${JSON.stringify(r.failed)}` : ''}) — p95 ≤ 3000 ms: ${verdict(r.p95_ms <= 3000)}`);
  console.log(`API during verifications: retrieve p50 ${e.api.p50_ms} ms, p99 ${e.api.p99_ms} ms (idle: p50 ${e.api_idle.p50_ms} ms, p99 ${e.api_idle.p99_ms} ms)`);
  console.log(`server RSS: idle ${e.idle_rss_mb} MB, peak ${e.peak_rss_mb} MB (target ≤ 1229 MB: ${verdict(e.peak_rss_mb <= 1229)})`);
  results.e2e = e;
}

if (part('stages')) {
  const n = num('BENCH_STAGES', 12);
  console.log(`\n== Stages: CPU time per session (${n} sessions of the end-to-end corpus, each stage alone)`);
  const st = await measureStages(n);
  console.log(`per stage, mean ms: ${Object.entries(st.mean_cpu_ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`whole session through the engines: mean ${st.engines_cpu_ms.mean} ms, max ${st.engines_cpu_ms.max} ms`);
  results.stages = st;
}

fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
const file = path.join(ROOT, 'bench/results/verification.json');
const prev = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
fs.writeFileSync(file, JSON.stringify({ ...prev, ...results }, null, 2) + '\n');
process.exit(0);
