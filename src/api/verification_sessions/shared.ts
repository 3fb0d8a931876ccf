// What the session endpoints share: the options spec, the expand paths a session accepts, and rendering a
// session with its expansions (gated for sensitive fields).
import { SENSITIVE_DOCUMENT, SENSITIVE_ID_NUMBER, SENSITIVE_OUTPUTS, presentSession } from '../../domain/present.js';
import { DOCUMENT_TYPES, type Report, type Session } from '../../domain/types.js';
import { sensitiveAccess } from '../stripe/auth.js';
import type { ApiContext } from '../stripe/endpoint.js';
import { MSG, StripeError } from '../stripe/errors.js';
import { children } from '../stripe/expand.js';
import { p } from '../stripe/params.js';

export const DOCUMENT_OPTIONS = p.object(
  {
    allowed_types: p.array(p.enum(DOCUMENT_TYPES), 3),
    require_id_number: p.boolean(),
    require_live_capture: p.boolean(),
    require_matching_selfie: p.boolean(),
  },
  { emptyable: true },
);

export const SESSION_TYPES = ['document', 'id_number'] as const;

export const REPORT_EXPANDS = [
  ...SENSITIVE_DOCUMENT.map((f) => `document.${f}`),
  ...SENSITIVE_ID_NUMBER.map((f) => `id_number.${f}`),
];

export const SESSION_EXPANDS: ReadonlySet<string> = new Set([
  'last_verification_report',
  ...REPORT_EXPANDS.map((f) => `last_verification_report.${f}`),
  'verified_outputs',
  ...SENSITIVE_OUTPUTS.map((f) => `verified_outputs.${f}`),
  // Accepted for compatibility; these are always shown when set.
  'last_error',
  'options',
  'redaction',
  'provided_details',
  'related_person',
  'verification_flow',
]);

const SENSITIVE_WINDOW_S = 48 * 3600;

/**
 * Throws the 403 Stripe gives when sensitive results are asked for without the right key: a restricted key
 * with the sensitive-results permission, and (without the "all results" permission) only for 48 hours
 * after the verification was processed.
 */
export function assertSensitiveAllowed(ctx: ApiContext, asked: string[], processedAt: number | undefined): void {
  if (asked.length === 0) return;
  const access = sensitiveAccess(ctx.key);
  if (access === 'none') throw new StripeError({ status: 403, message: MSG.sensitiveNeedsRestrictedKey(asked[0]) });
  if (access === 'recent' && processedAt !== undefined && ctx.nowS - processedAt > SENSITIVE_WINDOW_S)
    throw new StripeError({ status: 403, message: MSG.sensitiveExpired(asked[0]) });
}

/** Sensitive fields a set of report expansions (relative to the report) asks for, with their full names. */
export function reportSensitive(expand: ReadonlySet<string>, prefix: string): { document: Set<string>; id_number: Set<string>; asked: string[] } {
  const document = children(expand, 'document');
  const id_number = children(expand, 'id_number');
  const asked = [...[...document].map((f) => `${prefix}document.${f}`), ...[...id_number].map((f) => `${prefix}id_number.${f}`)];
  return { document, id_number, asked };
}

/** Renders sessions with their expansions, loading every needed report in one query. */
export async function presentSessions(ctx: ApiContext, sessions: Session[], expand: ReadonlySet<string>, prefix = ''): Promise<Record<string, unknown>[]> {
  if (expand.size === 0) {
    // Nothing to expand (the usual call): no reports to load and nothing sensitive asked, so each session is
    // presented as is. The same result as below, without building the expansion sets for every request.
    const ctxPlain = { publicUrl: ctx.deps.config.publicUrl, now: ctx.nowS };
    return sessions.map((s) => presentSession(s, ctxPlain, { report: undefined, verifiedOutputs: undefined }));
  }
  const wantReport = expand.has('last_verification_report');
  const wantOutputs = expand.has('verified_outputs');
  const reportExpand = new Set([...expand].filter((e) => e.startsWith('last_verification_report.')).map((e) => e.slice(25)));
  const rs = reportSensitive(reportExpand, `${prefix}last_verification_report.`);
  const outputs = children(expand, 'verified_outputs');
  const asked = [...[...outputs].map((f) => `${prefix}verified_outputs.${f}`), ...rs.asked];

  const reports =
    wantReport || wantOutputs
      ? await ctx.deps.store.findReports(sessions.map((s) => s.last_report_id).filter((id): id is string => id !== null))
      : new Map<string, Report>();
  const ctxPresent = { publicUrl: ctx.deps.config.publicUrl, now: ctx.nowS };
  return sessions.map((s) => {
    const report = s.last_report_id ? reports.get(s.last_report_id) : undefined;
    assertSensitiveAllowed(ctx, asked, report?.created);
    return presentSession(s, ctxPresent, {
      report: wantReport && report ? { report, includes: { document: rs.document, id_number: rs.id_number } } : undefined,
      verifiedOutputs: wantOutputs ? { report, sensitive: outputs } : undefined,
    });
  });
}

export async function presentOne(ctx: ApiContext, s: Session, expand: ReadonlySet<string>): Promise<Record<string, unknown>> {
  return (await presentSessions(ctx, [s], expand))[0];
}
