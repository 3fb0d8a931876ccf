// `tsx bench/api/floor.ts`: the CPU that SQLite itself spends on a session create, with no HTTP, no Kysely
// and no JavaScript of ours around it: the lower bound of a create's server CPU on this schema. It answers
// whether a create target is reachable by trimming our code, or only by writing less.
//
// The schema comes from the real migrations; the rows have the sizes a create writes (the session, its two
// hosted-page links, the `created` event with its sealed snapshot, the idempotency key claimed and then
// completed with the sealed response), with ids and link keys made the way Verity makes them. Creates run
// in commit groups of FLOOR_GROUP (about what 50 connections give), each a savepoint, as src/store/
// group-commit.ts runs them. The WAL is checkpointed in line every 100 groups (Verity does it in a thread of
// its own, so that part is printed apart). Prints µs of CPU per create for each part.
//
// Environment: FLOOR_CREATES (default 20000), FLOOR_GROUP (default 15). cpu.ts runs it with CPU_FLOOR=1, to
// print it beside the bare server's CPU per request measured in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import SQLite from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/store/db.js';
import { newId, orderedSecret, randomBase62 } from '../../src/domain/ids.js';
import { linkKey } from '../../src/store/page-store.js';
import { createSealer } from '../../src/store/sealer.js';

export interface Floor {
  /** µs of CPU per create, by part. */
  statements: number;
  savepoints: number;
  commit: number;
  checkpoint: number;
  total: number;
}

export async function sqliteFloor(creates = 20_000, group = 15): Promise<Floor> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-floor-'));
  const file = path.join(dir, 'verity.sqlite');
  try {
    const opened = openDatabase({ sqlitePath: file });
    await migrate(opened);
    await opened.close();
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    db.pragma('wal_autocheckpoint = 0');

    const sealer = createSealer(crypto.randomBytes(32));
    // A create's response as sent (1.3 kB of JSON), sealed for the event snapshot and the idempotent replay.
    const session = JSON.stringify({
      id: newId.session(), object: 'identity.verification_session', client_reference_id: 'user_4242',
      client_secret: `vs_x_secret_test_${orderedSecret()}`, created: 1_790_000_000, last_error: null,
      last_verification_report: null, livemode: false, metadata: { order_id: 'ord_4242' },
      options: { document: { allowed_types: ['driving_license', 'passport'], require_matching_selfie: true } },
      provided_details: null, redaction: null, related_customer: null, related_customer_account: null,
      related_person: null, status: 'requires_input', type: 'document', url: `http://127.0.0.1:8080/verify/test_${orderedSecret()}`,
      verification_flow: null, verified_outputs: null,
    });

    const insertKey = db.prepare(
      `insert into idempotency_keys (livemode, key, method, path, params_hash, state, response_status, response_body, request_id, created, locked_at)
       values (0, ?, 'POST', '/v1/identity/verification_sessions', ?, 'in_flight', null, null, ?, ?, ?) on conflict do nothing`,
    );
    const insertSession = db.prepare(
      `insert into verification_sessions (id, livemode, created, status, type, client_reference_id, metadata, options, provided_details,
       related_customer, related_customer_account, related_person, return_url, verification_flow, last_error, last_report_id,
       redaction_status, client_secret, client_secret_expires, url_token, url_expires, version)
       values (?, 0, ?, 'requires_input', 'document', 'user_4242', '{"order_id":"ord_4242"}',
       '{"document":{"allowed_types":["driving_license","passport"],"require_matching_selfie":true}}',
       null, null, null, null, null, null, null, null, null, ?, ?, ?, ?, 0)`,
    );
    const insertLinks = db.prepare(
      `insert into session_links (token_hash, session_id, kind, created, expires_at, used_at)
       values (?, ?, 'url', ?, ?, null), (?, ?, 'client_secret', ?, ?, null) on conflict (token_hash) do nothing`,
    );
    const insertEvent = db.prepare(
      `insert into events (id, livemode, created, type, object_id, api_version, data, request_id, idempotency_key, pending_webhooks)
       values (?, 0, ?, 'identity.verification_session.created', ?, '2026-10-28.endive', ?, ?, ?, 0)`,
    );
    const completeKey = db.prepare(
      `update idempotency_keys set state = 'done', response_status = 200, response_body = ?, object_id = ? where livemode = 0 and key = ?`,
    );
    // Values are made before the clock starts: the floor is SQLite's work only.
    const rows = Array.from({ length: creates }, (_, i) => {
      const id = newId.session();
      const url = `test_${orderedSecret()}`;
      const secret = `${id}_secret_test_${orderedSecret()}`;
      return {
        key: `floor-${randomBase62(8)}-${i}`, hash: randomBase62(43), req: `req_${randomBase62(14)}`, id, url, secret,
        urlKey: linkKey(url), secretKey: linkKey(secret), event: newId.event(),
        snapshot: sealer.seal(session), response: sealer.seal(session),
      };
    });

    const parts = { statements: 0, savepoints: 0, commit: 0, checkpoint: 0 };
    const cpu = (part: keyof typeof parts, f: () => unknown): void => {
      const c = process.cpuUsage();
      f();
      const d = process.cpuUsage(c);
      parts[part] += d.user + d.system;
    };
    const now = Math.floor(Date.now() / 1000);
    for (let g = 0; g * group < creates; g++) {
      cpu('commit', () => db.exec('BEGIN IMMEDIATE'));
      for (const r of rows.slice(g * group, (g + 1) * group)) {
        // The claim commits on its own in Verity (it joins the group without a savepoint); the create is one.
        cpu('statements', () => insertKey.run(r.key, r.hash, r.req, now, now));
        cpu('savepoints', () => db.exec('SAVEPOINT verity_tx'));
        cpu('statements', () => {
          insertSession.run(r.id, now, r.secret, now + 86_400, r.url, now + 172_800);
          insertLinks.run(r.urlKey, r.id, now, now + 172_800, r.secretKey, r.id, now, now + 86_400);
          insertEvent.run(r.event, now, r.id, r.snapshot, r.req, r.key);
          completeKey.run(r.response, r.id, r.key);
        });
        cpu('savepoints', () => db.exec('RELEASE verity_tx'));
      }
      cpu('commit', () => db.exec('COMMIT'));
      if (g % 100 === 99) cpu('checkpoint', () => db.pragma('wal_checkpoint(PASSIVE)'));
    }
    db.close();
    const per = (us: number) => us / creates;
    const out = {
      statements: per(parts.statements),
      savepoints: per(parts.savepoints),
      commit: per(parts.commit),
      checkpoint: per(parts.checkpoint),
      total: 0,
    };
    out.total = out.statements + out.savepoints + out.commit + out.checkpoint;
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFloor(f: Floor): string {
  return (
    `SQLite alone, per create: ${f.total.toFixed(0)} µs CPU (statements ${f.statements.toFixed(0)}, savepoints ${f.savepoints.toFixed(0)}, ` +
    `commit ${f.commit.toFixed(0)}, checkpoint ${f.checkpoint.toFixed(0)})`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await sqliteFloor(Number(process.env.FLOOR_CREATES || 20_000), Number(process.env.FLOOR_GROUP || 15));
  console.log(formatFloor(f));
}
