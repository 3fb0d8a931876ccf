// The visual inspection zone: the printed text of a document (name, number, dates), read by OCR and compared
// with what the MRZ says. The MRZ's check digits cover the number and dates but not the names, and a forger
// who edits the printed page rarely re-computes the MRZ, so the two must tell the same story.
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import Tesseract from 'tesseract.js';
import type { DateParts } from '../domain/types.js';
import type { MrzTopEdge } from './mrz/reader.js';
import { type Grey, decodeGreyToWidth, greyToWidth, pgm } from './raster.js';
import type { DocumentFields } from './reading.js';

// ---- OCR --------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
// The LSTM-only model: a quarter of the size of the legacy+LSTM one, as good on printed text, and faster to load.
// Without langPath tesseract.js fetches it from a CDN; without cacheMethod 'none' it writes a copy into the CWD.
const LANG_PATH = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
/**
 * Measured on the synthetic corpus (passports, TD1/TD2 cards, licences photographed whole): at 1000 px the
 * printed values (25–30 px type on the card) still read as well as at 1600, or better (fewer guilloche
 * fragments taken for text), for about 60% of the time. The small labels blur out, which only costs the
 * label-based mismatch test its label on some documents.
 */
export const VIZ_WIDTH = 1000;

/** Where the MRZ begins on this image (the MRZ reader's top edge), when it is on the side read here. */
export interface VizOptions {
  width?: number;
  mrzTop?: MrzTopEdge;
  /** Areas to leave out of the OCR, as fractions of the image ([x, y, w, h] in 0..1): the portraits. */
  blank?: [number, number, number, number][];
}

let worker: Promise<Tesseract.Worker> | null = null;

function getWorker(): Promise<Tesseract.Worker> {
  if (!worker) {
    const starting = Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
      langPath: LANG_PATH,
      gzip: true,
      cacheMethod: 'none',
      logger: () => {},
      errorHandler: () => {},
    }).then(async (w) => {
      // Tesseract reads every line it is unsure of a second time, inverted (for white-on-dark print). The
      // fields compared here are dark on light; on a photographed card that second pass over guilloche and
      // portrait took ~15% of the time and found nothing.
      // 300 dpi: the images come as PGM, which carries no resolution (tesseract would warn and guess 70).
      await w.setParameters({ tessedit_do_invert: '0', user_defined_dpi: '300' });
      return w;
    });
    // A worker that failed to start is not kept: the next call tries again.
    starting.catch(() => {
      if (worker === starting) worker = null;
    });
    worker = starting;
  }
  return worker;
}

/** Starts the OCR worker ahead of the first document (a worker process calls it at start-up). */
export async function prepareVisualZoneReader(): Promise<void> {
  await getWorker();
}

// One page at a time through the one worker: tesseract's wasm engine is single-threaded anyway, and a queue
// here keeps the order (and the memory) predictable when several sessions submit at once.
let queue: Promise<unknown> = Promise.resolve();

/**
 * OCRs the front of a document: encoded image bytes, or the grey pixels the caller already decoded for the MRZ
 * reader (EXIF-upright, any size). `ms` is the time of this read (preprocessing and recognition), not counting
 * the wait behind other reads or the worker's one-time start.
 */
