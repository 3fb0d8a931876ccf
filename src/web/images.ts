// Normalises an image the hosted page uploads before it is stored: the bytes a phone sends are untrusted
// (any size, any EXIF, maybe not an image at all), and everything downstream — the dashboard, the engines,
// file downloads — gets one predictable shape instead: an upright JPEG (q90), longest side at most 2160 px,
// with no metadata (EXIF carries GPS position, device serial numbers and capture times).
import sharp from 'sharp';
import { sniffFileType } from '../domain/files.js';
import type { ImageSide } from '../domain/page.js';
import { PageError } from './api/errors.js';

export const PAGE_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const MAX_SIDE = 2160;
const JPEG_QUALITY = 90;
// Decoding cost grows with pixels, not bytes: a 10 MB PNG can claim 50 000 × 50 000 pixels. Phone cameras
// stay well under this (a 48 MP sensor is 48 million).
const MAX_INPUT_PIXELS = 64_000_000;

/** Smallest accepted image: a document must be legible, a selfie must show a face. Orientation-free. */
const MIN_SIZE: Record<'document' | 'selfie', { long: number; short: number }> = {
  document: { long: 600, short: 400 },
  selfie: { long: 300, short: 300 },
};

export async function normalisePageImage(bytes: Buffer, side: ImageSide): Promise<Buffer> {
  if (bytes.length > PAGE_IMAGE_MAX_BYTES) throw new PageError('file_too_large');
  const type = sniffFileType(bytes);
  // PDFs are accepted by /v1/files but not as a photo of a document: there is nothing to capture-check.
  if (type !== 'jpg' && type !== 'png') throw new PageError('file_type_unsupported');
  // failOn 'warning': a truncated or corrupt image is refused rather than stored half grey.
  const input = () => sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true });
  let width: number | undefined;
  let height: number | undefined;
  try {
    const meta = await input().metadata();
    width = meta.width;
    height = meta.height;
  } catch {
    throw new PageError('image_unreadable');
  }
  if (!width || !height) throw new PageError('image_unreadable');
  const min = MIN_SIZE[side === 'selfie' ? 'selfie' : 'document'];
  if (Math.max(width, height) < min.long || Math.min(width, height) < min.short) throw new PageError('image_too_small');
  try {
    return await input()
      .rotate() // applies the EXIF orientation, which the re-encode then drops with the rest of the metadata
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' }) // a transparent PNG becomes white, not black, as a JPEG
      // Huffman tables left at libjpeg's defaults: optimising them is a second pass over the image that made
      // encoding half as dear again for files 9% smaller; the pixels decode the same either way.
      .jpeg({ quality: JPEG_QUALITY, optimiseCoding: false })
      .toBuffer();
  } catch {
    throw new PageError('image_unreadable');
  }
}
