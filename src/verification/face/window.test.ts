import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insideMask, windowPixels } from './window.js';

// A 4 × 3 image whose pixel (x, y) holds 10·y + x + 1 in every channel (never 0, so black shows).
const W = 4;
const H = 3;
const image = Float32Array.from({ length: W * H * 3 }, (_, i) => {
  const p = Math.floor(i / 3);
  return 10 * Math.floor(p / W) + (p % W) + 1;
});
const firstChannel = (a: Float32Array) => Array.from(a.filter((_, i) => i % 3 === 0));

test('a window inside the image is its pixels', () => {
  assert.deepEqual(firstChannel(windowPixels(image, W, H, { left: 1, top: 1, width: 2, height: 2 })), [12, 13, 22, 23]);
});

test('a window reaching past the edges reads black there', () => {
  const w = windowPixels(image, W, H, { left: -1, top: 2, width: 3, height: 2 });
  assert.deepEqual(firstChannel(w), [0, 21, 22, 0, 0, 0]);
  assert.equal(w.length, 3 * 2 * 3);
});

test('a window wholly outside is black', () => {
  assert.deepEqual(firstChannel(windowPixels(image, W, H, { left: 5, top: 0, width: 2, height: 1 })), [0, 0]);
});

test('the mask is 1 exactly where the window lies on the image', () => {
  assert.deepEqual(firstChannel(insideMask(W, H, { left: 3, top: -1, width: 2, height: 3 })), [0, 0, 1, 0, 1, 0]);
  assert.deepEqual(Array.from(insideMask(W, H, { left: 0, top: 0, width: 1, height: 1 })), [1, 1, 1]);
});
