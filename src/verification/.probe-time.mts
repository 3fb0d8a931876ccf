import * as viz from './viz.ts';
import { randomSpec, renderDocument } from '../../test/fixtures/documents.ts';
import { randomLicenceSpec, renderLicence } from '../../test/fixtures/licences.ts';
import { DEGRADATIONS, degrade } from '../../test/fixtures/degrade.ts';
const kinds = ['passport', 'id_card', 'td2', 'licence'] as const;
await viz.prepareVisualZoneReader();
const per: Record<string, { wall: number[]; cpu: number[]; m: number; n: number; mis: number }> = {};
const perDeg: Record<string, { m: number; n: number; mis: number }> = {};
for (let i = 0; i < 16; i++) {
  const kind = kinds[i % 4];
  const d = kind === 'licence' ? await renderLicence(randomLicenceSpec(50 + i, {}, new Date('2026-11-01T00:00:00Z'))) : await renderDocument(randomSpec(50 + i, kind));
  for (const g of process.argv[2] === 'all' ? DEGRADATIONS : ['clean'] as const) {
    const front = await degrade(d.front, g, i);
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const r = await viz.readVisualZone(front);
    const wall = performance.now() - t0; const cu = process.cpuUsage(c0); const cpu = (cu.user + cu.system) / 1000;
    const f = Object.values(viz.crossCheck(d.truth, r.text).fields);
    const k = `${kind}`; per[k] ??= { wall: [], cpu: [], m: 0, n: 0, mis: 0 }; per[k].wall.push(wall); per[k].cpu.push(cpu);
    per[k].m += f.filter((x) => x === 'match').length; per[k].n += 5; per[k].mis += f.filter((x) => x === 'mismatch').length;
    perDeg[g] ??= { m: 0, n: 0, mis: 0 }; perDeg[g].m += f.filter((x) => x === 'match').length; perDeg[g].n += 5; perDeg[g].mis += f.filter((x) => x === 'mismatch').length;
  }
}
const avg = (a: number[]) => Math.round(a.reduce((x, y) => x + y, 0) / a.length);
for (const [k, v] of Object.entries(per)) console.log(k, `wall ${avg(v.wall)} ms`, `cpu ${avg(v.cpu)} ms`, `match ${v.m}/${v.n}`, `mismatch ${v.mis}`);
for (const [k, v] of Object.entries(perDeg)) console.log('  ', k, `match ${v.m}/${v.n} (${(100 * v.m / v.n).toFixed(1)}%)`, `mismatch ${v.mis}`);
console.log('rss MB', Math.round(process.memoryUsage().rss / 1e6));
await viz.close();
