// GET /v1/files/:file — stripe.files.retrieve
import { loadFile } from '../../domain/files.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { FILE_EXPANDS, renderFile } from './shared.js';

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/files/:file',
  access: 'files_read',
  async handler(ctx) {
    const params = parseParams({ expand: p.expand() }, ctx.params);
    parseExpand(params.expand, FILE_EXPANDS);
    return { body: await renderFile(ctx, await loadFile(ctx.deps, ctx.path.file, ctx.livemode)) };
  },
};
