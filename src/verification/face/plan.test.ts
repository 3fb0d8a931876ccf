import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFaces } from './plan.js';

const full = { describe: true, spoof: true };
const described = { describe: true, spoof: false };
const none = { describe: false, spoof: false };

test('a selfie’s one clear face is described and checked for spoofing', () => {
  assert.deepEqual(planFaces([{ score: 0.95, size: 300 }], 'selfie'), [full]);
});

test('a faint second face on a selfie does not stop the clear one being analysed', () => {
  assert.deepEqual(planFaces([{ score: 0.95, size: 300 }, { score: 0.42, size: 140 }], 'selfie'), [full, none]);
});

test('a selfie with two clear faces gets no analysis, since it fails on the count alone', () => {
  assert.deepEqual(planFaces([{ score: 0.95, size: 300 }, { score: 0.8, size: 200 }], 'selfie'), [none, none]);
});

test('a selfie whose only face is faint gets no analysis', () => {
  assert.deepEqual(planFaces([{ score: 0.4, size: 300 }], 'selfie'), [none]);
});

test('on a document only the largest clear face is described, without the spoof models', () => {
  assert.deepEqual(planFaces([{ score: 0.9, size: 80 }, { score: 0.87, size: 230 }], 'document'), [none, described]);
});

test('a larger but faint face on a document gives way to a clear one', () => {
  assert.deepEqual(planFaces([{ score: 0.3, size: 400 }, { score: 0.87, size: 230 }], 'document'), [none, described]);
});

test('a document face too small to compare is not described', () => {
  assert.deepEqual(planFaces([{ score: 0.9, size: 40 }], 'document'), [none]);
});

test('every face is fully analysed when every face is asked for', () => {
  assert.deepEqual(planFaces([{ score: 0.2, size: 30 }, { score: 0.9, size: 300 }], 'every'), [full, full]);
});
