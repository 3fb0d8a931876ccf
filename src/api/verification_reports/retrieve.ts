// GET /v1/identity/verification_reports/:report — stripe.identity.verificationReports.retrieve
import type { Endpoint } from '../stripe/endpoint.js';
import { errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { REPORT_EXPAND_SET, presentReports } from './shared.js';

const PARAMS = { expand: p.expand() };

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/identity/verification_reports/:report',
  access: 'identity_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, REPORT_EXPAND_SET);
    const id = ctx.path.report;
    const report = await ctx.deps.store.findReport(id);
    if (!report) throw errors.notFound('verification_report', id);
    if (report.livemode !== ctx.livemode) throw errors.notFound('verification_report', id, 'id', report.livemode ? 'live' : 'test');
    return { body: presentReports(ctx, [report], expand)[0] };
  },
};
