import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { normalisePageImage } from './images.js';

/** A photo-like test card: gradients and edges, so that the JPEG coder has real detail to code. */
async function photo(width: number, height: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      [px[i], px[i + 1], px[i + 2]] = [(x * 255) / width, (y * 255) / height, ((x ^ y) & 32) * 7];
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

test('the stored JPEG decodes to the pixels of a q90 encoding with optimised Huffman tables: only the coding is cheaper', async () => {
  const input = await photo(900, 700);
  const stored = await normalisePageImage(input, 'front');
  const optimised = await sharp(input).jpeg({ quality: 90, optimiseCoding: true }).toBuffer();
  const [a, b] = await Promise.all([sharp(stored).raw().toBuffer(), sharp(optimised).raw().toBuffer()]);
  assert.ok(a.equals(b), 'decoded pixels differ');
  const meta = await sharp(stored).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.exif], ['jpeg', 900, 700, undefined]);
});
