// POST /v1/file_links — stripe.fileLinks.create({file, expires_at?, metadata?})
import { createFileLink } from '../../domain/file-links.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { LINK_EXPANDS, renderLink } from './shared.js';

const PARAMS = { file: p.string(), expires_at: p.integer({ min: 0 }), metadata: p.metadata(), expand: p.expand() };

export const create: Endpoint = {
  method: 'POST',
  path: '/v1/file_links',
  access: 'files_write',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params, ['file']);
    const expand = parseExpand(params.expand, LINK_EXPANDS);
    const l = await createFileLink(ctx, { file: params.file!, expires_at: params.expires_at, metadata: params.metadata });
    return { body: await renderLink(ctx, l, expand) };
  },
};
