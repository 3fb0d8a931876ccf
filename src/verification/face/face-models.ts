// The per-face models, run directly rather than through human.detect so that each face gets only the models
// its purpose needs (plan.ts). Inputs are prepared the way human 3.3 prepares them (face/faceres.ts,
// antispoof.ts, liveness.ts in the package): a 256 px crop scaled to 0..1, resized bilinearly per model.
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import type { NativeModel, NativeModels } from './native-models.js';
import { type FaceBox, clipWindow, cropBox, needsTurning, turningCentre, turningWindow } from './geometry.js';
import { insideMask, windowPixels } from './window.js';

type Tf = Human['tf'];
type Graph = NonNullable<Human['models']['models'][string]>;

/** Human crops faces to the detector's input size before its face models see them. */
const CROP_SIDE = 256;

export interface FaceModels {
  faceres: Graph;
  antispoof: Graph;
  liveness: Graph;
  /** The same models on onnxruntime (native-models.ts); each one that is null runs on tfjs. */
  native: Pick<NativeModels, 'descriptor' | 'antispoof' | 'liveness'>;
}

export function faceModels(human: Human, native: Partial<NativeModels> = {}): FaceModels {
  const m = human.models.models;
  const need = (name: string): Graph => {
    const g = m[name];
    if (!g) throw new Error(`face engine: model ${name} is not loaded`);
    return g;
  };
  return {
    faceres: need('faceres'),
    antispoof: need('antispoof'),
    liveness: need('liveness'),
    native: { descriptor: native.descriptor ?? null, antispoof: native.antispoof ?? null, liveness: native.liveness ?? null },
  };
}

/**
 * The face as human's models expect it: its box cut from `image` (H × W × 3, 0..255) and resized to
 * 256 × 256, scaled to 0..1, turned upright first when it rolls more than human tolerates. Only a window
 * around the face is turned; the pixels sampled are the ones turning the whole image would give. `pixels`: the
 * image's values, when the caller still holds them (otherwise they are read back from the tensor).
 */
export function cutFace(tf: Tf, image: Tensor3D, box: FaceBox, angle: number, pixels?: Float32Array): Tensor4D {
  const [height, width] = image.shape;
  const size = { width, height };
  return tf.tidy(() => {
    let from = tf.expandDims(image, 0) as Tensor4D;
    let win = { left: 0, top: 0, width, height };
    if (needsTurning(angle)) {
      win = turningWindow(box);
      const shape: [number, number, number, number] = [1, win.height, win.width, 3];
      const values = pixels ?? (image.dataSync() as Float32Array);
      const turned = tf.image.rotateWithOffset(tf.tensor4d(windowPixels(values, width, height, win), shape), angle, 0, turningCentre(box, win));
      // Turning brings image into the margin beyond the image's edge, where the whole image, turned, ends:
      // blacken it again.
      const clip = clipWindow(win, size);
      const outside = !clip || clip.pad.top + clip.pad.bottom + clip.pad.left + clip.pad.right > 0;
      from = outside ? tf.mul(turned, tf.tensor4d(insideMask(width, height, win), shape)) : turned;
    }
    const crop = tf.image.cropAndResize(from, [cropBox(box, size, win)], [0], [CROP_SIDE, CROP_SIDE]);
    return tf.div(crop, 255);
  });
}

const resizeFor = (tf: Tf, face: Tensor4D, model: Graph): Tensor4D => {
  const shape = model.inputs[0]?.shape ?? [];
  return tf.image.resizeBilinear(face, [shape[1] ?? CROP_SIDE, shape[2] ?? CROP_SIDE], false);
};

/** The face-recognition descriptor (1024 values) of a face cut by `cutFace`. */
export async function describe(tf: Tf, models: FaceModels, face: Tensor4D): Promise<number[]> {
  const input = tf.tidy(() => tf.mul(resizeFor(tf, face, models.faceres), 255));
  if (models.native.descriptor) return Array.from((await runNative(models.native.descriptor, input))[0]);
  const out = models.faceres.execute(input) as Tensor[];
  try {
    const descriptor = out.find((t) => t.shape[1] === 1024);
    return descriptor ? Array.from(await descriptor.data()) : [];
  } finally {
    tf.dispose([input, ...out]);
  }
}

// Human reports both scores to two decimals; the thresholds in decide.ts were measured on those.
const score = (n: number) => Math.round(100 * n) / 100;

/** Anti-spoofing and liveness scores (0..1, 1 = a real, live face) of a face cut by `cutFace`. */
export async function spoofScores(tf: Tf, models: FaceModels, face: Tensor4D): Promise<{ real: number; live: number }> {
  const run = async (model: Graph, native: NativeModel | null) => {
    const input = resizeFor(tf, face, model);
    if (native) return score((await runNative(native, input))[0][0]);
    const out = model.execute(input) as Tensor;
    try {
      return score((await out.data())[0]);
    } finally {
      tf.dispose([input, out]);
    }
  };
  return { real: await run(models.antispoof, models.native.antispoof), live: await run(models.liveness, models.native.liveness) };
}

/** Runs a model on onnxruntime with a tfjs tensor as its input, and disposes of the tensor. */
async function runNative(model: NativeModel, input: Tensor): Promise<Float32Array[]> {
  try {
    return await model.run((await input.data()) as Float32Array);
  } finally {
    input.dispose();
  }
}
