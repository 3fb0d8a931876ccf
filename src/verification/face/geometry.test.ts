import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipWindow, cropBox, faceBox, needsTurning, roll, turningCentre, turningWindow } from './geometry.js';

test('the face box is restored in whole pixels from human’s fractions, also past the image’s edge', () => {
  assert.deepEqual(faceBox([-30 / 800, 120 / 600, 240 / 800, 241 / 600], 800, 600), { x: -30, y: 120, w: 240, h: 241 });
});

test('an upright face, nose straight above the mouth, has no roll', () => {
  assert.equal(roll([[0, 0], [0, 0], [100, 80], [100, 120]]), 0);
});

test('a face leaning one way rolls one way and leaning the other way the other', () => {
  const right = roll([[0, 0], [0, 0], [110, 80], [100, 120]]);
  const left = roll([[0, 0], [0, 0], [90, 80], [100, 120]]);
  assert.ok(Math.abs(right - Math.atan2(10, 40)) < 1e-9, `${right}`);
  assert.ok(Math.abs(left + Math.atan2(10, 40)) < 1e-9, `${left}`);
});

test('a face is turned upright only beyond about 11.5°', () => {
  assert.deepEqual([needsTurning(0.19), needsTurning(-0.19), needsTurning(0.21), needsTurning(-0.21)], [false, false, true, true]);
});

test('the turning window holds the face box turned any way about its centre', () => {
  const box = { x: 101, y: 57, w: 160, h: 161 };
  const w = turningWindow(box);
  const [cx, cy] = [box.x + box.w / 2, box.y + box.h / 2];
  for (let a = 0; a < Math.PI / 2; a += 0.05) {
    for (const [dx, dy] of [[-box.w / 2, -box.h / 2], [box.w / 2, -box.h / 2], [box.w / 2, box.h / 2], [-box.w / 2, box.h / 2]]) {
      const x = cx + dx * Math.cos(a) - dy * Math.sin(a);
      const y = cy + dx * Math.sin(a) + dy * Math.cos(a);
      assert.ok(x >= w.left + 1 && x <= w.left + w.width - 2 && y >= w.top + 1 && y <= w.top + w.height - 2, `corner (${x}, ${y}) at ${a} outside ${JSON.stringify(w)}`);
    }
  }
});

test('the window is turned about the face’s centre', () => {
  const box = { x: 101, y: 57, w: 160, h: 160 };
  const w = turningWindow(box);
  const [fx, fy] = turningCentre(box, w);
  assert.ok(Math.abs(w.left + fx * w.width - 181) < 1e-9 && Math.abs(w.top + fy * w.height - 137) < 1e-9);
});

test('cut from the whole image, the crop box is human’s: the corners over the image’s sides', () => {
  const image = { width: 800, height: 600 };
  const box = { x: 100, y: 60, w: 200, h: 200 };
  assert.deepEqual(cropBox(box, image, { left: 0, top: 0, ...image }), [60 / 600, 100 / 800, 260 / 600, 300 / 800]);
});

test('cut from a window, the crop box lands on the pixels it lands on in the whole image', () => {
  const image = { width: 800, height: 600 };
  const box = { x: 100, y: 60, w: 200, h: 200 };
  const win = { left: 50, top: 20, width: 301, height: 301 };
  const [y1, x1, y2, x2] = cropBox(box, image, win);
  // cropAndResize reads fraction f of a side of n pixels at pixel f·(n − 1).
  const at = (f: number, n: number, offset: number) => f * (n - 1) + offset;
  assert.ok(Math.abs(at(y1, 301, 20) - (60 / 600) * 599) < 1e-9);
  assert.ok(Math.abs(at(x1, 301, 50) - (100 / 800) * 799) < 1e-9);
  assert.ok(Math.abs(at(y2, 301, 20) - (260 / 600) * 599) < 1e-9);
  assert.ok(Math.abs(at(x2, 301, 50) - (300 / 800) * 799) < 1e-9);
});

test('a window past the image’s top-left corner keeps its inside part and pads the rest', () => {
  assert.deepEqual(clipWindow({ left: -20, top: -10, width: 100, height: 100 }, { width: 800, height: 600 }), {
    inside: { left: 0, top: 0, width: 80, height: 90 },
    pad: { top: 10, bottom: 0, left: 20, right: 0 },
  });
});

test('a window past the image’s bottom-right corner pads after', () => {
  assert.deepEqual(clipWindow({ left: 750, top: 560, width: 100, height: 100 }, { width: 800, height: 600 }), {
    inside: { left: 750, top: 560, width: 50, height: 40 },
    pad: { top: 0, bottom: 60, left: 0, right: 50 },
  });
});

test('a window wholly outside the image has no inside part', () => {
  assert.equal(clipWindow({ left: 900, top: 0, width: 100, height: 100 }, { width: 800, height: 600 }), null);
});
