// The engines' port: what live verification asks of the image and text engines. The real implementation
// (local-engines.ts) runs inside a worker thread (threaded-engines.ts) so OCR and face models never block the
// API's event loop; unit tests hand the pipeline a fake. Everything crossing this boundary is plain data.
import type { DocumentType } from '../domain/types.js';
import type { SourceReading } from './reading.js';

/** One face as the face engine sees it. */
export interface FaceFound {
  box: [number, number, number, number];
  /** Detection confidence, 0–1. */
  score: number;
  embedding: number[];
  /** Anti-spoofing score (1: a real face, not a photo of a photo or a screen); null when the model gave none. */
  real: number | null;
  /** Liveness score; null when the model gave none. */
  live: number | null;
  /** The face's size in pixels (the larger box side). */
  size: number;
}

export interface FaceAnalysis {
  faces: FaceFound[];
  width: number;
  height: number;
  ms: number;
}

export type VizAgreement = 'match' | 'absent' | 'mismatch';

export interface DocumentReadResult {
  /** The machine-readable source for this type: the MRZ (passport, ID card) or the PDF417 barcode (licence). */
  primary: SourceReading | null;
  /** The printed visual zone compared with the primary source's fields; null when it could not be read. */
  viz: { agrees: boolean; fields: Record<string, VizAgreement>; ms: number } | null;
  /** Faces on the document's front (its portrait), when asked for. */
  portrait: FaceAnalysis | null;
  /** Time spent per stage, for the audit entry and the benchmark. */
  timings: Record<string, number>;
}

export interface DocumentReadInput {
  /** The type the person chose; the reader still reports what the document says it is. */
  type: DocumentType;
  front: Buffer;
  back: Buffer | null;
  /** Also analyse the portrait on the front (the session requires a matching selfie). */
  portrait: boolean;
}

export interface Engines {
  readDocument(input: DocumentReadInput): Promise<DocumentReadResult>;
  analyseFace(image: Buffer): Promise<FaceAnalysis>;
  close(): Promise<void>;
}
