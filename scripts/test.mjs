// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx). With DATABASE_URL set,
// the suites that take a database also run against PostgreSQL.
//
// The engine tests (MRZ, barcode, face, printed-zone OCR) prove that nothing is fetched at run time: as root
// with a working `unshare`, they run in a network namespace with no interfaces, where any fetch fails. They do
// not touch the database, so the PostgreSQL run leaves them to the SQLite run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const ENGINE_TESTS = /^src[/\\]verification[/\\](mrz|barcode|face)[/\\]|^src[/\\]verification[/\\](viz|local-engines)\.test\.ts$/;

const only = process.argv.slice(2);
const files = only.length ? only : [...find('src'), ...find('test')].sort();
const engine = files.filter((f) => ENGINE_TESTS.test(path.normalize(f)));
const rest = files.filter((f) => !engine.includes(f));
const nodeArgs = (fs_) => ['--import', 'tsx', '--test', '--test-reporter=spec', ...fs_];

const canIsolate = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
let status = 0;
if (engine.length && !(process.env.DATABASE_URL && !only.length)) {
  if (canIsolate) {
    console.log(`== engine tests without network (unshare -n): ${engine.length} files`);
    const r = spawnSync('unshare', ['-n', process.execPath, ...nodeArgs(engine)], { stdio: 'inherit' });
    status ||= r.status ?? 1;
  } else {
    console.log('== engine tests WITH network (not root, or no unshare): the offline proof is skipped');
    const r = spawnSync(process.execPath, nodeArgs(engine), { stdio: 'inherit' });
    status ||= r.status ?? 1;
  }
}
if (rest.length) {
  const r = spawnSync(process.execPath, nodeArgs(rest), { stdio: 'inherit' });
  status ||= r.status ?? 1;
}
process.exit(status);
