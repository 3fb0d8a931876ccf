// GET /v1/file_links/:link — stripe.fileLinks.retrieve
import { loadLink } from '../../domain/file-links.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { LINK_EXPANDS, renderLink } from './shared.js';

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/file_links/:link',
  access: 'files_read',
  async handler(ctx) {
    const params = parseParams({ expand: p.expand() }, ctx.params);
    const expand = parseExpand(params.expand, LINK_EXPANDS);
    return { body: await renderLink(ctx, await loadLink(ctx.deps, ctx.path.link, ctx.livemode), expand) };
  },
};
