import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeGrey, decodeGreyToWidth, greyOfRgb, greyToWidth, pgm } from './raster.js';

// Every 8-bit level of each primary, and some mixtures: what the readers were measured on is libvips' grey.
const SWATCHES = [...Array.from({ length: 256 }, (_, v) => [[v, 0, 0], [0, v, 0], [0, 0, v], [v, v, v]]).flat(), [200, 120, 40], [12, 250, 99]];

test('grey is the luminance libvips computes, to within one level', async () => {
  const rgb = Uint8Array.from(SWATCHES.flat());
  const ours = greyOfRgb(rgb, SWATCHES.length, 1);
  const theirs = await sharp(rgb, { raw: { width: SWATCHES.length, height: 1, channels: 3 } }).greyscale().raw().toBuffer();
  let worst = 0;
  for (let i = 0; i < SWATCHES.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - theirs[i]));
  assert.ok(worst <= 1, `differs by ${worst}`);
  assert.deepEqual([ours.data[0], ours.data[3 + 4 * 255]], [0, 255]);
});

test('decoding turns the image upright and bounds its longer side', async () => {
  // 300 × 100 stored, EXIF orientation 6 (shown turned a quarter clockwise): 100 × 300 upright.
  const jpeg = await sharp({ create: { width: 300, height: 100, channels: 3, background: { r: 0, g: 255, b: 0 } } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
  const g = await decodeGrey(jpeg, 150);
  assert.deepEqual([g.width, g.height, g.data.length], [50, 150, 50 * 150]);
  assert.ok(Math.abs(g.data[0] - 220) <= 2, `green reads ${g.data[0]}`);
});

test('an undecodable image is refused', async () => {
  await assert.rejects(decodeGrey(Buffer.from('not an image'), 100));
});

test('resizing to a width keeps one channel and the aspect, either way', async () => {
  const g = { data: new Uint8Array(400 * 200).fill(90), width: 400, height: 200 };
  const small = await greyToWidth(g, 100);
  assert.deepEqual([small.width, small.height, small.data.length], [100, 50, 5000]);
  assert.ok(small.data.every((v) => v === 90));
  const large = await greyToWidth(g, 800);
  assert.deepEqual([large.width, large.height, large.data.length], [800, 400, 800 * 400]);
  assert.equal(await greyToWidth(g, 400), g);
});

test('decoding to a width gives the grey that decoding and then resizing gives, give or take a level', async () => {
  const png = await sharp({ create: { width: 300, height: 120, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .composite([{ input: { create: { width: 100, height: 120, channels: 3, background: { r: 10, g: 30, b: 250 } } }, left: 100, top: 0 }])
    .png()
    .toBuffer();
  const direct = await decodeGreyToWidth(png, 150);
  const twoSteps = await greyToWidth(await decodeGrey(png, 1000), 150);
  assert.deepEqual([direct.width, direct.height], [150, 60]);
  assert.deepEqual([twoSteps.width, twoSteps.height], [150, 60]);
  // Away from the edge between the two colours, where the orders of grey and resize differ most.
  for (const x of [10, 75, 140]) assert.ok(Math.abs(direct.data[30 * 150 + x] - twoSteps.data[30 * 150 + x]) <= 1, `at x=${x}`);
});

test('a PGM is the binary header and then the pixels, row by row', () => {
  const g = { data: Uint8Array.from([0, 64, 128, 255, 10, 20]), width: 3, height: 2 };
  const file = pgm(g);
  assert.equal(file.subarray(0, 11).toString('ascii'), 'P5\n3 2\n255\n');
  assert.deepEqual(Array.from(file.subarray(11)), Array.from(g.data));
});
