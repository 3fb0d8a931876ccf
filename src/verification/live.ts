// A live submission, checked for real: the collected images are opened, the engines (in their worker thread)
// read the document and analyse the faces, and the pure decision turns that into the report. What the engines
// measured goes into the audit entry, sealed beside the report.
import type { Deps } from '../deps.js';
import { readFileContents } from '../domain/files.js';
import type { Collection } from '../domain/page.js';
import type { Session } from '../domain/types.js';
import { type IdNumberDecision, type LiveDecision, type SelfieDecision, decideLive } from './decide.js';
import type { DocumentReadResult, FaceAnalysis } from './engines.js';
import { DEFAULT_FACE_THRESHOLDS, type FaceThresholds, decideSelfie } from './face/decide.js';
import { checkIdNumber, idNumberForReport } from './id-number.js';
import { type CollectedForPipeline, checksFor } from './testmode.js';

export interface LiveOutcome {
  decision: LiveDecision;
  /** Scores, notes and timings for the audit trail (sealed at rest, deleted on redaction). */
  audit: Record<string, unknown>;
}

/** The face thresholds in force: the engine's measured defaults, overridden by configuration. */
export function faceThresholds(d: Deps): FaceThresholds {
  const v = d.config.verification;
  return {
    ...DEFAULT_FACE_THRESHOLDS,
    ...(v.faceMatch !== null ? { match: v.faceMatch } : {}),
    ...(v.faceReviewBand !== null ? { reviewBand: v.faceReviewBand } : {}),
    ...(v.faceLiveness !== null ? { minLive: v.faceLiveness } : {}),
  };
}

export async function runLiveChecks(d: Deps, s: Session, collected: CollectedForPipeline): Promise<LiveOutcome> {
  const want = checksFor(s);
  const open = async (id: string | null) => (id ? await readFileContents(d, id) : null);
  const [front, back, selfieImage] = await Promise.all([open(collected.front), open(collected.back), open(want.selfie ? collected.selfie : null)]);

  // The selfie is analysed while the document is read: the face model and the printed-zone OCR run on
  // different threads, so the two overlap on a 2-core machine.
  const noFace: FaceAnalysis = { faces: [], width: 0, height: 0, ms: 0 };
  const [document, selfieAnalysis] = await Promise.all([
    want.document && front ? d.engines.readDocument({ type: collected.document_type ?? 'passport', front, back, portrait: want.selfie }) : null,
    want.selfie ? (selfieImage ? d.engines.analyseFace(selfieImage) : noFace) : null,
  ]);
  const selfie: SelfieDecision | null = selfieAnalysis ? decideSelfie(document?.portrait ?? noFace, selfieAnalysis, faceThresholds(d)) : null;

  let idNumber: IdNumberDecision | null = null;
  if (want.id_number) {
    const entered = (await d.store.page.loadCollection<Collection>(s.id))?.data.id_number ?? null;
    if (entered) {
      const read = document?.primary?.found && document.primary.valid ? document.primary.fields : null;
      const r = await checkIdNumber(
        { type: entered.type, number: entered.number, first_name: entered.first_name, last_name: entered.last_name, dob: entered.dob },
        want.document ? read : null,
        d.idNumbers,
      );
      idNumber = {
        ...r,
        entered: {
          type: entered.type,
          shown: idNumberForReport(entered.type, entered.number),
          first_name: entered.first_name,
          last_name: entered.last_name,
          dob: entered.dob,
        },
      };
    }
  }

  const decision = decideLive(s, collected, { document, selfie, idNumber }, {
    now: new Date(d.clock.nowMs()),
    minAge: d.config.verification.minAge,
    review: faceThresholds(d).reviewBand > 0,
  });
  const audit = {
    document: document && {
      source: document.primary?.source ?? null,
      found: document.primary?.found ?? false,
      valid: document.primary?.valid ?? false,
      notes: document.primary?.notes ?? [],
      printed_zone: document.viz && { agrees: document.viz.agrees, fields: document.viz.fields },
      portrait_faces: document.portrait?.faces.length ?? null,
      timings_ms: document.timings,
    },
    selfie: selfie && { code: selfie.code, review: selfie.review, scores: selfie.scores, faces: selfieAnalysis?.faces.length ?? 0, ms: selfieAnalysis?.ms ?? 0 },
    id_number: idNumber && { status: idNumber.status, code: idNumber.code },
    thresholds: want.selfie ? faceThresholds(d) : null,
  };
  return { decision, audit };
}