export async function readVisualZone(front: Buffer | Grey, opts: VizOptions = {}): Promise<{ text: string; ms: number }> {
  const run = async () => {
    const w = await getWorker();
    const started = performance.now();
    const image = await prepare(front, opts.width ?? VIZ_WIDTH, opts.mrzTop, opts.blank);
    const { data } = await w.recognize(image);
    return { text: data.text, ms: Math.round(performance.now() - started) };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

// The division for every (background, pixel) pair, indexed background << 8 | pixel: a lookup per pixel
// instead of the arithmetic.
const DIVIDED = (() => {
  const t = new Uint8Array(256 * 256);
  for (let b = 0; b < 256; b++) for (let d = 0; d < 256; d++) t[(b << 8) | d] = Math.min(255, Math.round((255 * d) / Math.max(b, 1)));
  return t;
})();

/** min(255, round(255 · pixel / max(background, 1))) per pixel: the background becomes white, ink stays dark. */
export function divideByBackground(px: Uint8Array, background: Uint8Array): Uint8Array {
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i++) out[i] = DIVIDED[(background[i] << 8) | px[i]];
  return out;
}

/**
 * Grey, `width` wide, and divided by its own blurred copy: what is left is ink on an even white, without the
 * uneven light of a photo or most of the fine security print (guilloche) that breaks tesseract's line finding.
 * The blur is wide (a fortieth of the width), so it is taken on an eighth-size copy and scaled back up.
 *
 * NB: sharp hands back three channels for these one-channel inputs, so `background` is not that blurred copy:
 * read as one channel it is a nearly even grey taken from the image's top rows, and the division works as a
 * contrast stretch that whitens everything lighter than that grey. The measured accuracy and speed are this
 * behaviour's; a true flattening (tried: the same steps kept to one channel) made tesseract a third slower and
 * read fewer fields, so changing it needs its own measurement.
 *
 * Handed over as a PGM: no compression to pay for on either side of tesseract's thread; the resolution PGM
 * cannot carry is set on the worker instead (user_defined_dpi).
 */
async function prepare(front: Buffer | Grey, width: number, mrzTop?: MrzTopEdge, blank: VizOptions['blank'] = []): Promise<Buffer> {
  const grey = Buffer.isBuffer(front) ? await decodeGreyToWidth(front, width) : await greyToWidth(front, width);
  const raw = { raw: { width: grey.width, height: grey.height, channels: 1 as const } };
  const small = { width: Math.max(1, Math.round(grey.width / 8)), height: Math.max(1, Math.round(grey.height / 8)) };
  const blurred = await sharp(grey.data, raw).resize(small).blur(grey.width / 640).raw().toBuffer();
  // Three channels again: only the first width × height bytes are read, the top third of the rows, so only
  // those are produced (the same values: each output pixel of a resize depends only on its position).
  const background = await sharp(blurred, { raw: { ...small, channels: 1 } })
    .resize(grey.width, grey.height)
    .extract({ left: 0, top: 0, width: grey.width, height: Math.ceil(grey.height / 3) })
    .raw()
    .toBuffer();
  const flat = divideByBackground(grey.data, background);
  if (mrzTop) whiteOutBelow(flat, grey.width, grey.height, mrzTop);
  for (const area of blank) whiteOut(flat, grey.width, grey.height, area);
  return pgm({ data: flat, width: grey.width, height: grey.height });
}

/**
 * Paints white everything below the MRZ's top edge (following its tilt): two long lines of OCR-B that cost
 * tesseract a quarter of its time on a passport page, and that the cross-check would discard anyway.
 */
function whiteOutBelow(px: Uint8Array, width: number, height: number, e: MrzTopEdge): void {
  const [x0, y0, x1, y1] = [e.x0 * width, e.y0 * height, e.x1 * width, e.y1 * height];
  // Only a roughly level edge is trusted (the reader finds lines up to a few tens of degrees off).
  if (x1 - x0 < width / 4 || Math.abs(y1 - y0) > (x1 - x0) / 2) return;
  const slope = (y1 - y0) / (x1 - x0);
  for (let x = 0; x < width; x++) {
    const from = Math.max(0, Math.ceil(y0 + slope * (x - x0)));
    for (let y = from; y < height; y++) px[y * width + x] = 255;
  }
}

/**
 * Paints white a rectangle given in fractions of the image. A portrait is a photo, not text, but tesseract
 * takes its edges and shading for lines of it, and every line it finds is a line it runs its recogniser on.
 */
export function whiteOut(px: Uint8Array, width: number, height: number, [x, y, w, h]: [number, number, number, number]): void {
  const [x0, y0] = [Math.max(0, Math.floor(x * width)), Math.max(0, Math.floor(y * height))];
  const [x1, y1] = [Math.min(width, Math.ceil((x + w) * width)), Math.min(height, Math.ceil((y + h) * height))];
  for (let row = y0; row < y1; row++) px.fill(255, row * width + x0, row * width + Math.max(x0, x1));
}

/** Stops the OCR worker (the next read starts a new one). */
export async function close(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await (await w.catch(() => null))?.terminate();
}

// ---- cross-check ------------------------------------------------------------------------------------

export const VIZ_FIELDS = ['last_name', 'first_name', 'number', 'dob', 'expiration_date'] as const;
export type VizField = (typeof VIZ_FIELDS)[number];
/** `absent`: the printed zone shows no value for the field (or the MRZ had none); `mismatch`: it shows another. */
export type VizAgreement = 'match' | 'absent' | 'mismatch';

export interface VizCrossCheck {
  agrees: boolean;
  fields: Record<VizField, VizAgreement>;
}

/**
 * Looks for each MRZ-derived value in the OCR'd printed text. A value found (allowing OCR's usual noise) is a
 * match; not found, it is a mismatch only when the text shows something else where such a value is printed
 * (after its label, or part of a name), since OCR missing a line is not evidence against the document.
 */
export function crossCheck(fields: DocumentFields, text: string): VizCrossCheck {
  // The MRZ printed on the same side would otherwise be compared with itself.
  const printed = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !looksLikeMrz(l));
  const lines = printed.map(plain);
  const dates = findDates(printed.join('\n'));
  const out: Record<VizField, VizAgreement> = {
    last_name: checkName(fields.last_name, fields.first_name, lines, LABELS.last_name),
    first_name: checkName(fields.first_name, fields.last_name, lines, LABELS.first_name),
    number: checkNumber(fields.number, lines),
    dob: checkDate(fields.dob, dates, lines, LABELS.dob),
    expiration_date: checkDate(fields.expiration_date, dates, lines, LABELS.expiration_date),
  };
  return { agrees: !Object.values(out).includes('mismatch'), fields: out };
}

