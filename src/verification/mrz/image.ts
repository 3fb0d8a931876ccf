// The pixel work the MRZ reader needs, on plain typed arrays: a greyscale raster, local-contrast binarisation,
// connected ink blobs and bilinear sampling. sharp only decodes (raster.ts); everything after that is ours.
import { type Grey, decodeGrey } from '../raster.js';

export type { Grey } from '../raster.js';

/** Decodes any image sharp reads into 8-bit grey (EXIF orientation applied), no larger than `maxSide`. */
export function loadGrey(image: Buffer, maxSide = 2000): Promise<Grey> {
  return decodeGrey(image, maxSide);
}

/**
 * Ink mask (1 = ink): darker than the local mean by a margin, so uneven light and tinted paper don't matter.
 * The window is a square of side `window` pixels, averaged through an integral image.
 */
export function binarise(g: Grey, window: number, ratio = 0.82, minDrop = 18): Uint8Array {
  const { width: w, height: h, data } = g;
  const W = w + 1;
  const integral = new Float64Array(W * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += data[y * w + x];
      integral[(y + 1) * W + x + 1] = integral[y * W + x + 1] + row;
    }
  }
  const r = Math.max(2, Math.round(window / 2));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const sum = integral[y1 * W + x1] - integral[y0 * W + x1] - integral[y1 * W + x0] + integral[y0 * W + x0];
      const mean = sum / ((y1 - y0) * (x1 - x0));
      const v = data[y * w + x];
      out[y * w + x] = v < mean * ratio && mean - v > minDrop ? 1 : 0;
    }
  }
  return out;
}

export interface Blob {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

/** 8-connected ink blobs whose height lies in [minH, maxH]. */
export function blobs(mask: Uint8Array, w: number, h: number, minH: number, maxH: number): Blob[] {
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const out: Blob[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let x0 = w, y0 = h, x1 = -1, y1 = -1, area = 0;
    while (top > 0) {
      const p = stack[--top];
      const x = p % w;
      const y = (p - x) / w;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const bh = y1 - y0 + 1;
    if (bh >= minH && bh <= maxH) out.push({ x0, y0, x1, y1, area });
  }
  return out;
}

/** Half-size copy (2×2 box average): blob finding needs far fewer pixels than glyph sampling. */
export function halve(g: Grey): Grey {
  const w = g.width >> 1;
  const h = g.height >> 1;
  const out = new Uint8Array(w * h);
  const d = g.data;
  const W = g.width;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * W + 2 * x;
      out[y * w + x] = (d[i] + d[i + 1] + d[i + W] + d[i + W + 1] + 2) >> 2;
    }
  }
  return { data: out, width: w, height: h };
}

/** Bilinear grey value at a sub-pixel position; outside the image reads as white paper. */
export function sampleAt(g: Grey, x: number, y: number): number {
  if (x < 0 || y < 0 || x > g.width - 1 || y > g.height - 1) return 255;
  const x0 = Math.min(Math.floor(x), g.width - 2);
  const y0 = Math.min(Math.floor(y), g.height - 2);
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * g.width + x0;
  const d = g.data;
  const top = d[i] + (d[i + 1] - d[i]) * fx;
  const bottom = d[i + g.width] + (d[i + g.width + 1] - d[i + g.width]) * fx;
  return top + (bottom - top) * fy;
}
