// The face engine: @vladmandic/human on the tfjs WebAssembly backend, everything loaded from node_modules.
// Meant to live in a worker thread (inference blocks the event loop and holds several hundred MB), created
// once and reused: loading the models and the first inference are the slow part.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { Config, Human } from '@vladmandic/human';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { DetectedFace, FaceAnalysis } from './analysis.js';
import { type FoundFace, detectFaces } from './detector.js';
import { type NativeModels, loadNativeModels } from './native-models.js';
import { cutFace, describe, faceModels, spoofScores } from './face-models.js';
import { faceBox, roll } from './geometry.js';
import { registerFileModelLoader } from './model-files.js';
import { type FacePurpose, planFaces } from './plan.js';

export type { DetectedFace, FaceAnalysis } from './analysis.js';
export type { FacePurpose } from './plan.js';

export interface FaceEngine {
  /**
   * The faces on an image. All are reported; only those the purpose can use get a descriptor, and only a
   * selfie's gets the anti-spoof and liveness scores (plan.ts). `every` by default.
   */
  analyse(image: Buffer, purpose?: FacePurpose): Promise<FaceAnalysis>;
}

export interface FaceEngineOptions {
  /** Longest side the image is reduced to before analysis; faces on a selfie or an ID card are large. */
  maxSide?: number;
  /**
   * `tfjs`: every model on tfjs's WebAssembly backend, as when onnxruntime cannot load here (the tests compare
   * the two). By default the models onnxruntime loads run there (native-models.ts).
   */
  runtime?: 'onnxruntime' | 'tfjs';
  /**
   * Faces found at most. Two already fail a selfie; three leave room for an ID card's small "ghost" portrait
   * beside a stray face. Finding them is cheap; only those the purpose needs are described (plan.ts).
   */
  maxFaces?: number;
}

const require = createRequire(import.meta.url);
// The package's `exports` keys lack the leading `./`, so its node-wasm build cannot be required by name.
const HUMAN_DIST = path.dirname(require.resolve('@vladmandic/human'));
const MODELS_DIR = path.join(HUMAN_DIST, '..', 'models');
// By default human points the wasm backend at a CDN; the same files ship in the backend package.
const WASM_DIR = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

type HumanModule = typeof import('@vladmandic/human');

// Still images, not video: every frame-to-frame cache (skipFrames/skipTime, cacheSensitivity) is off so that
// one person's result can never leak into the next image.
function humanConfig(maxFaces: number): Partial<Config> {
  const noCache = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: WASM_DIR + path.sep,
    modelBasePath: pathToFileURL(MODELS_DIR).href + '/',
    cacheModels: false,
    cacheSensitivity: 0,
    debug: false,
    async: false,
    warmup: 'none',
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      // Human only finds the faces: turning a tilted face upright and the per-face models are run here
      // (face-models.ts), on the faces that need them. Human turns the whole image, which costs ~200 ms.
      detector: { enabled: true, rotation: false, maxDetected: maxFaces, minConfidence: 0.3, return: false, ...noCache },
      // Measured with and without the 468-point mesh: the embeddings (also on faces tilted 20–35°) and the
      // match figures came out the same, so it is not loaded. Iris, emotion and attention add nothing here.
      mesh: { enabled: false },
      iris: { enabled: false },
      attention: { enabled: false },
      emotion: { enabled: false },
      // Enabled so that human loads them; switched off for its own runs once loaded (see loadHuman).
      description: { enabled: true, minConfidence: 0, ...noCache },
      antispoof: { enabled: true, ...noCache },
      liveness: { enabled: true, ...noCache },
    },
  } as Partial<Config>;
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

let loaded: { maxFaces: number; human: Promise<Human> } | null = null;

/** One Human per process (per worker thread): its models take ~200 MB and seconds to load. */
export function loadHuman(maxFaces: number): Promise<Human> {
  if (loaded && loaded.maxFaces === maxFaces) return loaded.human;
  const human = (async () => {
    const { Human: HumanClass } = require(path.join(HUMAN_DIST, 'human.node-wasm.js')) as HumanModule;
    const h = new HumanClass(humanConfig(maxFaces));
    registerFileModelLoader(h.tf);
    await h.load();
    for (const part of ['description', 'antispoof', 'liveness'] as const) {
      const c = h.config.face[part];
      if (c) c.enabled = false;
    }
    await warmUp(h);
    return h;
  })();
  loaded = { maxFaces, human };
  // A failed load (a missing model file) must not stick: the next engine tries again.
  human.catch(() => {
    if (loaded?.human === human) loaded = null;
  });
  return human;
}

