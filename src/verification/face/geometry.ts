// Where on the image a face's models look, reproducing human's own arithmetic (face/facemeshutil.ts in the
// package) so that descriptors keep their meaning, but on a small window around the face: turning a tilted
// face upright then rotates a few hundred pixels rather than the whole photo.

/**
 * The detector's face box in image pixels; it may reach past the image's edges. Human makes it square, but
 * rounds each corner on its own, so the sides can differ by a pixel.
 */
export interface FaceBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An integer window of the image (it too may reach past the edges, which then read as black). */
export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Human leaves a face as it is below this roll (radians, ~11.5°): the descriptor copes with small tilts. */
export const UPRIGHT_TOLERANCE = 0.2;

/**
 * The box from human's `boxRaw` (fractions of the image, not clamped to it, unlike its `box`). Human's boxes
 * have integer corners, which rounding restores from the fractions.
 */
export function faceBox(boxRaw: readonly number[], width: number, height: number): FaceBox {
  return { x: Math.round(boxRaw[0] * width), y: Math.round(boxRaw[1] * height), w: Math.round(boxRaw[2] * width), h: Math.round(boxRaw[3] * height) };
}

const normalizeRadians = (a: number) => a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));

/**
 * The face's roll from the detector's six landmarks, as human computes it: the angle of the line from the
 * mouth (landmark 3) to the nose (landmark 2) against the vertical. 0 for an upright face.
 */
export function roll(landmarks: readonly (readonly [number, number, number?])[]): number {
  const [p1, p2] = [landmarks[3], landmarks[2]];
  if (!p1 || !p2) return 0;
  return normalizeRadians(Math.PI / 2 - Math.atan2(-(p2[1] - p1[1]), p2[0] - p1[0]));
}

export const needsTurning = (angle: number) => Math.abs(angle) > UPRIGHT_TOLERANCE;

const centre = (b: FaceBox) => [b.x + b.w / 2, b.y + b.h / 2] as const;

/**
 * The window that holds every pixel the face crop can read once turned about the box's centre: the box's
 * circumcircle, plus a pixel for interpolation and one for rounding.
 */
export function turningWindow(b: FaceBox): Window {
  const [cx, cy] = centre(b);
  const r = Math.ceil((Math.max(b.w, b.h) * Math.SQRT2) / 2) + 2;
  return { left: Math.floor(cx) - r, top: Math.floor(cy) - r, width: 2 * r + 1, height: 2 * r + 1 };
}

/** The centre to turn about, as fractions of the window (what tfjs's rotateWithOffset takes). */
export function turningCentre(b: FaceBox, w: Window): [number, number] {
  const [cx, cy] = centre(b);
  return [(cx - w.left) / w.width, (cy - w.top) / w.height];
}

/**
 * The box as tfjs's cropAndResize wants it ([y1, x1, y2, x2], as fractions of what it is cut from), so that a
 * cut from the window samples exactly the pixels human's cut from the whole image samples. cropAndResize puts
 * fraction f at pixel f·(side − 1), and human hands it pixel/side, hence the rescaling.
 */
export function cropBox(b: FaceBox, image: { width: number; height: number }, from: Window): [number, number, number, number] {
  const along = (p: number, side: number, offset: number, fromSide: number) => ((p / side) * (side - 1) - offset) / (fromSide - 1);
  return [
    along(b.y, image.height, from.top, from.height),
    along(b.x, image.width, from.left, from.width),
    along(b.y + b.h, image.height, from.top, from.height),
    along(b.x + b.w, image.width, from.left, from.width),
  ];
}

/** The part of a window inside the image, and how much black surrounds it on each side. */
export function clipWindow(w: Window, image: { width: number; height: number }): { inside: Window; pad: { top: number; bottom: number; left: number; right: number } } | null {
  const left = Math.max(0, w.left);
  const top = Math.max(0, w.top);
  const right = Math.min(image.width, w.left + w.width);
  const bottom = Math.min(image.height, w.top + w.height);
  if (right <= left || bottom <= top) return null;
  return {
    inside: { left, top, width: right - left, height: bottom - top },
    pad: { top: top - w.top, bottom: w.top + w.height - bottom, left: left - w.left, right: w.left + w.width - right },
  };
}
