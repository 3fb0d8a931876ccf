// Face detection as human 3.3 does it for a still image with the mesh off (face/blazeface.ts getBoxes,
// face/facemesh.ts predict and face/facemeshutil.ts in the package), with the BlazeFace model itself on
// onnxruntime (native-models.ts): ~18 ms against ~60–90 ms on tfjs's WebAssembly backend. Human's own path also
// cut and resized a crop of every face for models that are not run here. The box arithmetic tfjs did in float32
// is done in float32 here too (Math.fround), so boxes come out as human's do; tests compare the two.
import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import type { NativeModel } from './native-models.js';

type Tf = Human['tf'];

/** What the face engine uses of a face human finds: pixel box, box relative to the image, six landmarks, score. */
export interface FoundFace {
  box: [number, number, number, number];
  boxRaw: [number, number, number, number];
  mesh: [number, number][];
  score: number;
}

export interface DetectOptions {
  maxFaces: number;
  minConfidence: number;
  /** Human's defaults (config.face.detector): boxes overlapping more are one face; a box is grown by `scale`. */
  iouThreshold?: number;
  scale?: number;
}

const SIZE = 256;
const f32 = Math.fround;

/** BlazeFace's anchors for a 256 px input: a 16 × 16 grid with 2 per cell, then an 8 × 8 grid with 6. */
const ANCHORS: [number, number][] = (() => {
  const out: [number, number][] = [];
  for (const [stride, perCell] of [
    [SIZE / 16, 2],
    [SIZE / 8, 6],
  ]) {
    const cells = Math.floor((SIZE + stride - 1) / stride);
    for (let gy = 0; gy < cells; gy++) for (let gx = 0; gx < cells; gx++) for (let n = 0; n < perCell; n++) out.push([stride * (gx + 0.5), stride * (gy + 0.5)]);
  }
  return out;
})();

/** The faces in `image` (H × W × 3, 0..255), in human's order (best first after suppression). */
export async function detectFaces(tf: Tf, model: NativeModel, image: Tensor3D, opts: DetectOptions): Promise<FoundFace[]> {
  const [height, width] = image.shape;
  const normalized = tf.tidy(() => tf.sub(tf.div(tf.image.resizeBilinear(image, [SIZE, SIZE]), tf.scalar(127.5)), tf.scalar(1)));
  let heads: Float32Array[];
  try {
    heads = await model.run((await normalized.data()) as Float32Array);
  } finally {
    normalized.dispose();
  }
  // Rows: the 512 anchors of the fine grid, then the 384 of the coarse one; per row a logit and 16 regressors
  // (box centre offset, box size, six landmarks).
  const [logitsFine, regFine, logitsCoarse, regCoarse] = heads;
  const rows = ANCHORS.length;
  const logit = (i: number) => (i < 512 ? logitsFine[i] : logitsCoarse[i - 512]);
  const reg = (i: number, k: number) => (i < 512 ? regFine[i * 16 + k] : regCoarse[(i - 512) * 16 + k]);

  const boxes = new Float32Array(rows * 4);
  const scores = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const cx = f32(f32(reg(i, 0) + ANCHORS[i][0]) / SIZE);
    const cy = f32(f32(reg(i, 1) + ANCHORS[i][1]) / SIZE);
    const hw = f32(f32(reg(i, 2) / SIZE) / 2);
    const hh = f32(f32(reg(i, 3) / SIZE) / 2);
    boxes[i * 4] = f32(f32(cx - hw) * SIZE);
    boxes[i * 4 + 1] = f32(f32(cy - hh) * SIZE);
    boxes[i * 4 + 2] = f32(f32(cx + hw) * SIZE);
    boxes[i * 4 + 3] = f32(f32(cy + hh) * SIZE);
    scores[i] = f32(1 / (1 + Math.exp(-logit(i))));
  }
  // Suppression by tfjs itself, so that ties and thresholds behave exactly as in human.
  const boxesT = tf.tensor2d(boxes, [rows, 4]);
  const scoresT = tf.tensor1d(scores);
  let kept: number[];
  try {
    const nms = await tf.image.nonMaxSuppressionAsync(boxesT, scoresT, opts.maxFaces, opts.iouThreshold ?? 0.1, opts.minConfidence);
    kept = Array.from(await nms.data());
    nms.dispose();
  } finally {
    tf.dispose([boxesT, scoresT]);
  }

  const fx = width / SIZE;
  const fy = height / SIZE;
  const faces: FoundFace[] = [];
  for (const i of kept) {
    const confidence = scores[i];
    if (!(confidence > opts.minConfidence)) continue;
    const [ax, ay] = ANCHORS[i];
    // scaleBoxCoordinates, enlargeBox (× 1.4), squarifyBox: in JS numbers, as human does them.
    const start = [boxes[i * 4] * fx, boxes[i * 4 + 1] * fy];
    const end = [boxes[i * 4 + 2] * fx, boxes[i * 4 + 3] * fy];
    const mesh = Array.from({ length: 6 }, (_, k) => [(reg(i, 4 + 2 * k) + ax) * fx, (reg(i, 5 + 2 * k) + ay) * fy] as [number, number]);
    const scale = opts.scale ?? 1.4;
    const centre = [start[0] + (end[0] - start[0]) / 2, start[1] + (end[1] - start[1]) / 2];
    const size = [Math.abs(end[0] - start[0]), Math.abs(end[1] - start[1])];
    const grown = [centre[0] - (scale * size[0]) / 2, centre[1] - (scale * size[1]) / 2, centre[0] + (scale * size[0]) / 2, centre[1] + (scale * size[1]) / 2];
    const c2 = [grown[0] + (grown[2] - grown[0]) / 2, grown[1] + (grown[3] - grown[1]) / 2];
    const half = Math.max(Math.abs(grown[2] - grown[0]), Math.abs(grown[3] - grown[1])) / 2;
    const [x1, y1, x2, y2] = [Math.round(c2[0] - half), Math.round(c2[1] - half), Math.round(c2[0] + half), Math.round(c2[1] + half)];
    const sizeW = Math.round(Math.abs(grown[2] - grown[0]));
    const sizeH = Math.round(Math.abs(grown[3] - grown[1]));
    if (!(sizeW > 0 && sizeH > 0)) continue;
    const score = Math.round(100 * confidence) / 100;
    if (!(score > opts.minConfidence)) continue;
    faces.push({
      // clampBox and getRawBox
      box: [
        Math.trunc(Math.max(0, x1)),
        Math.trunc(Math.max(0, y1)),
        Math.trunc(Math.min(width, x2) - Math.max(0, x1)),
        Math.trunc(Math.min(height, y2) - Math.max(0, y1)),
      ],
      boxRaw: [x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height],
      mesh,
      score,
    });
  }
  return faces;
}
