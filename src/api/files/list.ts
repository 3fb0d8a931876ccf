// GET /v1/files — stripe.files.list (purpose, created, cursors)
import { FILE_PURPOSES } from '../../domain/files.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from '../stripe/list.js';
import { p, parseParams } from '../stripe/params.js';
import { FILE_EXPANDS, renderFile } from './shared.js';

const PARAMS = { ...LIST_PARAMS, purpose: p.enum(FILE_PURPOSES), created: p.range() };
const URL = '/v1/files';

export const list: Endpoint = {
  method: 'GET',
  path: URL,
  access: 'files_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, FILE_EXPANDS, true);
    const files = ctx.deps.store.files;
    const page = await pageRequest(params, 'file', (id) => files.fileCursor(id, ctx.livemode));
    const { items, hasMore } = await files.listFiles({ livemode: ctx.livemode, purpose: params.purpose, created: params.created }, page);
    const data = [];
    for (const f of items) data.push(await renderFile(ctx, f));
    return { body: listEnvelope(URL, data, hasMore) };
  },
};
