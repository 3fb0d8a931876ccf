// Manual review (a Verity extension, like the review queues identity vendors run): a live session whose
// face-match score fell in the configured band stays in `processing` until a person approves or rejects it
// with `verity review`. The decision then completes the session through the same call as an automatic one.
import type { Deps } from '../deps.js';
import { AUTOMATIC, completeVerification } from '../domain/sessions.js';
import { nowSec } from '../domain/clock.js';
import type { Checks, Session } from '../domain/types.js';
import type { LiveOutcome } from './live.js';
import type { Review } from './decide.js';

interface ReviewData {
  checks: Checks;
  audit: Record<string, unknown>;
  reject: Review['reject'];
}

export interface ReviewSummary {
  session_id: string;
  livemode: boolean;
  created: number;
  state: string;
  reason: string;
  scores: Record<string, number | null>;
}

export class ReviewError extends Error {}

export const REVIEW_MESSAGES = {
  notFound: (id: string) => `No review is pending for ${id}.`,
  decided: (id: string, state: string) => `The review of ${id} was already ${state}.`,
  notProcessing: (id: string) => `${id} is no longer processing; nothing to decide.`,
};

/** Parks a processing session for review (the same session's earlier review, if any, is replaced). */
export async function openReview(d: Deps, sessionId: string, outcome: LiveOutcome): Promise<boolean> {
  return d.store.transaction(async (tx) => {
    const s = await tx.findSessionForUpdate(sessionId);
    if (!s || s.status !== 'processing') return false;
    const review = outcome.decision.review!;
    const data: ReviewData = { checks: outcome.decision.checks, audit: outcome.audit, reject: review.reject };
    await tx.verification.openReview({
      session_id: s.id,
      livemode: s.livemode,
      created: nowSec(d.clock),
      reason: review.reason,
      data,
    });
    d.log.info('verification waits for review', { session: s.id });
    return true;
  });
}

export async function listReviews(d: Deps, state: 'pending' | 'approved' | 'rejected' = 'pending'): Promise<ReviewSummary[]> {
  const rows = await d.store.verification.listReviews<ReviewData>(state);
  return rows.map((r) => ({
    session_id: r.session_id,
    livemode: r.livemode,
    created: r.created,
    state: r.state,
    reason: r.reason,
    scores: ((r.data.audit.selfie as { scores?: Record<string, number | null> } | null)?.scores ?? {}) as Record<string, number | null>,
  }));
}

/** A person's decision: approve completes the session as verified, reject fails the check the review was about. */
export async function decideReview(d: Deps, sessionId: string, verdict: 'approve' | 'reject', reviewer: string | null): Promise<Session> {
  return d.store.transaction(async (tx) => {
    const r = await tx.verification.findReview<ReviewData>(sessionId);
    if (!r) throw new ReviewError(REVIEW_MESSAGES.notFound(sessionId));
    if (r.state !== 'pending') throw new ReviewError(REVIEW_MESSAGES.decided(sessionId, r.state));
    await tx.verification.decideReview(sessionId, verdict === 'approve' ? 'approved' : 'rejected', nowSec(d.clock));
    const checks: Checks = structuredClone(r.data.checks);
    let lastError = null;
    if (verdict === 'reject') {
      const { check, code, reason } = r.data.reject;
      const c = checks[check];
      if (c) checks[check] = { ...c, status: 'unverified', error: { code, reason } } as never;
      lastError = { code, reason };
    }
    const audit = { ...r.data.audit, review: { verdict, reviewer, at: nowSec(d.clock) } };
    const s = await completeVerification({ deps: { ...d, store: tx }, meta: AUTOMATIC }, sessionId, { checks, lastError, audit });
    if (!s) throw new ReviewError(REVIEW_MESSAGES.notProcessing(sessionId));
    return s;
  });
}
