// The engines' port: what live verification asks of the image and text engines. The real implementation
// (local-engines.ts) runs inside a worker thread (threaded-engines.ts) so OCR and face models never block the
// API's event loop; unit tests hand the pipeline a fake. Everything crossing this boundary is plain data.
import type { DocumentType } from '../domain/types.js';
import type { FaceAnalysis } from './face/analysis.js';
import type { SourceReading } from './reading.js';

export type { DetectedFace, FaceAnalysis } from './face/analysis.js';

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
