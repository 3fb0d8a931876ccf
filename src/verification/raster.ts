// Grey pixels shared by the document readers (MRZ, printed zone): a document's front is decoded once per session
// and both read the same raster. sharp decodes and resizes; the grey conversion is done here, on the decoded RGB,
// because libvips' own goes through floating-point linear light and measured about twice the decode's cost.
import sharp, { type Sharp } from 'sharp';

export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

// Luminance as libvips computes it for sRGB → B_W (Rec. 709 weights on linear light, gamma-encoded again), in
// fixed point: 12-bit linear values, weights summing to 2^14, a 4096-step table back to sRGB.
const LINEAR_STEPS = 4095;
const toLinear = Uint16Array.from({ length: 256 }, (_, i) => {
  const v = i / 255;
  return Math.round(LINEAR_STEPS * (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
});
const toSrgb = Uint8Array.from({ length: LINEAR_STEPS + 1 }, (_, i) => {
  const v = i / LINEAR_STEPS;
  return Math.round(255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055));
});
const [WR, WG] = [Math.round(0.2126 * 16384), Math.round(0.7152 * 16384)];
const WB = 16384 - WR - WG;
// Each channel's weighted linear value, looked up rather than multiplied per pixel.
const [R, G, B] = [WR, WG, WB].map((w) => Uint32Array.from(toLinear, (l) => w * l));

/** 8-bit grey of packed RGB pixels (3 bytes each). */
export function greyOfRgb(rgb: Uint8Array, width: number, height: number): Grey {
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = toSrgb[(R[rgb[j]] + G[rgb[j + 1]] + B[rgb[j + 2]] + 8192) >> 14];
  return { data: out, width, height };
}

async function greyOf(pipeline: Sharp): Promise<Grey> {
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return greyOfRgb(data, info.width, info.height);
}

/** Decodes any image sharp reads into 8-bit grey (EXIF orientation applied), no larger than `maxSide`. */
export function decodeGrey(image: Buffer, maxSide: number): Promise<Grey> {
  return greyOf(sharp(image, { failOn: 'none' }).rotate().resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true }));
}

/** Decodes an image straight to grey `width` pixels wide (EXIF orientation applied; height in proportion). */
export function decodeGreyToWidth(image: Buffer, width: number): Promise<Grey> {
  return greyOf(sharp(image, { failOn: 'none' }).rotate().resize({ width }));
}

/** `g` resized to `width` wide, height in proportion (sharp's Lanczos kernel, which keeps strokes crisp). */
export async function greyToWidth(g: Grey, width: number): Promise<Grey> {
  if (width === g.width) return g;
  const { data, info } = await sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } })
    .resize({ width })
    // Kept as one channel: sharp would otherwise hand back sRGB.
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
}

/** A binary PGM (P5): the cheapest image format to write and to read, for handing grey pixels to tesseract. */
export function pgm(g: Grey): Buffer {
  const header = Buffer.from(`P5\n${g.width} ${g.height}\n255\n`, 'ascii');
  return Buffer.concat([header, g.data]);
}
