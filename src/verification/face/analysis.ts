// What the face engine sees in one image, as plain data: it is produced inside a worker thread and read by the
// (pure) selfie decision, so nothing here may hold a tensor, a buffer view or a class instance.

export interface DetectedFace {
  /** [x, y, width, height] in pixels of the analysed (EXIF-rotated, size-limited) image. */
  box: [number, number, number, number];
  /** Detector confidence, 0..1. */
  score: number;
  /** The face-recognition descriptor (human's faceres, 1024 values); empty when it could not be computed. */
  embedding: number[];
  /** Anti-spoofing score, 0..1 (1 = a real face rather than a photo of a photo/screen); null when not computed. */
  real: number | null;
  /** Liveness score, 0..1; null when not computed. */
  live: number | null;
  /** The face's smaller side in pixels, the quality measure the decision uses for "too small". */
  size: number;
}

export interface FaceAnalysis {
  faces: DetectedFace[];
  /** Size of the analysed image (after EXIF rotation and the size limit). */
  width: number;
  height: number;
  /** Time spent in the engine for this image, decode included. */
  ms: number;
}

/**
 * Cosine similarity of two embeddings, in -1..1 (1 = same direction). Chosen over human's own normalised
 * `similarity` because it is scale-free and easy to state in an audit trail; on this model both rank pairs alike.
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}
