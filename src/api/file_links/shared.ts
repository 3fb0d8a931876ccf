// What the file-link endpoints share: rendering a link, with `file` expanded on request.
import { presentLink } from '../../domain/file-links.js';
import { presentFile } from '../../domain/files.js';
import type { FileLinkRecord } from '../../store/file-store.js';
import type { ApiContext } from '../stripe/endpoint.js';

export const LINK_EXPANDS: ReadonlySet<string> = new Set(['file']);

export async function renderLink(ctx: ApiContext, l: FileLinkRecord, expand: ReadonlySet<string>): Promise<Record<string, unknown>> {
  let file: unknown;
  if (expand.has('file')) {
    const f = await ctx.deps.store.files.findFile(l.file_id);
    if (f) file = await presentFile(ctx.deps, f, (x) => presentLink(ctx.deps, x, ctx.nowS));
  }
  return presentLink(ctx.deps, l, ctx.nowS, file);
}
