// POST /v1/file_links/:link — stripe.fileLinks.update({expires_at: 'now' | time | '', metadata})
import { updateFileLink } from '../../domain/file-links.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { errors, MSG } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { LINK_EXPANDS, renderLink } from './shared.js';

// expires_at is 'now', a Unix time, or '' (never expires): read as a string and decided below.
const PARAMS = { expires_at: p.string({ emptyable: true, max: 20 }), metadata: p.metadata(), expand: p.expand() };

export const update: Endpoint = {
  method: 'POST',
  path: '/v1/file_links/:link',
  access: 'files_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, LINK_EXPANDS);
    let expiresAt: number | 'now' | null | undefined;
    const raw = params.expires_at;
    if (raw === null) expiresAt = null;
    else if (raw === 'now') expiresAt = 'now';
    else if (raw !== undefined) {
      if (!/^\d{1,15}$/.test(raw)) throw errors.invalid('expires_at', MSG.invalidInteger(raw), 'parameter_invalid_integer');
      expiresAt = Number(raw);
    }
    const l = await updateFileLink(ctx, ctx.path.link, { expires_at: expiresAt, metadata: params.metadata });
    return { body: await renderLink(ctx, l, expand) };
  },
};
