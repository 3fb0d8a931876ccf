// Rendering reports with their includable (sensitive) fields, gated like the session's.
import { presentReport } from '../../domain/present.js';
import type { Report } from '../../domain/types.js';
import type { ApiContext } from '../stripe/endpoint.js';
import { REPORT_EXPANDS, assertSensitiveAllowed, reportSensitive } from '../verification_sessions/shared.js';

export const REPORT_EXPAND_SET: ReadonlySet<string> = new Set(REPORT_EXPANDS);

export function presentReports(ctx: ApiContext, reports: Report[], expand: ReadonlySet<string>, prefix = ''): Record<string, unknown>[] {
  const rs = reportSensitive(expand, prefix);
  return reports.map((r) => {
    assertSensitiveAllowed(ctx, rs.asked, r.created);
    return presentReport(r, { document: rs.document, id_number: rs.id_number });
  });
}
