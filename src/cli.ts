// `verity serve | worker | migrate | keys create | keys list` — the command-line contract in DESIGN.md.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { buildDeps } from './deps.js';
import { ALL_PERMISSIONS, createKey, type KeyKind } from './domain/keys.js';
import { nowSec } from './domain/clock.js';
import { ensureKeys, startServer } from './server.js';
import { startWorker } from './worker.js';
import { listen } from './webhooks/listen.js';
import type { Deps } from './deps.js';
import { ReviewError, decideReview, listReviews } from './verification/review.js';

const USAGE = `usage: verity <command>
  serve [--no-worker]     serve the API and hosted page (and run the worker unless --no-worker)
  worker                  run only the background worker
  migrate                 apply database migrations and exit
  keys create --mode test|live [--restricted PERM,...] [--publishable] [--name NAME]
  keys list
  review list [--state pending|approved|rejected]
  review approve|reject vs_… [--reviewer NAME]
                          decide a live verification held for manual review (Verity extension)
  listen --forward-to URL [--live] [--events TYPE,...]
                          forward this mode's new events to URL, signed (like \`stripe listen\`)
permissions for --restricted: ${ALL_PERMISSIONS.join(', ')}`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`verity: ${e.message}`);
      return 2;
    }
    throw e;
  }
  switch (cmd ?? 'serve') {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { 'no-worker': { type: 'boolean' } } });
      const deps = await buildDeps(config);
      await ensureKeys(deps, (l) => console.log(l));
      const running = await startServer(deps, { port: config.port, host: config.host, worker: !values['no-worker'] });
      deps.log.info('verity listening', { url: running.url, public_url: config.publicUrl, database: config.databaseUrl ? 'postgres' : 'sqlite' });
      await untilSignal();
      await running.close();
      await deps.close();
      return 0;
    }
    case 'worker': {
      const deps = await buildDeps(config);
      const w = startWorker(deps);
      deps.log.info('verity worker running');
      await untilSignal();
      await w.stop();
      await deps.close();
      return 0;
    }
    case 'migrate': {
      const deps = await buildDeps(config);
      await deps.close();
      console.log('migrations applied');
      return 0;
    }
    case 'keys': {
      const [sub, ...args] = rest;
      const deps = await buildDeps(config);
      try {
        if (sub === 'create') {
          const { values } = parseArgs({
            args,
            options: { mode: { type: 'string' }, restricted: { type: 'string' }, publishable: { type: 'boolean' }, name: { type: 'string' } },
          });
          if (values.mode !== 'test' && values.mode !== 'live') {
            console.error('verity keys create: --mode test|live is required');
            return 2;
          }
          const kind: KeyKind = values.publishable ? 'publishable' : values.restricted !== undefined ? 'restricted' : 'secret';
          const permissions = values.restricted ? values.restricted.split(',').map((s) => s.trim()).filter(Boolean) : [];
          const { key } = await createKey(deps.store, { kind, livemode: values.mode === 'live', permissions, name: values.name, now: nowSec(deps.clock) });
          console.log(key);
          return 0;
        }
        if (sub === 'list') {
          for (const k of await deps.store.listKeys())
            console.log(`${k.id}  ${k.kind.padEnd(11)} ${k.livemode ? 'live' : 'test'}  …${k.last4}  ${k.permissions.join(',')}  ${k.name ?? ''}`);
          return 0;
        }
        console.error(USAGE);
        return 2;
      } catch (e) {
        console.error(`verity keys: ${(e as Error).message}`);
        return 2;
      } finally {
        await deps.close();
      }
    }
    case 'review': {
      const [sub, ...args] = rest;
      const deps = await buildDeps(config);
      try {
        return await review(deps, sub, args);
      } finally {
        await deps.close();
      }
    }
    case 'listen': {
      const { values } = parseArgs({
        args: rest,
        options: { 'forward-to': { type: 'string' }, live: { type: 'boolean' }, events: { type: 'string' } },
      });
      if (!values['forward-to'] || !/^https?:\/\//.test(values['forward-to'])) {
        console.error('verity listen: --forward-to http(s)://… is required');
        return 2;
      }
      const deps = await buildDeps(config);
      const l = await listen(deps, {
        forwardTo: values['forward-to'],
        livemode: !!values.live,
        events: values.events ? values.events.split(',').map((x) => x.trim()) : undefined,
        print: (line) => console.log(line),
      });
      await untilSignal();
      await l.stop();
      await deps.close();
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function review(deps: Deps, sub: string | undefined, args: string[]): Promise<number> {
  if (sub === 'list') {
    const { values } = parseArgs({ args, options: { state: { type: 'string' } } });
    const state = (values.state ?? 'pending') as 'pending' | 'approved' | 'rejected';
    if (!['pending', 'approved', 'rejected'].includes(state)) {
      console.error('verity review list: --state must be pending, approved or rejected');
      return 2;
    }
    const rows = await listReviews(deps, state);
    if (rows.length === 0) console.log(`no ${state} reviews`);
    for (const r of rows) {
      const scores = Object.entries(r.scores)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toFixed(3) : v}`)
        .join(' ');
      console.log(`${r.session_id}  ${r.livemode ? 'live' : 'test'}  ${new Date(r.created * 1000).toISOString()}  ${r.reason}  ${scores}`);
    }
    return 0;
  }
  if (sub === 'approve' || sub === 'reject') {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reviewer: { type: 'string' } } });
    if (positionals.length !== 1 || !positionals[0].startsWith('vs_')) {
      console.error(`verity review ${sub}: give one session id (vs_…)`);
      return 2;
    }
    try {
      const s = await decideReview(deps, positionals[0], sub, values.reviewer ?? null);
      console.log(`${s.id} ${s.status}${s.last_error ? ` (${s.last_error.code})` : ''}`);
      return 0;
    } catch (e) {
      if (!(e instanceof ReviewError)) throw e;
      console.error(`verity review: ${e.message}`);
      return 1;
    }
  }
  console.error(USAGE);
  return 2;
}
