// Finds and decodes the PDF417 symbol on the back of a driving licence, then parses its AAMVA payload.
//
// zxing-wasm decodes a level symbol in tens of milliseconds but misses from about 3° of tilt, which every hand
// held photo has. So the image is levelled first: the tilt is estimated from the dominant edge direction (the
// symbol's bars, the card's edges and its text all share the card's rotation), then a few nearby angles and a
// sharpened, upscaled copy are tried until a payload parses.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import sharp, { type Sharp } from 'sharp';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { emptyFields, type SourceReading } from '../reading.js';
import { parseAamva } from './aamva.js';

let ready: Promise<unknown> | null = null;

/** Loads the wasm from node_modules, once: the library's default fetches it from a CDN. */
function zxing(): Promise<unknown> {
  ready ??= (async () => {
    const file = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bytes = fs.readFileSync(file);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return ready;
}

// Plain text keeps AAMVA's LF/RS/CR; the default mode rewrites them as `<LF>`.
// Downscaled passes only cost time here: the image is already sized so the bars are a few pixels wide.
const OPTIONS: ReaderOptions = { formats: ['PDF417'], tryHarder: true, tryInvert: false, tryDownscale: false, textMode: 'Plain', maxNumberOfSymbols: 1 };

/** Longest side the reader works on: enough for a card filling a phone photo, small enough to stay fast. */
const MAX_SIDE = 1800;

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function decode(img: Grey, tryRotate: boolean): Promise<string | null> {
  // As a binary PGM the reader takes the grey pixels as they are; RGBA input would be expanded here and
  // collapsed back to grey in JavaScript inside the library, which costs more than the decoding itself.
  const pgm = Buffer.concat([Buffer.from(`P5\n${img.width} ${img.height}\n255\n`), img.data]);
  const [hit] = await readBarcodes(new Uint8Array(pgm.buffer, pgm.byteOffset, pgm.byteLength), { ...OPTIONS, tryRotate });
  return hit?.isValid ? hit.text : null;
}

async function raw(pipeline: Sharp): Promise<Grey> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The tilt in degrees (positive: the content is turned clockwise) from a magnitude-weighted histogram of
 * gradient directions folded into ±45°, on a small copy. Bars, card edges and text lines all vote.
 */
export function estimateSkew(img: Grey): number {
  const { data, width: w, height: h } = img;
  const BINS = 360; // quarter-degree bins over 90°
  const hist = new Float64Array(BINS);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      // Scharr rather than Sobel: Sobel's directions lean towards the axes, which under-reads the tilt.
      const gx = 3 * (data[i - w + 1] + data[i + w + 1] - data[i - w - 1] - data[i + w - 1]) + 10 * (data[i + 1] - data[i - 1]);
      const gy = 3 * (data[i + w - 1] + data[i + w + 1] - data[i - w - 1] - data[i - w + 1]) + 10 * (data[i + w] - data[i - w]);
      const mag = Math.abs(gx) + Math.abs(gy);
      if (mag < 320) continue;
      let deg = (Math.atan2(gy, gx) * 180) / Math.PI; // -180..180
      deg = ((deg % 90) + 90 + 45) % 90; // 0..90, level edges at 45
      hist[Math.min(BINS - 1, Math.floor(deg * 4))] += mag;
    }
  }
  let best = 0;
  let bestScore = -1;
  for (let b = 0; b < BINS; b++) {
    let s = 0;
    for (let k = -4; k <= 4; k++) s += hist[(b + k + BINS) % BINS] * (5 - Math.abs(k));
    if (s > bestScore) {
      bestScore = s;
      best = b;
    }
  }
  // Refine to the weighted mean of the peak's neighbourhood: the bins are coarser than the answer needs.
  let sum = 0;
  let weight = 0;
  for (let k = -6; k <= 6; k++) {
    const v = hist[(best + k + BINS) % BINS];
    sum += v * (best + k + 0.5);
    weight += v;
  }
  return weight > 0 ? sum / weight / 4 - 45 : 0;
}

/** Retries beyond the first two stop starting after this long, so an image without a symbol fails in bounded time. */
const BUDGET_MS = 700;

interface Attempt {
  label: string;
  image: () => Promise<Grey>;
  /** Looking for a symbol turned by 90° doubles the cost of a miss: only where a hit is likely. */
  tryRotate: boolean;
}

/** Reads the licence barcode in `image` (any format sharp reads, EXIF orientation applied). */
export async function readPdf417(image: Buffer): Promise<SourceReading> {
  const started = performance.now();
  await zxing();
  const level = await raw(sharp(image).rotate().resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true }));
  const asRaw = () => sharp(level.data, { raw: { width: level.width, height: level.height, channels: 1 } });
  const turned = (deg: number) => async () => raw(asRaw().rotate(deg, { background: '#ffffff' }));
  const skew = estimateSkew(await raw(asRaw().resize({ width: 600 })));

  // Nearly level: read as is first (rotating would only resample). Otherwise level first, then nearby angles
  // in case the estimate was pulled off by a background with edges of its own.
  const attempts: Attempt[] = [];
  const at = (angle: number) => {
    if (attempts.some((a) => a.label === label(angle))) return;
    attempts.push({ label: label(angle), image: Math.abs(angle) < 0.5 ? async () => level : turned(angle), tryRotate: attempts.length < 2 });
  };
  for (const angle of Math.abs(skew) < 1.5 ? [0, -skew] : [-skew, 0]) at(angle);
  at(-skew + 1.5);
  at(-skew - 1.5);
  // Blur and heavy JPEG smear thin bars together: a larger, sharpened copy separates them again.
  attempts.push({
    label: `sharpening (levelled by ${(-skew).toFixed(1)}°)`,
    image: async () => {
      // Levelled, then enlarged: two pipelines keep that order explicit whatever sharp's own ordering.
      const l = await turned(-skew)();
      return raw(sharp(l.data, { raw: { width: l.width, height: l.height, channels: 1 } }).resize({ width: Math.round(l.width * 1.5) }).sharpen({ sigma: 1.5 }));
    },
    tryRotate: false,
  });
  for (const angle of [4, -4, 8, -8]) at(angle);

  const notes: string[] = [];
  let invalid: SourceReading | null = null;
  for (const [i, attempt] of attempts.entries()) {
    // The first two attempts always run, so a busy machine slows a read down rather than failing it.
    if (i >= 2 && performance.now() - started > BUDGET_MS) {
      notes.push(`gave up after ${Math.round(performance.now() - started)} ms`);
      break;
    }
    const text = await decode(await attempt.image(), attempt.tryRotate);
    if (text === null) continue;
    const reading = parseAamva(text);
    if (reading.valid) {
      if (attempt.label !== label(0)) notes.push(`decoded after ${attempt.label}`);
      return { ...reading, notes: [...notes, ...reading.notes] };
    }
    invalid ??= reading;
  }
  // A symbol that decodes but is not AAMVA is worth reporting as such rather than as nothing found.
  if (invalid) return { ...invalid, notes: [...notes, 'a PDF417 symbol decoded but is not a valid AAMVA payload', ...invalid.notes] };
  return { source: 'pdf417', found: false, valid: false, fields: emptyFields(), notes: [...notes, 'no PDF417 symbol decoded'], raw: null };
}

/** Attempts are named by their angle rounded to a degree, which also folds near-duplicate angles together. */
function label(angle: number): string {
  const deg = Math.round(angle);
  return deg === 0 ? 'as photographed' : `levelling by ${deg}°`;
}
