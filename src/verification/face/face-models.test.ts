// The per-face preparation against human's own way of doing it, on the real tfjs wasm backend: cutting a
// window must give the crop that turning the whole image gives, and the tuned descriptor model the shipped
// model's descriptor.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, test } from 'node:test';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import { loadNativeModels } from './native-models.js';
import { cutFace, faceModels } from './face-models.js';
import type { FaceBox } from './geometry.js';
import { loadHuman } from './human.js';

let human: Human;
let tf: Human['tf'];
let image: Tensor3D;
const W = 400;
const H = 300;

before(async () => {
  human = await loadHuman(3);
  tf = human.tf;
  // Smooth enough that a pixel's neighbours are alike, varied enough that a misplaced crop shows.
  image = tf.tidy(() => {
    const ys = tf.reshape(tf.range(0, H), [H, 1, 1]);
    const xs = tf.reshape(tf.range(0, W), [1, W, 1]);
    const phase = tf.reshape(tf.tensor1d([0, 2, 4]), [1, 1, 3]);
    return tf.mul(tf.add(tf.sin(tf.add(tf.add(tf.div(xs, 17), tf.div(ys, 23)), phase)), 1), 127.5) as Tensor3D;
  });
});

/** Human's way: the whole image turned about the box's centre, then the box cut and scaled to 0..1. */
function wholeImageCut(box: FaceBox, angle: number): Tensor4D {
  return tf.tidy(() => {
    const batch = tf.expandDims(image, 0) as Tensor4D;
    const centre: [number, number] = [(box.x + box.w / 2) / W, (box.y + box.h / 2) / H];
    const turned = Math.abs(angle) > 0.2 ? tf.image.rotateWithOffset(batch, angle, 0, centre) : batch;
    const crop = tf.image.cropAndResize(turned, [[box.y / H, box.x / W, (box.y + box.h) / H, (box.x + box.w) / W]], [0], [256, 256]);
    return tf.div(crop, 255);
  });
}

/** Largest difference, and the share of values that differ by more than 1/255. */
async function compare(a: Tensor, b: Tensor): Promise<{ max: number; off: number }> {
  const [x, y] = [await a.data(), await b.data()];
  let max = 0;
  let off = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    max = Math.max(max, d);
    if (d > 1 / 255) off++;
  }
  tf.dispose([a, b]);
  return { max, off: off / x.length };
}

test('an upright face is cut exactly as human cuts it from the whole image', async () => {
  const box = { x: 140, y: 60, w: 150, h: 151 };
  const { max } = await compare(cutFace(tf, image, box, 0.1), wholeImageCut(box, 0.1));
  assert.equal(max, 0);
});

test('turning only a window around a tilted face cuts what turning the whole image cuts', async () => {
  const box = { x: 140, y: 60, w: 150, h: 151 };
  const { max } = await compare(cutFace(tf, image, box, 0.45), wholeImageCut(box, 0.45));
  assert.ok(max < 1e-4, `differs by up to ${max}`);
});

test('a tilted face reaching past the image’s edge reads black beyond it, as turning the whole image does', async () => {
  const box = { x: 300, y: -40, w: 160, h: 160 };
  // Only the one-pixel seam along the edge may differ: there human's cut reads nothing, ours half a pixel.
  const { max, off } = await compare(cutFace(tf, image, box, -0.5), wholeImageCut(box, -0.5));
  assert.ok(off < 0.01, `max ${max}, ${off} off`);
});

test('cutting faces leaves no tensor behind', () => {
  const before = tf.memory().numTensors;
  tf.dispose(cutFace(tf, image, { x: 10, y: 10, w: 100, h: 100 }, 0.6));
  assert.equal(tf.memory().numTensors, before);
});

test('the tuned descriptor model gives the descriptor the model as shipped gives', async () => {
  const require = createRequire(import.meta.url);
  const modelFile = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models', 'faceres.json');
  const json = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
  const weightData = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelFile), p)))));
  const shipped = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      signature: json.signature,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
  const tuned = faceModels(human).faceres;
  const input = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 7);
  const profile = await tf.profile(() => tuned.execute(input) as Tensor[]);
  const kernels: string[] = profile.kernels.map((k: { name: string }) => k.name);
  const [a, b] = [tuned.execute(input) as Tensor[], shipped.execute(input) as Tensor[]];
  const descriptor = (outs: Tensor[]) => outs.find((t) => t.shape[1] === 1024)!;
  const { max } = await compare(descriptor(a), descriptor(b));
  tf.dispose([input, ...a, ...b]);
  shipped.dispose();
  assert.ok(kernels.includes('Relu6') && !kernels.includes('Minimum'), `tuned model ran ${[...new Set(kernels)]}`);
  assert.ok(max < 1e-5, `descriptors differ by up to ${max}`);
});

test('the descriptor on onnxruntime gives the descriptor tfjs gives', async () => {
  const modelsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/human')), '..', 'models');
  const native = (await loadNativeModels(tf, modelsDir)).descriptor;
  assert.ok(native, 'onnxruntime did not load');
  const input = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 11);
  const out = faceModels(human).faceres.execute(input) as Tensor[];
  const want = (await out.find((t) => t.shape[1] === 1024)!.data()) as Float32Array;
  const [got] = await native.run((await input.data()) as Float32Array);
  tf.dispose([input, ...out]);
  const worst = Math.max(...want.map((v, i) => Math.abs(v - got[i])));
  assert.equal(got.length, 1024);
  assert.ok(worst < 1e-4, `descriptors differ by up to ${worst}`);
});

test('anti-spoofing and liveness on onnxruntime give the scores tfjs gives', async () => {
  const modelsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/human')), '..', 'models');
  const native = await loadNativeModels(tf, modelsDir);
  const models = faceModels(human);
  for (const [name, model, graph] of [
    ['antispoof', native.antispoof, models.antispoof],
    ['liveness', native.liveness, models.liveness],
  ] as const) {
    assert.ok(model, `onnxruntime did not load ${name}`);
    const shape = graph.inputs[0].shape!.map((d) => (d === -1 ? 1 : d));
    const input = tf.randomUniform(shape, 0, 1, 'float32', 5);
    const out = graph.execute(input) as Tensor;
    const want = (await out.data()) as Float32Array;
    const [got] = await model.run((await input.data()) as Float32Array);
    tf.dispose([input, out]);
    assert.equal(got.length, want.length, name);
    const worst = Math.max(...want.map((v, i) => Math.abs(v - got[i])));
    assert.ok(worst < 1e-5, `${name} differs by up to ${worst}`);
  }
});
