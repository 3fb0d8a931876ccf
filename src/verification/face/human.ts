// The face engine: @vladmandic/human on the tfjs WebAssembly backend, everything loaded from node_modules.
// Meant to live in a worker thread (inference blocks the event loop and holds several hundred MB), created
// once and reused: loading the models and the first inference are the slow part.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { io } from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import type { DetectedFace, FaceAnalysis } from './analysis.js';

export type { DetectedFace, FaceAnalysis } from './analysis.js';

export interface FaceEngine {
  analyse(image: Buffer): Promise<FaceAnalysis>;
}

export interface FaceEngineOptions {
  /** Longest side the image is reduced to before analysis; faces on a selfie or an ID card are large. */
  maxSide?: number;
  /**
   * Faces analysed at most (each costs ~0.5 s of CPU). Two already fail a selfie; three leave room for an ID
   * card's small "ghost" portrait beside a stray face.
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
type Tf = Human['tf'];

let routerRegistered = false;

/**
 * Human loads its models through tfjs's IO layer, which only knows http(s) in Node and then falls back to
 * `fetch`, which has no `file:` support. Rather than replacing the process-wide `fetch`, teach this tfjs
 * instance to read `file:` model URLs from disk. Registered once: tfjs refuses a URL two routers claim.
 */
function registerFileModelLoader(tf: Tf): void {
  if (routerRegistered) return;
  routerRegistered = true;
  tf.io.registerLoadRouter((url: string | string[]) => {
    if (typeof url !== 'string' || !url.startsWith('file:')) return null;
    const modelFile = fileURLToPath(url);
    return {
      load: async () => {
        const json = JSON.parse(await fs.promises.readFile(modelFile, 'utf8'));
        return tf.io.getModelArtifactsForJSON(json, async (manifest: io.WeightsManifestConfig): Promise<[io.WeightsManifestEntry[], ArrayBuffer]> => {
          const specs = manifest.flatMap((group) => group.weights);
          const parts = await Promise.all(
            manifest.flatMap((group) => group.paths.map((p) => fs.promises.readFile(path.join(path.dirname(modelFile), p)))),
          );
          const all = Buffer.concat(parts);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        });
      },
    };
  });
}

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
      detector: { enabled: true, rotation: true, maxDetected: maxFaces, minConfidence: 0.3, return: false, ...noCache },
      // Measured with and without the 468-point mesh: the embeddings (also on faces tilted 20–35°) and the
      // match figures came out the same, so it is not loaded. Iris, emotion and attention add nothing here.
      mesh: { enabled: false },
      iris: { enabled: false },
      attention: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: true, minConfidence: 0, ...noCache },
      antispoof: { enabled: true, ...noCache },
      liveness: { enabled: true, ...noCache },
    },
  } as Partial<Config>;
}

function toFace(f: FaceResult, scale: number): DetectedFace {
  const [x, y, w, h] = f.box;
  return {
    box: [Math.round(x * scale), Math.round(y * scale), Math.round(w * scale), Math.round(h * scale)],
    score: round(f.score),
    embedding: f.embedding ? Array.from(f.embedding) : [],
    real: typeof f.real === 'number' ? round(f.real) : null,
    live: typeof f.live === 'number' ? round(f.live) : null,
    size: Math.round(Math.min(w, h) * scale),
  };
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

let loaded: { maxFaces: number; human: Promise<Human> } | null = null;

/** One Human per process (per worker thread): its models take ~200 MB and seconds to load. */
function loadHuman(maxFaces: number): Promise<Human> {
  if (loaded && loaded.maxFaces === maxFaces) return loaded.human;
  const human = (async () => {
    const { Human: HumanClass } = require(path.join(HUMAN_DIST, 'human.node-wasm.js')) as HumanModule;
    const h = new HumanClass(humanConfig(maxFaces));
    registerFileModelLoader(h.tf);
    await h.load();
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

  async function analyseNow(image: Buffer): Promise<FaceAnalysis> {
    const started = performance.now();
    const { data, info } = await sharp(image, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [info.height, info.width, 3], 'int32');
    try {
      const result = await human.detect(input);
      if (result.error) throw new Error(`face engine: ${result.error}`);
      // Boxes come back in human's input pixels, which are ours unless it capped the size itself (3840 px).
      const scale = result.width > 0 ? info.width / result.width : 1;
      return {
        faces: result.face.map((f) => toFace(f, scale)),
        width: info.width,
        height: info.height,
        ms: Math.round(performance.now() - started),
      };
    } finally {
      tf.dispose(input);
    }
  }

  return {
    analyse(image) {
      const run = queue.then(() => analyseNow(image));
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