/** An MRZ line as OCR reads it: fillers (`<`, often read as K or L) or one long unbroken run of capitals and digits. */
function looksLikeMrz(line: string): boolean {
  const l = line.trim();
  return (l.match(/</g)?.length ?? 0) >= 2 || /[A-Z0-9<]{25,}/.test(l);
}

/** Tokens this long may differ by one OCR edit; shorter ones must be exact (one edit makes another name). */
const LONG_TOKEN = 6;

const LABELS = {
  // LN, FN, DL: the AAMVA field labels of North American licences.
  last_name: /\b(SURNAMES?|LAST NAME|FAMILY NAME|NOM|NACHNAME|APELLIDOS?|COGNOME|LN)\b/,
  first_name: /\b(GIVEN NAMES?|FIRST NAMES?|FORENAMES?|PRENOMS?|VORNAMEN?|NOMBRES?|NOMI|FN)\b/,
  number: /\b(DOCUMENT|DOC|PASSPORT|CARD|ID|LICEN[CS]E) ?(NO|NUMBER|NR)\b|\bNUMERO\b|\bNUMBER\b|\bDLN?\b|\bNO\.|\bN°/,
  dob: /\b(DATE OF BIRTH|BIRTH|DOB|NAISSANCE|GEBURTSDATUM|GEBURTSTAG|NACIMIENTO|NASCITA)\b/,
  expiration_date: /\b(DATE OF EXPIRY|EXPIRY|EXPIRATION|EXPIRES|EXP|VALID UNTIL|GULTIG BIS|CADUCIDAD|SCADENZA)\b/,
};

const LETTERS_NFD_MISSES: Record<string, string> = { ß: 'SS', Æ: 'AE', æ: 'AE', Ø: 'O', ø: 'O', Œ: 'OE', œ: 'OE', Þ: 'TH', þ: 'TH', Đ: 'D', đ: 'D', Ł: 'L', ł: 'L' };

