// The real engines, composed: the MRZ reader or the PDF417 reader for the machine-readable data, tesseract for
// the printed zone, human for faces. Built inside the engine thread (engine-thread.ts); every model loads once
// (when the thread starts, or on first use) and stays loaded.
import { readPdf417 } from './barcode/pdf417.js';
import type { DocumentReadResult, Engines } from './engines.js';
import { type FaceEngine, createFaceEngine } from './face/human.js';
import { type Grey, loadGrey } from './mrz/image.js';
import { type MrzTopEdge, readMrz } from './mrz/reader.js';
import type { SourceReading } from './reading.js';
import { close as closeVisualZoneReader, crossCheck, prepareVisualZoneReader, readVisualZone } from './viz.js';

async function timed<T>(timings: Record<string, number>, key: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[key] = Math.round(performance.now() - t0);
  }
}

/** `preload`: start loading every model now (an engine thread does, so its first session does not wait). */
export function createLocalEngines(opts: { preload?: boolean } = {}): Engines {
  let faces: Promise<FaceEngine> | null = null;
  const faceEngine = () => (faces ??= createFaceEngine());
  if (opts.preload) {
    // A failed load is not lost: the call that needs the engine loads it again and reports the error.
    faceEngine().catch(() => (faces = null));
    prepareVisualZoneReader().catch(() => undefined);
  }

  return {
    async readDocument({ type, front, back, portrait }): Promise<DocumentReadResult> {
      const timings: Record<string, number> = {};
      // A front the MRZ reader decoded is handed on to the printed-zone OCR as pixels (decoding and converting
      // a photo costs tens of milliseconds each time); one it did not read goes to the OCR as bytes, which it
      // decodes straight to its own, smaller size. Undecodable, the bytes go on, and each reader reports it.
      let decodedFront: Promise<Grey | null> | null = null;
      const frontForMrz = async () => (await (decodedFront ??= loadGrey(front).catch(() => null))) ?? front;
      const frontForViz = async () => (decodedFront ? ((await decodedFront) ?? front) : front);
      let primary: SourceReading | null;
      let mrzTop: MrzTopEdge | undefined;
      if (type === 'driving_license') {
        primary = back ? await timed(timings, 'pdf417', () => readPdf417(back)) : null;
      } else {
        // A TD1 card carries its MRZ on the back, a TD2 card and a passport on the front: try where it should
        // be first, then the other side.
        const sides = type === 'id_card' && back ? [back, front] : back ? [front, back] : [front];
        primary = null;
        for (const [i, side] of sides.entries()) {
          const { topEdge, ...r } = await timed(timings, `mrz_${i}`, async () => readMrz(side === front ? await frontForMrz() : side));
          if (!primary || (r.found && !primary.found) || (r.valid && !primary.valid)) {
            primary = r;
            mrzTop = side === front ? topEdge : undefined;
          }
          if (r.valid) break;
        }
      }
      // Only the portrait the selfie is compared with is described, and a printed photo needs no liveness.
      const portraitP = portrait ? timed(timings, 'portrait', async () => (await faceEngine()).analyse(front, 'document')) : Promise.resolve(null);
      // The faces found are left out of the printed zone's OCR (as is an MRZ on the same side): the OCR then
      // waits for the face detection, but runs its recogniser over fewer false lines of text.
      const portraitResult = await portraitP.catch(() => null);
      const blank = (portraitResult?.faces ?? []).map(({ box: [x, y, w, h] }) => [x / portraitResult!.width, y / portraitResult!.height, w / portraitResult!.width, h / portraitResult!.height] as [number, number, number, number]);
      const viz: DocumentReadResult['viz'] =
        primary?.found && primary.valid
          ? await timed(timings, 'viz', async () => readVisualZone(await frontForViz(), { mrzTop, blank })).then((text) => ({ ...crossCheck(primary!.fields, text.text), ms: text.ms }))
          : null;
      return { primary, viz, portrait: await portraitP, timings };
    },
    async analyseFace(image) {
      return (await faceEngine()).analyse(image, 'selfie');
    },
    async close() {
      await closeVisualZoneReader();
    },
  };
}