/**
 * The face engine. `analyse` rejects on an image sharp cannot decode. Calls are served one at a time: Human
 * keeps per-call state on the instance, and the wasm backend runs on one thread anyway.
 */
export async function createFaceEngine(opts: FaceEngineOptions = {}): Promise<FaceEngine> {
  const maxSide = opts.maxSide ?? 1600;
  const human = await loadHuman(opts.maxFaces ?? 3);
  const tf = human.tf;
  let queue: Promise<unknown> = Promise.resolve();
  let scratch = new Float32Array(0);

  const native: Partial<NativeModels> = opts.runtime === 'tfjs' ? {} : await loadNativeModels(tf, MODELS_DIR);
  const models = faceModels(human, native);

  const detector = human.config.face.detector;
  /** The faces human finds; with its detector model on onnxruntime when that loaded (detector.ts). */
  async function find(input: Tensor3D): Promise<{ faces: FoundFace[]; scale: number }> {
    if (native.detector) {
      const opts = { maxFaces: detector?.maxDetected ?? 3, minConfidence: detector?.minConfidence ?? 0.3, iouThreshold: detector?.iouThreshold, scale: detector?.scale };
      return { faces: await detectFaces(tf, native.detector, input, opts), scale: 1 };
    }
    const result = await human.detect(input);
    if (result.error) throw new Error(`face engine: ${result.error}`);
    const faces = result.face.map((f) => ({ box: f.box, boxRaw: f.boxRaw, mesh: f.mesh as FoundFace['mesh'], score: f.score }));
    // Boxes come back in human's input pixels, which are ours unless it capped the size itself (3840 px).
    return { faces, scale: result.width > 0 ? input.shape[1] / result.width : 1 };
  }

  async function analyseNow(image: Buffer, purpose: FacePurpose): Promise<FaceAnalysis> {
    const started = performance.now();
    const { data, info } = await sharp(image, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    // float32 from the start: human and every face crop would otherwise each convert an integer image. The
    // floats go into one buffer kept for the next image (calls run one at a time, and tfjs copies what it is
    // given): a fresh 20–30 MB array per image made the engine thread spend a sixth of its time collecting them.
    if (scratch.length < data.length) scratch = new Float32Array(data.length);
    const pixels = scratch.subarray(0, data.length);
    pixels.set(data);
    const input = tf.tensor3d(pixels, [info.height, info.width, 3], 'float32');
    try {
      const { faces: detected, scale } = await find(input);
      const found = detected.map((f) => ({ f, score: round(f.score), size: Math.round(Math.min(f.box[2], f.box[3]) * scale) }));
      const work = planFaces(found, purpose);
      const faces: DetectedFace[] = [];
      for (const [i, { f, score, size }] of found.entries()) {
        const [x, y, w, h] = f.box;
        const face: DetectedFace = {
          box: [Math.round(x * scale), Math.round(y * scale), Math.round(w * scale), Math.round(h * scale)],
          score,
          embedding: [],
          real: null,
          live: null,
          size,
        };
        if (work[i].describe || work[i].spoof) {
          const crop = cutFace(tf, input, faceBox(f.boxRaw, info.width, info.height), roll(f.mesh), pixels);
          try {
            if (work[i].describe) face.embedding = await describe(tf, models, crop);
            if (work[i].spoof) Object.assign(face, await spoofScores(tf, models, crop));
          } finally {
            tf.dispose(crop);
          }
        }
        faces.push(face);
      }
      return { faces, width: info.width, height: info.height, ms: Math.round(performance.now() - started) };
    } finally {
      tf.dispose(input);
    }
  }

  return {
    analyse(image, purpose = 'every') {
      const run = queue.then(() => analyseNow(image, purpose));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * Human's own warm-up needs a canvas or tfjs-node in Node, neither of which we have, so run every loaded model
 * once on zeros: the wasm backend allocates its buffers and picks its kernels on first use.
 */
async function warmUp(human: Human): Promise<void> {
  const tf = human.tf;
  for (const model of Object.values(human.models.models)) {
    if (!model) continue;
    const shape = (model.inputs[0]?.shape ?? [1, 64, 64, 3]).map((d, i) => (d === -1 || d == null ? (i === 0 ? 1 : 64) : d));
    const input = tf.zeros(shape, model.inputs[0]?.dtype ?? 'float32');
    try {
      const out = model.execute(input);
      tf.dispose(out);
    } finally {
      tf.dispose(input);
    }
  }
}
