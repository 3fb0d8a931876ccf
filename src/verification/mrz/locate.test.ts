import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printedMrz } from '../../../test/fixtures/documents.js';
import { loadGrey } from './image.js';
import { locateMrz } from './locate.js';
import { ocrbSkip } from '../../../test/fixtures/ocr-b.js';

const skip = ocrbSkip();

const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];

test('two stacked 44-character lines are a TD3 zone with a cell for every character', { skip }, async () => {
  const g = await loadGrey(await printedMrz(TD3, { pitch: 24 }));
  const [zone] = locateMrz(g);
  assert.equal(zone.format, 'TD3');
  assert.equal(zone.lines.length, 2);
  for (const line of zone.lines) {
    assert.equal(line.xs.length, 44);
    assert.ok(Math.abs(line.xs[0] - 4.5 * 24) < 4, `first cell at x=${line.xs[0]}`);
    assert.ok(Math.abs(line.pitch[20] - 24) < 0.5, `pitch ${line.pitch[20]}`);
  }
});

test('a tilted TD1 zone is found with its three lines following the tilt', { skip }, async () => {
  const g = await loadGrey(await printedMrz(TD1, { pitch: 30, angle: -7 }));
  const [zone] = locateMrz(g);
  assert.equal(zone.format, 'TD1');
  const angle = (Math.atan2(zone.lines[0].uy, zone.lines[0].ux) * 180) / Math.PI;
  assert.ok(Math.abs(angle + 7) < 0.5, `angle ${angle}`);
  assert.ok(zone.lines[0].ys[0] < zone.lines[1].ys[0] && zone.lines[1].ys[0] < zone.lines[2].ys[0]);
});

test('a single line of text is no zone', { skip }, async () => {
  const g = await loadGrey(await printedMrz([TD3[0]]));
  assert.deepEqual(locateMrz(g), []);
});
