// The real engine on a handful of images (loading the models is the slow part, so one engine and one analysis
// per image serve every test). Run under `unshare -n` by scripts/test.mjs: passing there proves nothing is
// fetched.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { FACE_EXAMPLES, documentPortrait, faceCrop, noFaceImage, screenReplay } from '../../../test/fixtures/faces.js';
import { type FaceAnalysis, cosineSimilarity } from './analysis.js';
import { decideSelfie } from './decide.js';
import { createFaceEngine, type FaceEngine, loadHuman } from './human.js';

let engine: FaceEngine;
let selfie: FaceAnalysis;
let sameDocument: FaceAnalysis;
let otherDocument: FaceAnalysis;
const fetchBefore = globalThis.fetch;

before(async () => {
  engine = await createFaceEngine();
  selfie = await engine.analyse(await faceCrop(FACE_EXAMPLES.match.selfie));
  sameDocument = await engine.analyse(await documentPortrait(FACE_EXAMPLES.match.document));
  otherDocument = await engine.analyse(await documentPortrait(FACE_EXAMPLES.mismatch.document));
});

test('loading the engine leaves the process-wide fetch alone', () => {
  assert.equal(globalThis.fetch, fetchBefore);
});

test('a selfie crop yields one face with a 1024-value embedding and anti-spoof and liveness scores', () => {
  assert.equal(selfie.faces.length, 1);
  const [f] = selfie.faces;
  assert.equal(f.embedding.length, 1024);
  assert.ok(f.score > 0.9, `detector score ${f.score}`);
  assert.ok(f.real !== null && f.real >= 0 && f.real <= 1);
  assert.ok(f.live !== null && f.live >= 0 && f.live <= 1);
  const [x, y, w, h] = f.box;
  assert.ok(x >= 0 && y >= 0 && x + w <= selfie.width + 1 && y + h <= selfie.height + 1, `box ${f.box} in ${selfie.width}x${selfie.height}`);
  assert.equal(f.size, Math.min(w, h));
  assert.ok(selfie.ms > 0);
});

test('a picture without a face yields no faces', async () => {
  const a = await engine.analyse(await noFaceImage());
  assert.deepEqual(a.faces, []);
  assert.deepEqual([a.width, a.height], [800, 600]);
});

test('the same face as selfie and as document portrait passes the selfie check', () => {
  const d = decideSelfie(sameDocument, selfie);
  assert.equal(d.code, null, `${d.reason} ${JSON.stringify(d.scores)}`);
});

test('a document portrait of someone else is selfie_face_mismatch without review', () => {
  const d = decideSelfie(otherDocument, selfie);
  assert.deepEqual([d.code, d.review], ['selfie_face_mismatch', false], JSON.stringify(d.scores));
});

test('a selfie replayed from a screen is selfie_manipulated', async () => {
  const replay = await engine.analyse(await screenReplay(FACE_EXAMPLES.spoof.selfie, 'strong'));
  const d = decideSelfie(sameDocument, replay);
  assert.equal(d.code, 'selfie_manipulated', JSON.stringify(d.scores));
});

test('calls made at the same time each get their own image’s faces', async () => {
  const [none, one] = await Promise.all([engine.analyse(await noFaceImage()), engine.analyse(await faceCrop('s6f3'))]);
  assert.deepEqual([none.faces.length, one.faces.length], [0, 1]);
});

test('a selfie analysis gives its one clear face a descriptor and spoof scores', async () => {
  const a = await engine.analyse(await faceCrop(FACE_EXAMPLES.match.selfie), 'selfie');
  assert.equal(a.faces.length, 1);
  assert.deepEqual(a.faces[0].embedding, selfie.faces[0].embedding);
  assert.deepEqual([a.faces[0].real, a.faces[0].live], [selfie.faces[0].real, selfie.faces[0].live]);
});

test('a document analysis describes its portrait but skips the spoof models, which only a selfie needs', async () => {
  const a = await engine.analyse(await documentPortrait(FACE_EXAMPLES.match.document), 'document');
  assert.equal(a.faces.length, 1);
  assert.deepEqual(a.faces[0].embedding, sameDocument.faces[0].embedding);
  assert.deepEqual([a.faces[0].real, a.faces[0].live], [null, null]);
});

test('a selfie tilted past 11.5° is turned upright and still matches its document portrait', async () => {
  const tilted = await sharp(await faceCrop(FACE_EXAMPLES.match.selfie)).rotate(25, { background: '#808080' }).jpeg().toBuffer();
  const a = await engine.analyse(tilted, 'selfie');
  const d = decideSelfie(sameDocument, a);
  assert.equal(d.code, null, `${d.reason} ${JSON.stringify(d.scores)}`);
});

test('analysing an image leaves no tensor behind', async () => {
  const tf = (await loadHuman(3)).tf;
  const image = await faceCrop('s6f3');
  await engine.analyse(image);
  const before = tf.memory().numTensors;
  await engine.analyse(image);
  assert.equal(tf.memory().numTensors, before);
});

test('a large phone picture stored sideways with an EXIF orientation is analysed upright and reduced', async () => {
  const upright = await sharp(await faceCrop('s1f0')).resize({ width: 2000 }).toBuffer();
  const { width = 0, height = 0 } = await sharp(upright).metadata();
  const sideways = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const a = await engine.analyse(sideways);
  const scale = 1600 / Math.max(width, height);
  assert.deepEqual([a.width, a.height], [Math.round(width * scale), Math.round(height * scale)]);
  assert.equal(a.faces.length, 1);
});

test('on tfjs alone, as where onnxruntime cannot load, the engine finds the same faces and makes the same decisions', async () => {
  const tfjsOnly = await createFaceEngine({ runtime: 'tfjs' });
  const [s, same, other] = [
    await tfjsOnly.analyse(await faceCrop(FACE_EXAMPLES.match.selfie)),
    await tfjsOnly.analyse(await documentPortrait(FACE_EXAMPLES.match.document)),
    await tfjsOnly.analyse(await documentPortrait(FACE_EXAMPLES.mismatch.document)),
  ];
  for (const [a, b] of [
    [s, selfie],
    [same, sameDocument],
    [other, otherDocument],
  ]) {
    assert.deepEqual(
      a.faces.map((f) => [f.box, f.score, f.real, f.live]),
      b.faces.map((f) => [f.box, f.score, f.real, f.live]),
    );
    for (const [i, f] of a.faces.entries()) assert.ok(cosineSimilarity(f.embedding, b.faces[i].embedding) > 0.9999);
  }
  const decided = (d: ReturnType<typeof decideSelfie>) => [d.code, d.review, d.scores.similarity?.toFixed(3)];
  assert.deepEqual(decided(decideSelfie(same, s)), decided(decideSelfie(sameDocument, selfie)));
  assert.deepEqual(decided(decideSelfie(other, s)), decided(decideSelfie(otherDocument, selfie)));
});
