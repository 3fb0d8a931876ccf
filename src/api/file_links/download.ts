// GET /links/:token — a FileLink's public URL: no API key, the token is the credential. Serves the decrypted
// contents with headers that keep them out of caches and away from content sniffing; anything else (unknown,
// forged, expired, redacted) is the same plain 404, so a token reveals nothing about what it once named.
import type { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { nowSec } from '../../domain/clock.js';
import { resolveLinkToken } from '../../domain/file-links.js';
import { contentDisposition } from '../files/contents.js';

export const NOT_FOUND_TEXT = 'Not found: this link does not exist or has expired.\n';

export function mountFileLinkDownloads(app: Hono<any>, deps: Deps): void {
  app.get('/links/:token', async (c) => {
    const found = await resolveLinkToken(deps, c.req.param('token'), nowSec(deps.clock));
    const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    if (!found) return c.body(NOT_FOUND_TEXT, 404, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
    return c.body(found.bytes as unknown as ArrayBuffer, 200, {
      ...common,
      'Content-Type': found.contentType,
      'Content-Length': String(found.bytes.length),
      'Content-Disposition': contentDisposition(found.filename),
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
  });
}
