// GET /v1/file_links — stripe.fileLinks.list (file, expired, created, cursors)
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { p, parseParams } from '../stripe/params.js';
import { LINK_EXPANDS, renderLink } from './shared.js';

const PARAMS = { ...LIST_PARAMS, file: p.string(), expired: p.boolean(), created: p.range() };
const URL = '/v1/file_links';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'files_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    const expand = parseExpand(params.expand, LINK_EXPANDS, true);
    const files = ctx.deps.store.files;
    const page = await pageRequest(params, 'file_link', (id) => files.linkCursor(id, ctx.livemode));
    const { items, hasMore } = await files.listLinks(
      { livemode: ctx.livemode, file: params.file, expired: params.expired, created: params.created, now: ctx.nowS },
      page,
    );
    const data = [];
    for (const l of items) data.push(await renderLink(ctx, l, expand));
    return { body: listEnvelope(URL, data, hasMore) };
  },
};
