// GET /v1/files/:file/contents — Stripe serves this from files.stripe.com with the secret key. Here: the
// contents of `identity_document` uploads, to any key that may read files of that mode. Identity images
// (identity_document_downloadable, selfie) are only reachable through a FileLink (see file_links/create.ts):
// a key that may not see sensitive results must not get them by this side door.
import { CONTENT_TYPES, IDENTITY_LINK_PURPOSES, assertContentsAvailable, loadFile, readFileContents } from '../../domain/files.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { MSG, StripeError } from '../stripe/errors.js';
import { parseParams } from '../stripe/params.js';

export const contents: Endpoint = {
  method: 'GET',
  path: '/v1/files/:file/contents',
  access: 'files_read',
  async handler(ctx) {
    parseParams({}, ctx.params);
    const f = await loadFile(ctx.deps, ctx.path.file, ctx.livemode);
    if (IDENTITY_LINK_PURPOSES.includes(f.purpose)) throw new StripeError({ status: 403, message: MSG.fileContentsViaLinkOnly(f.purpose) });
    await assertContentsAvailable(ctx.deps, f);
    const bytes = await readFileContents(ctx.deps, f.id);
    if (!bytes) throw new StripeError({ status: 400, code: 'resource_missing', message: MSG.fileContentsUnavailable(f.id) });
    const name = f.filename ?? `${f.id}.${f.type}`;
    return {
      body: null,
      raw: {
        bytes,
        headers: {
          'Content-Type': CONTENT_TYPES[f.type],
          'Content-Disposition': contentDisposition(name),
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        },
      },
    };
  },
};

/** attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
