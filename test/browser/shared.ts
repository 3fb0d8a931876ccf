// Small helpers shared by the browser suites: the session's events and report through the stripe client.
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import type { Verity } from '../harness.js';
import { show } from '../identity.js';

/** The event types recorded for one session, oldest first. */
export async function eventTypes(v: Verity, sessionId: string): Promise<string[]> {
  const out: Stripe.Event[] = [];
  for await (const e of v.stripe().events.list({ limit: 100 })) {
    if ((e.data.object as { id?: string }).id === sessionId) out.push(e);
  }
  // The list is newest first.
  return out.map((e) => e.type).reverse();
}

/** The session with its report expanded. */
export async function sessionWithReport(v: Verity, id: string) {
  const s = await v.stripe().identity.verificationSessions.retrieve(id, { expand: ['last_verification_report'] });
  return { s, report: s.last_verification_report as Stripe.Identity.VerificationReport | null };
}

/** Moves the manual clock past the simulated processing delay and runs the jobs that became due. */
export async function finishProcessing(v: Verity): Promise<void> {
  v.clock.advance(v.deps.config.simulatedProcessingMs + 1);
  await v.runJobs();
}

export function assertStatus(s: { status: string }, status: string, ctx = ''): void {
  assert.equal(s.status, status, `${ctx}\n${show(s)}`);
}
