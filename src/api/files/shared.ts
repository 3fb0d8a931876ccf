// What the file endpoints share: rendering a file (with its links), and the expand paths a file accepts.
import { presentFile, type FileRecord } from '../../domain/files.js';
import { presentLink } from '../../domain/file-links.js';
import type { ApiContext } from '../stripe/endpoint.js';

export const FILE_EXPANDS: ReadonlySet<string> = new Set(['links']);

export function renderFile(ctx: ApiContext, f: FileRecord): Promise<Record<string, unknown>> {
  return presentFile(ctx.deps, f, (l) => presentLink(ctx.deps, l, ctx.nowS));
}
