// The live pipeline end to end in process: the hosted page's API collects, the worker runs the live checks
// with fake engines (the real ones are proven in test/live/), and the outcome reaches the API, the report,
// the audit entry and the review queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Verity, startVerity } from '../../test/harness.js';
import { checkEveryResponse, show } from '../../test/identity.js';
import { api, completeSteps, createSession, expectJson, urlToken } from '../web/api/page-test-kit.js';
import { AUTOMATIC, redactSession } from '../domain/sessions.js';
import { completeRedaction } from '../domain/redaction.js';
import type { DocumentReadResult, Engines, FaceAnalysis } from './engines.js';
import type { DocumentFields } from './reading.js';
import { SPECIMEN_PASSPORT } from './test-kit.js';
import { REVIEW_MESSAGES, ReviewError, decideReview, listReviews } from './review.js';
import { faceThresholds } from './live.js';

const FIELDS: DocumentFields = SPECIMEN_PASSPORT;

/** Engines whose answers the test sets: a document reading, and one embedding per image. */
class FakeEngines implements Engines {
  fields: DocumentFields = FIELDS;
  /** Cosine similarity of the selfie's embedding to the portrait's. */
  similarity = 1;
  calls: string[] = [];
  async readDocument(input: { type: string; front: Buffer; back: Buffer | null; portrait: boolean }): Promise<DocumentReadResult> {
    this.calls.push(`readDocument:${input.type}:${input.back ? 'back' : 'no-back'}:${input.portrait}`);
    return {
      primary: { source: 'mrz', found: true, valid: true, fields: this.fields, notes: ['fake'], raw: null },
      viz: { agrees: true, fields: { last_name: 'match' }, ms: 1 },
      portrait: input.portrait ? face([1, 0]) : null,
      timings: { mrz_0: 5 },
    };
  }
  async analyseFace(): Promise<FaceAnalysis> {
    this.calls.push('analyseFace');
    return face([this.similarity, Math.sqrt(Math.max(0, 1 - this.similarity ** 2))]);
  }
  async close() {}
}

function face(embedding: number[]): FaceAnalysis {
  return { faces: [{ box: [100, 100, 300, 300], score: 0.95, embedding, real: 0.95, live: 0.95, size: 300 }], width: 800, height: 800, ms: 1 };
}

