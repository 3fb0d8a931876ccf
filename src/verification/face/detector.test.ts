// The detector with its model on onnxruntime against human's own detect, on the sample photos (several faces
// each, some small or turned) and on document portraits: the same boxes and scores, the landmarks within a
// thousandth of a pixel (the two runtimes' float sums differ in the last bits).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import sharp from 'sharp';
import { FACES, documentPortrait, noFaceImage, samplePath } from '../../../test/fixtures/faces.js';
import { detectFaces } from './detector.js';
import { loadHuman } from './human.js';
import { type NativeModel, loadNativeModels } from './native-models.js';

let human: Human;
let detector: NativeModel;

before(async () => {
  human = await loadHuman(3);
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/human')), '..', 'models');
  const native = await loadNativeModels(human.tf, dir);
  assert.ok(native.detector, 'onnxruntime did not load the detector');
  detector = native.detector;
});

async function tensorOf(image: Buffer): Promise<Tensor3D> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return human.tf.tensor3d(new Float32Array(data), [info.height, info.width, 3], 'float32');
}

async function compare(image: Buffer): Promise<number> {
  const input = await tensorOf(image);
  try {
    const theirs = (await human.detect(input)).face;
    const ours = await detectFaces(human.tf, detector, input, { maxFaces: 3, minConfidence: 0.3 });
    const shown = JSON.stringify({ human: theirs.map((f) => [f.box, f.score]), ours: ours.map((f) => [f.box, f.score]) });
    assert.equal(ours.length, theirs.length, shown);
    for (const [i, f] of theirs.entries()) {
      assert.deepEqual(ours[i].box, f.box, shown);
      assert.deepEqual(ours[i].boxRaw, f.boxRaw, shown);
      assert.equal(ours[i].score, f.score, shown);
      const drift = Math.max(...f.mesh.flatMap((p, k) => [Math.abs(p[0] - ours[i].mesh[k][0]), Math.abs(p[1] - ours[i].mesh[k][1])]));
      assert.ok(drift < 1e-3, `landmarks differ by ${drift} px`);
    }
    return ours.length;
  } finally {
    input.dispose();
  }
}

for (const sample of [...new Set(FACES.map((f) => f.sample))]) {
  test(`on sample photo ${sample}, detection on onnxruntime finds the faces human finds, in the same boxes`, async () => {
    assert.ok((await compare(await sharp(samplePath(sample)).toBuffer())) > 0);
  });
}

test('on a document portrait, detection on onnxruntime finds the face human finds, in the same box', async () => {
  assert.equal(await compare(await documentPortrait(FACES[0].id)), 1);
});

test('on an image without a face, detection on onnxruntime finds none, as human does', async () => {
  assert.equal(await compare(await noFaceImage()), 0);
});
