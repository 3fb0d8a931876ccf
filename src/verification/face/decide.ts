// The selfie decision: from what the face engine saw on the document and on the selfie to Stripe's selfie
// error codes. Pure, so that thresholds can be tested and replayed from the stored scores.
import { cosineSimilarity, type DetectedFace, type FaceAnalysis } from './analysis.js';

export type SelfieErrorCode = 'selfie_document_missing_photo' | 'selfie_unverified_other' | 'selfie_manipulated' | 'selfie_face_mismatch';

export interface FaceThresholds {
  /** Cosine similarity of the two embeddings at or above which the faces are the same person. */
  match: number;
  /**
   * Half-width of the band around `match` where no automatic decision is made: a similarity within
   * `match ± reviewBand` holds the session for a person. 0 turns manual review off.
   */
  reviewBand: number;
  /** Detector score below which a face does not count (on either image). */
  minFaceScore: number;
  /** Smallest selfie face side, in pixels of the analysed image, good enough to compare. */
  minSelfieFaceSize: number;
  /** Smallest document-portrait face side in pixels; ID photos are small, but below this nothing is comparable. */
  minDocumentFaceSize: number;
  /** Anti-spoofing score below which the selfie is taken for a photo of a photo or of a screen. */
  minReal: number;
  /** Liveness score below which the selfie is taken for a replayed or printed face. */
  minLive: number;
}

/**
 * Chosen from measurement on the labelled sample faces (test/fixtures/faces.ts, `measureFaces`: 22 faces, 460
 * impostor and 24 genuine selfie-vs-document-portrait pairs; human 3.3.6 faceres). Different people scored at
 * most 0.62 (median 0.41), so 0.65 leaves a small margin over the zero-false-accept point (0.63). The same face
 * as selfie and as washed-out document portrait scored 0.83–0.95; the one woman seen in two different photos
 * 0.61, which 0.65 alone would reject. The band (0.58–0.72) sends her and the three closest look-alikes to a
 * person rather than letting a weak model decide. Liveness: real photos scored ≥ 0.6; screen replays with a
 * cold cast fell below 0.5 in half the cases, well-balanced ones rarely. The anti-spoof score did not separate
 * replays from real photos (replays scored higher), so its floor sits below every real photo seen (0.44) and
 * only catches what the model is sure of. Sizes: selfie faces in the samples are 260–400 px, document
 * portraits 115–155 px.
 */
export const DEFAULT_FACE_THRESHOLDS: FaceThresholds = {
  match: 0.65,
  reviewBand: 0.07,
  minFaceScore: 0.5,
  minSelfieFaceSize: 120,
  minDocumentFaceSize: 60,
  minReal: 0.3,
  minLive: 0.5,
};

// A type alias rather than an interface, so it fits a plain `Record<string, number | null>` audit field.
export type SelfieScores = {
  similarity: number | null;
  real: number | null;
  live: number | null;
  document_face_score: number | null;
  selfie_face_score: number | null;
};

export interface SelfieDecision {
  /** null: the selfie passes. With `review`, the code a rejection by the reviewer would carry. */
  code: SelfieErrorCode | null;
  reason: string | null;
  /**
   * Hold for a person. Always comes with `selfie_face_mismatch`, so a caller that ignores review fails closed
   * rather than accepting an undecided match.
   */
  review: boolean;
  scores: SelfieScores;
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

/** The face a document is about: the largest one counts (ID cards also print a small "ghost" copy). */
function documentFace(doc: FaceAnalysis, t: FaceThresholds): DetectedFace | null {
  const usable = doc.faces.filter((f) => f.score >= t.minFaceScore && f.size >= t.minDocumentFaceSize && f.embedding.length > 0);
  return usable.sort((a, b) => b.size - a.size)[0] ?? null;
}

export function decideSelfie(document: FaceAnalysis, selfie: FaceAnalysis, t: FaceThresholds = DEFAULT_FACE_THRESHOLDS): SelfieDecision {
  const docFace = documentFace(document, t);
  const selfieFaces = selfie.faces.filter((f) => f.score >= t.minFaceScore);
  const one = selfieFaces.length === 1 ? selfieFaces[0] : null;
  const scores: SelfieScores = {
    similarity: docFace && one && one.embedding.length > 0 ? round(cosineSimilarity(docFace.embedding, one.embedding)) : null,
    real: one?.real ?? null,
    live: one?.live ?? null,
    document_face_score: docFace?.score ?? null,
    selfie_face_score: one?.score ?? null,
  };
  const fail = (code: SelfieErrorCode, reason: string): SelfieDecision => ({ code, reason, review: false, scores });

  if (!docFace) return fail('selfie_document_missing_photo', 'No face large and clear enough was found on the document.');
  if (selfieFaces.length === 0) {
    return fail('selfie_unverified_other', selfie.faces.length > 0 ? 'The face on the selfie is not clear enough.' : 'No face was found on the selfie.');
  }
  if (!one) return fail('selfie_unverified_other', `The selfie shows ${selfieFaces.length} faces; it must show only one.`);
  if (one.size < t.minSelfieFaceSize) return fail('selfie_unverified_other', 'The face on the selfie is too small.');
  if (scores.similarity === null) return fail('selfie_unverified_other', 'The face on the selfie could not be described.');
  if (one.real !== null && one.real < t.minReal) return fail('selfie_manipulated', 'The selfie looks like a photo of a photo or of a screen.');
  if (one.live !== null && one.live < t.minLive) return fail('selfie_manipulated', 'The selfie does not look like a live person.');

  const s = scores.similarity;
  if (t.reviewBand > 0 && Math.abs(s - t.match) < t.reviewBand) {
    return { code: 'selfie_face_mismatch', reason: 'The selfie and the document photo are too close to call; held for manual review.', review: true, scores };
  }
  if (s < t.match) return fail('selfie_face_mismatch', 'The selfie does not match the photo on the document.');
  return { code: null, reason: null, review: false, scores };
}
