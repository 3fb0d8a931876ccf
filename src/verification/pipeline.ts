// The verification pipeline: what happens to a submitted session. The job that a submission enqueues names
// the outcome source — a simulated test-mode outcome, or (live mode) the engines — and the pipeline turns it
// into a report and a final status through the same domain call.
import type { Deps } from '../deps.js';
import { completeVerification, failBeforeSubmission, submitSession } from '../domain/sessions.js';
import { LAST_ERROR_REASONS, checkOf } from '../domain/last-errors.js';
import type { RequestMeta, Session } from '../domain/types.js';
import { type CollectedForPipeline, type SimulatedOutcome, defaultFailureCode, simulateChecks } from './testmode.js';
import { runLiveChecks } from './live.js';
import { openReview } from './review.js';
import { loadSession } from '../domain/sessions.js';

export const PROCESS_JOB = 'verification.process';

/** Runs the checks for a processing session and completes it. A no-op if it is no longer processing. */
export async function processVerification(d: Deps, meta: RequestMeta, payload: Record<string, unknown>): Promise<Session | undefined> {
  const sessionId = String(payload.session_id);
  const s = await d.store.findSession(sessionId);
  if (!s || s.status !== 'processing') return undefined;
  if ('attempt_after_report' in payload && payload.attempt_after_report !== s.last_report_id) return undefined; // an earlier attempt's job
  const outcome = payload.outcome as SimulatedOutcome | undefined;
  // Set when the person walked the hosted page (rather than a test helper standing in for them).
  const collected = (payload.collected as CollectedForPipeline | undefined) ?? null;
  if (outcome) return completeVerification({ deps: d, meta }, sessionId, simulateChecks(s, outcome, collected));
  if (!s.livemode || !collected) {
    // Test mode never runs the engines; a submission without a collection has nothing to check.
    return completeVerification({ deps: d, meta }, sessionId, simulateChecks(s, { kind: 'unverify', code: defaultFailureCode(s) }));
  }
  // The engines run outside any transaction (seconds of work must not hold a row lock); completion then
  // re-checks that the session is still processing, so a redaction or another worker in between wins.
  const live = await runLiveChecks(d, s, collected);
  if (live.decision.review) {
    await openReview(d, sessionId, live);
    return undefined;
  }
  return completeVerification({ deps: d, meta }, sessionId, { ...live.decision, audit: live.audit });
}

/**
 * A test-mode outcome chosen by a tester (test-helper endpoint or the hosted page's test screen): submit,
 * then process now or after the simulated delay. Failures that happen before submission (consent declined,
 * no camera, …) go straight back to requires_input without a report.
 */
export async function runTestOutcome(
  d: Deps,
  meta: RequestMeta,
  id: string,
  livemode: boolean,
  outcome: SimulatedOutcome,
  simulateDelay: boolean,
): Promise<Session> {
  if (outcome.kind === 'unverify' && checkOf(outcome.code) === 'session') {
    return failBeforeSubmission({ deps: d, meta }, id, livemode, { code: outcome.code, reason: LAST_ERROR_REASONS[outcome.code] });
  }
  const delayMs = simulateDelay ? d.config.simulatedProcessingMs : 0;
  const submitted = await submitSession({ deps: d, meta }, id, livemode, { kind: PROCESS_JOB, payload: { outcome }, delayMs });
  if (simulateDelay) return submitted;
  // Complete now, as the worker would; the queued job then finds nothing left to do.
  return (await processVerification(d, meta, { session_id: id, outcome })) ?? (await loadSession(d.store, id, livemode));
}
