import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DetectedFace, FaceAnalysis } from './analysis.js';
import { DEFAULT_FACE_THRESHOLDS, decideSelfie, type FaceThresholds } from './decide.js';

const T: FaceThresholds = { match: 0.65, reviewBand: 0.05, minFaceScore: 0.5, minSelfieFaceSize: 120, minDocumentFaceSize: 60, minReal: 0.3, minLive: 0.5 };

/** A unit embedding whose cosine similarity with `REF` is exactly `similarity`. */
const withSimilarity = (similarity: number) => [similarity, Math.sqrt(1 - similarity * similarity), 0];
const REF = [1, 0, 0];

const face = (over: Partial<DetectedFace> = {}): DetectedFace => ({ box: [10, 10, 200, 200], score: 0.99, embedding: REF, real: 0.7, live: 0.95, size: 200, ...over });
const analysis = (...faces: DetectedFace[]): FaceAnalysis => ({ faces, width: 800, height: 600, ms: 1 });

const doc = analysis(face({ size: 120 }));
const selfieWith = (similarity: number, over: Partial<DetectedFace> = {}) => analysis(face({ embedding: withSimilarity(similarity), ...over }));

test('a clear single selfie face well above the match threshold passes with its scores', () => {
  const d = decideSelfie(doc, selfieWith(0.9), T);
  assert.equal(d.code, null);
  assert.equal(d.review, false);
  assert.deepEqual(d.scores, { similarity: 0.9, real: 0.7, live: 0.95, document_face_score: 0.99, selfie_face_score: 0.99 });
});

test('a document without a face is selfie_document_missing_photo', () => {
  const d = decideSelfie(analysis(), selfieWith(0.9), T);
  assert.equal(d.code, 'selfie_document_missing_photo');
  assert.equal(d.scores.similarity, null);
});

test('a document face below the detection score does not count as a photo', () => {
  assert.equal(decideSelfie(analysis(face({ score: 0.3 })), selfieWith(0.9), T).code, 'selfie_document_missing_photo');
});

test('a document face too small to compare does not count as a photo', () => {
  assert.equal(decideSelfie(analysis(face({ size: 40 })), selfieWith(0.9), T).code, 'selfie_document_missing_photo');
});

test('the largest document face is compared, not the small ghost copy', () => {
  const ghost = face({ size: 70, embedding: withSimilarity(0.1) });
  const d = decideSelfie(analysis(ghost, face({ size: 150 })), selfieWith(0.9), T);
  assert.equal(d.code, null);
  assert.equal(d.scores.similarity, 0.9);
});

test('a selfie with no face is selfie_unverified_other', () => {
  const d = decideSelfie(doc, analysis(), T);
  assert.equal(d.code, 'selfie_unverified_other');
  assert.match(d.reason ?? '', /No face/);
});

test('a selfie whose only face has a low detection score is selfie_unverified_other', () => {
  const d = decideSelfie(doc, selfieWith(0.9, { score: 0.4 }), T);
  assert.equal(d.code, 'selfie_unverified_other');
  assert.match(d.reason ?? '', /not clear/);
});

test('a selfie with two faces is selfie_unverified_other', () => {
  const d = decideSelfie(doc, analysis(face({ embedding: withSimilarity(0.9) }), face({ embedding: withSimilarity(0.2) })), T);
  assert.equal(d.code, 'selfie_unverified_other');
  assert.match(d.reason ?? '', /2 faces/);
});

test('a second face below the detection score does not make the selfie a group photo', () => {
  const d = decideSelfie(doc, analysis(face({ embedding: withSimilarity(0.9) }), face({ score: 0.2 })), T);
  assert.equal(d.code, null);
});

test('a selfie face smaller than the minimum size is selfie_unverified_other', () => {
  const d = decideSelfie(doc, selfieWith(0.9, { size: 80 }), T);
  assert.equal(d.code, 'selfie_unverified_other');
  assert.match(d.reason ?? '', /too small/);
});

test('a selfie face without an embedding is selfie_unverified_other', () => {
  assert.equal(decideSelfie(doc, selfieWith(0.9, { embedding: [] }), T).code, 'selfie_unverified_other');
});

test('an anti-spoof score below the floor is selfie_manipulated, even for a matching face', () => {
  const d = decideSelfie(doc, selfieWith(0.95, { real: 0.2 }), T);
  assert.equal(d.code, 'selfie_manipulated');
  assert.equal(d.scores.real, 0.2);
});

test('a liveness score below the floor is selfie_manipulated', () => {
  const d = decideSelfie(doc, selfieWith(0.95, { live: 0.3 }), T);
  assert.equal(d.code, 'selfie_manipulated');
  assert.match(d.reason ?? '', /live/);
});

test('missing anti-spoof and liveness scores do not fail the selfie', () => {
  assert.equal(decideSelfie(doc, selfieWith(0.9, { real: null, live: null }), T).code, null);
});

test('a similarity below the band is selfie_face_mismatch without review', () => {
  const d = decideSelfie(doc, selfieWith(0.5), T);
  assert.equal(d.code, 'selfie_face_mismatch');
  assert.equal(d.review, false);
});

test('a similarity just below the threshold, inside the band, is held for review', () => {
  const d = decideSelfie(doc, selfieWith(0.62), T);
  assert.equal(d.review, true);
  assert.equal(d.code, 'selfie_face_mismatch');
});

test('a similarity just above the threshold, inside the band, is also held for review (failing closed)', () => {
  const d = decideSelfie(doc, selfieWith(0.68), T);
  assert.equal(d.review, true);
  assert.equal(d.code, 'selfie_face_mismatch');
});

test('with the review band at 0 the threshold alone decides', () => {
  const noBand = { ...T, reviewBand: 0 };
  assert.deepEqual([decideSelfie(doc, selfieWith(0.64), noBand).code, decideSelfie(doc, selfieWith(0.66), noBand).code], ['selfie_face_mismatch', null]);
});

test('a missing document photo is reported before any selfie problem', () => {
  assert.equal(decideSelfie(analysis(), analysis(), T).code, 'selfie_document_missing_photo');
});

test('the default thresholds put the review band around the match threshold', () => {
  const t = DEFAULT_FACE_THRESHOLDS;
  assert.ok(t.reviewBand > 0 && t.match - t.reviewBand > 0 && t.match + t.reviewBand < 1);
  assert.equal(decideSelfie(doc, selfieWith(t.match), t).review, true);
});
