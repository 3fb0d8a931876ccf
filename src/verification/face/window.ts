// A window of an RGB image (H × W × 3 floats, row-major), copied row by row in plain JS. tfjs's wasm backend
// slices a 4-D tensor element by element in JS after copying the whole image out of wasm memory: ~50 ms per
// face on a 1600 px photo, for a copy that is a few hundred row moves.
import type { Window } from './geometry.js';

/** The pixels under `win`, which may reach past the image's edges; what lies outside reads as black (0). */
export function windowPixels(pixels: Float32Array, width: number, height: number, win: Window): Float32Array {
  const out = new Float32Array(win.width * win.height * 3);
  const left = Math.max(0, win.left);
  const right = Math.min(width, win.left + win.width);
  if (right <= left) return out;
  for (let y = Math.max(0, win.top); y < Math.min(height, win.top + win.height); y++) {
    const from = (y * width + left) * 3;
    out.set(pixels.subarray(from, from + (right - left) * 3), ((y - win.top) * win.width + (left - win.left)) * 3);
  }
  return out;
}

/** 1 inside the image, 0 outside, per channel of the window: multiplying by it blackens what lies outside. */
export function insideMask(width: number, height: number, win: Window): Float32Array {
  const out = new Float32Array(win.width * win.height * 3);
  for (let y = Math.max(0, win.top); y < Math.min(height, win.top + win.height); y++) {
    const from = ((y - win.top) * win.width + (Math.max(0, win.left) - win.left)) * 3;
    const to = ((y - win.top) * win.width + (Math.min(width, win.left + win.width) - win.left)) * 3;
    if (to > from) out.fill(1, from, to);
  }
  return out;
}
