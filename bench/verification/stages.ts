// CPU time per stage of a live document+selfie check, on the corpus the end-to-end run uses: each stage runs
// alone and its process CPU (every thread: tesseract has its own) is recorded, so the figures hold on a busy
// machine where latencies do not. `total` is what one session costs the engines. The engines read the images
// as the server stores them (normalised on upload, src/web/images.ts), and that normalising is a stage too.
import { readPdf417 } from '../../src/verification/barcode/pdf417.js';
import { createLocalEngines } from '../../src/verification/local-engines.js';
import { readMrz } from '../../src/verification/mrz/reader.js';
import { close as closeViz, readVisualZone } from '../../src/verification/viz.js';
import { createFaceEngine } from '../../src/verification/face/human.js';
import { normalisePageImage } from '../../src/web/images.js';
import { type Case, corpus } from './e2e.js';

export interface StageFigures {
  sessions: number;
  /** Mean CPU ms per session, per stage. */
  mean_cpu_ms: Record<string, number>;
  /** The composed engines (local-engines.ts) for the whole session: readDocument + analyseFace. */
  engines_cpu_ms: { mean: number; max: number };
}

const cpuMs = async (f: () => Promise<unknown>): Promise<number> => {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

export async function measureStages(n: number): Promise<StageFigures> {
  const uploaded: Case[] = await corpus(n);
  const cases: Case[] = [];
  let normalising = 0;
  for (const c of uploaded) {
    const stored: Partial<Case> = { type: c.type };
    normalising += await cpuMs(async () => {
      stored.front = await normalisePageImage(c.front, 'front');
      stored.back = c.back && (await normalisePageImage(c.back, 'back'));
      stored.selfie = await normalisePageImage(c.selfie, 'selfie');
    });
    cases.push(stored as Case);
  }
  const faces = await createFaceEngine();
  const engines = createLocalEngines();
  // Loads every model once (not counted: a running server has them loaded).
  await readVisualZone(cases[0].front);
  await faces.analyse(cases[0].selfie);
  await engines.readDocument({ type: cases[0].type, front: cases[0].front, back: cases[0].back, portrait: true });
  // Measured once (first in the process, so its JIT warm-up is counted; a few ms per session at most).
  const sums: Record<string, number> = { normalise: normalising };
  const add = (k: string, ms: number) => (sums[k] = (sums[k] ?? 0) + ms);
  const whole: number[] = [];
  for (const c of cases) {
    if (c.type === 'driving_license') add('pdf417', await cpuMs(() => readPdf417(c.back!)));
    else add('mrz', await cpuMs(() => readMrz(c.back ?? c.front)));
    add('viz', await cpuMs(() => readVisualZone(c.front)));
    add('portrait', await cpuMs(() => faces.analyse(c.front, 'document')));
    add('selfie', await cpuMs(() => faces.analyse(c.selfie, 'selfie')));
    whole.push(
      await cpuMs(() =>
        Promise.all([engines.readDocument({ type: c.type, front: c.front, back: c.back, portrait: true }), engines.analyseFace(c.selfie)]),
      ),
    );
  }
  await engines.close();
  await closeViz();
  const mean_cpu_ms = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v / cases.length)]));
  return {
    sessions: cases.length,
    mean_cpu_ms,
    engines_cpu_ms: { mean: Math.round(whole.reduce((a, b) => a + b, 0) / whole.length), max: Math.round(Math.max(...whole)) },
  };
}