describe('live verification through the hosted page (fake engines)', () => {
  let v: Verity;
  const engines = new FakeEngines();
  before(async () => {
    v = checkEveryResponse(await startVerity({ engines }));
  });
  after(() => v.close());

  async function submitLive(params: Parameters<typeof createSession>[1] = { type: 'document', options: { document: { require_matching_selfie: true } } }) {
    const s = await createSession(v, params, v.keys.live);
    const token = urlToken(s);
    await completeSteps(v, token, { documentType: 'passport' });
    await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    await v.runJobs();
    return s;
  }
  const retrieve = (id: string) =>
    v.stripe(v.keys.live).identity.verificationSessions.retrieve(id, { expand: ['verified_outputs', 'last_verification_report'] });

  it('verifies a readable document whose portrait matches the selfie, filling verified_outputs from the document', async () => {
    engines.similarity = 1;
    const s = await submitLive();
    const done = await retrieve(s.id);
    assert.equal(done.status, 'verified', show(done));
    assert.equal(done.verified_outputs?.first_name, 'ANNA MARIA', show(done));
    assert.equal(done.verified_outputs?.last_name, 'ERIKSSON', show(done));
    const report = done.last_verification_report as any;
    assert.equal(report.document.status, 'verified', show(report));
    assert.equal(report.document.issuing_country, 'FR', show(report));
    assert.equal(report.selfie.status, 'verified', show(report));
    assert.ok(report.selfie.selfie?.startsWith('file_'), show(report));
    assert.deepEqual(engines.calls.slice(-2), ['readDocument:passport:no-back:true', 'analyseFace']);
  });

  it('keeps what the engines measured in a sealed audit entry beside the report', async () => {
    engines.similarity = 1;
    const s = await submitLive();
    const done = await retrieve(s.id);
    const audit = await v.deps.store.verification.loadAudit<any>((done.last_verification_report as any).id);
    assert.ok(audit, 'an audit entry');
    assert.equal(audit.document.source, 'mrz', show(audit));
    assert.deepEqual(audit.document.notes, ['fake'], show(audit));
    assert.equal(typeof audit.selfie.scores.similarity, 'number', show(audit));
  });

  it('fails with selfie_face_mismatch when the faces are far apart', async () => {
    engines.similarity = 0;
    const s = await submitLive();
    const done = await retrieve(s.id);
    assert.equal(done.status, 'requires_input', show(done));
    assert.equal(done.last_error?.code, 'selfie_face_mismatch', show(done));
  });

  it('fails with document_expired for an expired document', async () => {
    engines.similarity = 1;
    engines.fields = { ...FIELDS, expiration_date: { day: 1, month: 1, year: 2020 } };
    try {
      const s = await submitLive({ type: 'document' });
      const done = await retrieve(s.id);
      assert.equal(done.last_error?.code, 'document_expired', show(done));
    } finally {
      engines.fields = FIELDS;
    }
  });

  describe('review band', () => {
    const t = () => faceThresholds(v.deps);
    const inBand = () => t().match + t().reviewBand / 2;

    it('holds a session whose face score is in the band in processing, listed for review', async () => {
      engines.similarity = inBand();
      const s = await submitLive();
      const held = await retrieve(s.id);
      assert.equal(held.status, 'processing', show(held));
      const pending = await listReviews(v.deps);
      assert.ok(pending.some((r) => r.session_id === s.id && r.livemode), show(pending));
    });

    it('approve completes the held session as verified', async () => {
      engines.similarity = inBand();
      const s = await submitLive();
      const out = await decideReview(v.deps, s.id, 'approve', 'alice');
      assert.equal(out.status, 'verified', show(out));
      const done = await retrieve(s.id);
      assert.equal(done.status, 'verified', show(done));
      const audit = await v.deps.store.verification.loadAudit<any>((done.last_verification_report as any).id);
      assert.equal(audit.review.verdict, 'approve', show(audit));
      assert.equal(audit.review.reviewer, 'alice', show(audit));
    });

    it('reject sends the held session back to requires_input with selfie_face_mismatch', async () => {
      engines.similarity = inBand();
      const s = await submitLive();
      await decideReview(v.deps, s.id, 'reject', null);
      const done = await retrieve(s.id);
      assert.equal(done.status, 'requires_input', show(done));
      assert.equal(done.last_error?.code, 'selfie_face_mismatch', show(done));
      assert.equal((done.last_verification_report as any).selfie.error.code, 'selfie_face_mismatch', show(done));
    });

    it('refuses a second decision on the same review', async () => {
      engines.similarity = inBand();
      const s = await submitLive();
      await decideReview(v.deps, s.id, 'approve', null);
      await assert.rejects(decideReview(v.deps, s.id, 'reject', null), (e: Error) => e instanceof ReviewError && e.message === REVIEW_MESSAGES.decided(s.id, 'approved'));
    });

    it('redaction removes the decided review and the audit entry', async () => {
      engines.similarity = inBand();
      const s = await submitLive();
      await decideReview(v.deps, s.id, 'reject', null);
      const reportId = ((await retrieve(s.id)).last_verification_report as any).id;
      assert.ok(await v.deps.store.verification.loadAudit(reportId), 'an audit entry before redaction');
      await redactSession({ deps: v.deps, meta: AUTOMATIC }, s.id, true);
      await completeRedaction(v.deps, s.id);
      assert.equal(await v.deps.store.verification.findReview(s.id), undefined);
      assert.equal(await v.deps.store.verification.loadAudit(reportId), undefined);
    });
  });

  it('leaves test mode to the simulated outcomes: the engines are never called', async () => {
    const before = engines.calls.length;
    const s = await createSession(v, { type: 'document' });
    const token = urlToken(s);
    await completeSteps(v, token, { documentType: 'passport' });
    await expectJson(await api(v, 'POST', '/submit', token, {}), 200);
    v.clock.advance(v.deps.config.simulatedProcessingMs);
    await v.runJobs();
    assert.equal(engines.calls.length, before);
    const done = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(done.status, 'verified', show(done));
  });
});
