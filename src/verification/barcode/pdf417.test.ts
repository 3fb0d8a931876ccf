import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { licenceTruth, pdf417Png, randomLicenceSpec, renderLicenceBack } from '../../../test/fixtures/licences.js';
import { estimateSkew, readPdf417 } from './pdf417.js';

const spec = randomLicenceSpec(21, { jurisdiction: 'CA', aamvaVersion: 10 }, new Date('2026-01-15T00:00:00Z'));

/** The back photo turned by `deg` degrees on the same table colour, as a hand-held camera sees it. */
async function tilted(deg: number): Promise<Buffer> {
  return sharp(await renderLicenceBack(spec)).rotate(deg, { background: spec.scene.table }).jpeg({ quality: 85 }).toBuffer();
}

test('a level licence back reads into exactly the truth', async () => {
  const r = await readPdf417(await renderLicenceBack(spec));
  assert.equal(r.source, 'pdf417');
  assert.equal(r.valid, true, r.notes.join('; '));
  assert.deepEqual(r.fields, licenceTruth(spec));
  assert.match(r.raw!, /^@\n\x1e\rANSI 636014/);
});

test('a licence tilted by 6 degrees is levelled and read', async () => {
  const r = await readPdf417(await tilted(-6));
  assert.equal(r.valid, true, r.notes.join('; '));
  assert.deepEqual(r.fields, licenceTruth(spec));
  assert.ok(r.notes.some((n) => n.startsWith('decoded after levelling')), r.notes.join('; '));
});

test('the tilt estimate lands within a degree of the true tilt', async () => {
  for (const deg of [-7, 3]) {
    const { data, info } = await sharp(await tilted(deg)).greyscale().resize({ width: 600 }).raw().toBuffer({ resolveWithObject: true });
    const skew = estimateSkew({ data, width: info.width, height: info.height });
    assert.ok(Math.abs(skew - deg) < 1, `tilted ${deg}°, estimated ${skew.toFixed(2)}°`);
  }
});

test('an image without a barcode is not found, in bounded time', async () => {
  const blank = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#8a8175' } }).jpeg().toBuffer();
  const started = performance.now();
  const r = await readPdf417(blank);
  assert.equal(r.found, false);
  assert.equal(r.valid, false);
  assert.ok(r.notes.includes('no PDF417 symbol decoded'));
  assert.ok(performance.now() - started < 5000);
});

test('a PDF417 symbol that is not an AAMVA payload is found but not valid', async () => {
  const symbol = await pdf417Png('SHIPPING LABEL 12345 NOT A LICENCE');
  const r = await readPdf417(symbol);
  assert.equal(r.found, true);
  assert.equal(r.valid, false);
  assert.equal(r.raw, 'SHIPPING LABEL 12345 NOT A LICENCE');
});
