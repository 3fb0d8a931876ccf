// Which detected faces are worth the expensive models. Finding faces is cheap; describing one costs most of
// an analysis, and the anti-spoof and liveness models only matter on a selfie. The selfie decision
// (decide.ts) only ever compares one face per image, so each purpose names the faces that decision can use.
import { DEFAULT_FACE_THRESHOLDS, type FaceThresholds } from './decide.js';

/**
 * `selfie`: the decision uses the selfie's face only when it is the one clear face on it; `document`: it uses
 * the largest clear face big enough to compare (an ID card also prints a small "ghost" copy); `every`: every
 * face, fully (the accuracy benchmark, and callers that want to see everything).
 */
export type FacePurpose = 'selfie' | 'document' | 'every';

export interface FaceWork {
  /** Compute the descriptor. */
  describe: boolean;
  /** Run the anti-spoof and liveness models. */
  spoof: boolean;
}

/**
 * The work per face, in the faces' order. Uses the default thresholds: a configuration that lowered the score
 * or size floors would meet faces without descriptors, which the decision rejects rather than accepts.
 */
export function planFaces(faces: readonly { score: number; size: number }[], purpose: FacePurpose, t: FaceThresholds = DEFAULT_FACE_THRESHOLDS): FaceWork[] {
  const none: FaceWork = { describe: false, spoof: false };
  if (purpose === 'every') return faces.map(() => ({ describe: true, spoof: true }));
  if (purpose === 'selfie') {
    const clear = faces.filter((f) => f.score >= t.minFaceScore);
    return faces.map((f) => (clear.length === 1 && clear[0] === f ? { describe: true, spoof: true } : none));
  }
  const usable = faces.filter((f) => f.score >= t.minFaceScore && f.size >= t.minDocumentFaceSize);
  const largest = usable.reduce<(typeof usable)[number] | null>((best, f) => (!best || f.size > best.size ? f : best), null);
  return faces.map((f) => (f === largest ? { describe: true, spoof: false } : none));
}