/** Upper case, accents dropped (the MRZ has none: `MÜLLER` prints, `MULLER`/`MUELLER` encodes). */
function plain(s: string): string {
  return s
    .replace(/[ßÆæØøŒœÞþĐđŁł]/g, (c) => LETTERS_NFD_MISSES[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
}

// Characters OCR takes for one another in printed capitals and digits; compared as one.
const CONFUSABLE: Record<string, string> = { O: '0', Q: '0', I: '1', L: '1', '|': '1', '!': '1', S: '5', B: '8', Z: '2', G: '6' };
const canon = (s: string) => s.replace(/[OQIL|!SBZG]/g, (c) => CONFUSABLE[c]);

const words = (s: string) =>
  plain(s)
    .replace(/['’`]/g, '')
    .split(/[^A-Z0-9|!]+/)
    .filter(Boolean);

function tokenMatches(word: string, token: string): boolean {
  const a = canon(word);
  const b = canon(token);
  return a === b || (word.length >= LONG_TOKEN && Math.abs(a.length - b.length) <= 1 && editDistance(a, b) <= 1);
}

/**
 * Names too long for their field are cut, in the MRZ or in print, so the name's last word may be the start of
 * the printed one or the other way round; but only right after the word before it, and a printed cut only at
 * the end of its line (a short word elsewhere, `MAR` in a date, is no cut name).
 */
function cutShort(want: string[], lineTokens: string[][]): boolean {
  const last = canon(want[want.length - 1]);
  return lineTokens.some((line) =>
    line.some((token, j) => {
      const t = canon(token);
      const cut = t.length < last.length ? printedCut(t, last) && j === line.length - 1 : t.startsWith(last) && t !== last;
      const after = want.length === 1 || (j > 0 && tokenMatches(want[want.length - 2], line[j - 1]));
      return cut && Math.min(t.length, last.length) >= 3 && after;
    }),
  );
}

/** A word cut at the edge of the print, its last glyph half there (one edit allowed from four letters). */
const printedCut = (t: string, word: string) =>
  t.length < word.length && (word.startsWith(t) || (t.length >= 4 && editDistance(t, word.slice(0, t.length)) <= 1));

/**
 * Given names that overflow the printed field lose whole words at its edge (`FISCHER MAX LENA FRIEDRICH` for
 * `MAX LENA FRIEDRICH WILHELM`): the first words, in order, ending a line (perhaps with a cut word).
 */
function cutAtLineEnd(want: string[], lineTokens: string[][]): boolean {
  return lineTokens.some((line) =>
    line.some((_, j) => {
      let k = 0;
      while (k < want.length && j + k < line.length && tokenMatches(want[k], line[j + k])) k++;
      if (k === 0 || k === want.length) return false;
      const rest = line.length - (j + k);
      return rest === 0 || (rest === 1 && line[j + k].length >= 3 && printedCut(canon(line[j + k]), canon(want[k])));
    }),
  );
}

function checkName(value: string | null, otherName: string | null, lines: string[], label: RegExp): VizAgreement {
  const want = value ? words(value) : [];
  if (want.length === 0) return 'absent';
  const lineTokens = lines.map(words);
  const tokens = lineTokens.flat();
  const found = want.map((w, i) => tokens.some((t) => tokenMatches(w, t)) || (i === want.length - 1 && cutShort(want, lineTokens)));
  if (found.every(Boolean) || cutAtLineEnd(want, lineTokens)) return 'match';
  if (found.some(Boolean)) return 'mismatch';
  // Values are printed under their labels: a word there that is not the name is another name.
  const under = lineAfterLabel(lines, label);
  if (under !== null && words(under).some((t) => /^[A-Z]{2,}$/.test(t))) return 'mismatch';
  // Or beside the other name (`ERIKSSON ANNA MARIA`): a word there that is neither is this one, changed.
  const other = otherName ? words(otherName) : [];
  const beside = lineTokens.some((line) => {
    if (other.length === 0 || !other.every((w) => line.some((t) => tokenMatches(w, t)))) return false;
    return line.some((t) => /^[A-Z]{3,}$/.test(t) && !other.some((w) => tokenMatches(w, t)));
  });
  return beside ? 'mismatch' : 'absent';
}

function checkNumber(value: string | null, lines: string[]): VizAgreement {
  const want = value ? canon(plain(value).replace(/[^A-Z0-9]/g, '')) : '';
  if (want === '') return 'absent';
  const edits = want.length >= LONG_TOKEN ? 1 : 0;
  // Separators are dropped: documents print numbers in groups (`D23 145 890`), OCR adds stray marks.
  if (lines.some((l) => approxContains(canon(l.replace(/[^A-Z0-9|]/g, '')), want, edits))) return 'match';
  const win = labelWindow(lines, LABELS.number);
  const other = win?.split(/\s+/).some((t) => {
    const c = t.replace(/[^A-Z0-9]/g, '');
    return c.length >= 5 && (c.match(/\d/g)?.length ?? 0) >= 2;
  });
  return other ? 'mismatch' : 'absent';
}

function checkDate(value: DateParts | null, dates: FoundDate[], lines: string[], label: RegExp): VizAgreement {
  if (!value || value.year === null) return 'absent';
  if (dates.some((d) => sameDate(d, value))) return 'match';
  const win = labelWindow(lines, label);
  return win !== null && findDates(win).length > 0 ? 'mismatch' : 'absent';
}

/** The line after the first line holding `label` (where a value printed under its label sits). */
function lineAfterLabel(lines: string[], label: RegExp): string | null {
  const i = lines.findIndex((l) => label.test(l));
  return i >= 0 && i + 1 < lines.length ? lines[i + 1] : null;
}

/** What follows the label on its line, and the next line: where the value is printed, beside or under it. */
function labelWindow(lines: string[], label: RegExp): string | null {
  const i = lines.findIndex((l) => label.test(l));
  if (i < 0) return null;
  const m = label.exec(lines[i])!;
  return `${lines[i].slice(m.index + m[0].length)}\n${lines[i + 1] ?? ''}`;
}

// ---- dates ------------------------------------------------------------------------------------------

interface FoundDate {
  day: number;
  month: number;
  /** Four digits, or two when the document prints two. */
  year: number;
  twoDigitYear: boolean;
}

/** Month abbreviations (accents dropped) of the languages documents print: EN, FR, DE, ES, IT, PT, NL. */
const MONTHS: Record<string, number> = {};
[
  ['JAN', 'JANV', 'ENE', 'GEN', 'JANUARY', 'JANVIER'],
  ['FEB', 'FEV', 'FEVR', 'FEBR'],
  ['MAR', 'MARS', 'MRZ', 'MAERZ', 'MARZ'],
  ['APR', 'AVR', 'ABR', 'AVRIL'],
  ['MAY', 'MAI', 'MAG', 'MAYO', 'MEI'],
  ['JUN', 'JUIN', 'GIU', 'JUNI', 'JUNE'],
  ['JUL', 'JUIL', 'LUG', 'JULI', 'JULY'],
  ['AUG', 'AOU', 'AOUT', 'AGO', 'AGOS'],
  ['SEP', 'SEPT', 'SET'],
  ['OCT', 'OKT', 'OTT', 'OUT'],
  ['NOV'],
  ['DEC', 'DIC', 'DEZ'],
].forEach((names, i) => names.forEach((n) => (MONTHS[n] = i + 1)));

// A digit as OCR may print it in a date: O for 0, l for 1, S for 5 ... (lower case kept: g is 9, G is not).
const N = '[0-9OoQIl|SsBZzg]';
const DIGIT_OF: Record<string, string> = { O: '0', o: '0', Q: '0', I: '1', l: '1', '|': '1', S: '5', s: '5', B: '8', Z: '2', z: '2', g: '9' };
const num = (s: string): number | null => (/\d/.test(s) ? Number(s.replace(/[^0-9]/g, (c) => DIGIT_OF[c] ?? '')) : null);
const EDGE_L = '(?<![0-9A-Za-z])';
const EDGE_R = '(?![0-9A-Za-z])';
// 12 MAR 1985, 12MAR85, 12 MAR/MARS 1985, 12. März 1985, and 22 0CT 1971 (an O read as a zero)
const WORD_DATE = new RegExp(`${EDGE_L}(${N}{1,2})[\\s.\\-/]*([A-Za-z][A-Za-z]{2,5}|0[A-Za-z]{2,5})\\.?(?:\\s*/\\s*[A-Za-z]{3,6}\\.?)?[\\s.\\-/]*(${N}{4}|${N}{2})${EDGE_R}`, 'g');
// 12.03.1985, 03/12/1985, 12-03-85, 12 03 1985
const NUMERIC_DATE = new RegExp(`${EDGE_L}(${N}{1,2}) ?([./\\- ]) ?(${N}{1,2}) ?\\2 ?(${N}{4}|${N}{2})${EDGE_R}`, 'g');
// 1985-03-12
const ISO_DATE = new RegExp(`${EDGE_L}(${N}{4}) ?([./\\-]) ?(${N}{1,2}) ?\\2 ?(${N}{1,2})${EDGE_R}`, 'g');

function date(day: number | null, month: number | null, year: number | null, yearDigits: number): FoundDate | null {
  if (day === null || month === null || year === null) return null;
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  if (yearDigits === 4 && (year < 1900 || year > 2099)) return null;
  return { day, month, year, twoDigitYear: yearDigits === 2 };
}

/** Every date the text prints, in every reading: `03/04/1985` is both 3 April and 4 March. */
function findDates(text: string): FoundDate[] {
  const t = text.normalize('NFD').replace(/\p{M}/gu, '');
  const out: (FoundDate | null)[] = [];
  for (const m of t.matchAll(WORD_DATE)) {
    const month = MONTHS[m[2].toUpperCase().replace(/0/g, 'O')];
    if (month) out.push(date(num(m[1]), month, num(m[3]), m[3].length));
  }
  for (const m of t.matchAll(NUMERIC_DATE)) {
    const [a, b, y] = [num(m[1]), num(m[3]), num(m[4])];
    out.push(date(a, b, y, m[4].length), date(b, a, y, m[4].length));
  }
  for (const m of t.matchAll(ISO_DATE)) out.push(date(num(m[4]), num(m[3]), num(m[1]), 4));
  return out.filter((d): d is FoundDate => d !== null);
}

function sameDate(found: FoundDate, want: DateParts): boolean {
  const year = found.twoDigitYear ? found.year === want.year! % 100 : found.year === want.year;
  return year && (want.month === null || found.month === want.month) && (want.day === null || found.day === want.day);
}

// ---- string distance --------------------------------------------------------------------------------

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Whether some substring of `hay` is within `k` edits of `needle` (Sellers' approximate string search). */
function approxContains(hay: string, needle: string, k: number): boolean {
  if (k === 0) return hay.includes(needle);
  // col[i]: the fewest edits turning needle[0..i) into a substring of hay ending at the current position.
  let col = Array.from({ length: needle.length + 1 }, (_, i) => i);
  if (col[needle.length] <= k) return true;
  for (const ch of hay) {
    const next = [0];
    for (let i = 1; i <= needle.length; i++) next[i] = Math.min(col[i] + 1, next[i - 1] + 1, col[i - 1] + (needle[i - 1] === ch ? 0 : 1));
    if (next[needle.length] <= k) return true;
    col = next;
  }
  return false;
}
