// Completing a redaction: personal data in the session, its reports and its events is replaced by Stripe's
// placeholders ("[redacted]" strings, 1/1/1 dates), metadata is emptied, and the `redacted` event is
// recorded — all in one transaction, run by the worker after the API accepted the request.
import type { Deps } from '../deps.js';
import { AUTOMATIC, recordEvent } from './sessions.js';
import { redactChecks, redactDetails } from './placeholders.js';
import { presentSession } from './present.js';
import { nowSec } from './clock.js';
import { redactSessionFiles } from './files.js';

/** Returns false when there was nothing to do (unknown session, or already redacted). */
export async function completeRedaction(d: Deps, sessionId: string): Promise<boolean> {
  return d.store.transaction(async (tx) => {
    const s = await tx.findSessionForUpdate(sessionId);
    if (!s || s.redaction_status !== 'processing') return false;
    for (const rep of await tx.listReportsOfSession(s.id)) {
      await tx.updateReportChecks(rep.id, redactChecks(rep.checks));
    }
    for (const e of await tx.listEventsOfObject(s.id)) {
      const obj = { ...e.data.object };
      obj.metadata = {};
      // The links in old snapshots are dead, but they were credentials: they go too.
      if (obj.client_secret) obj.client_secret = null;
      if (obj.url) obj.url = null;
      if (obj.provided_details) obj.provided_details = redactDetails(obj.provided_details as { email?: string; phone?: string });
      await tx.updateEventData(e.id, { ...e.data, object: obj });
    }
    // Files: contents deleted and links dropped, in this transaction (the blob table joins it; on disk the
    // delete cannot be undone, which errs on the side of the redaction).
    await redactSessionFiles({ ...d, store: tx }, s.id);
    // What the engines measured (scores, readings) and any pending review go with the images.
    await tx.verification.deleteForSession(s.id);
    s.redaction_status = 'redacted';
    if (!(await tx.updateSession(s))) throw new Error('session changed during redaction');
    // Stored idempotent responses hold the session as it was; a replay must not bring the data back.
    await tx.replaceIdempotencyResponsesOf(s.id, JSON.stringify(presentSession(s, { publicUrl: d.config.publicUrl, now: nowSec(d.clock) })));
    await recordEvent(tx, d, AUTOMATIC, s, 'identity.verification_session.redacted');
    return true;
  });
}
