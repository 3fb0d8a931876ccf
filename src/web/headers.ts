// Security headers for everything the end user's browser loads from us: the page, the modal frame, the
// status screens and the static assets. The page carries a bearer token in its path and shows identity
// documents, so: nothing cached, no referrer, no third-party anything, no framing except the modal route.
import type { Config } from '../config.js';

export type HeaderKind = 'page' | 'embed' | 'asset' | 'script';

const CSP_BASE = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** `frame-ancestors` for the modal route: the configured business origins, or any web origin when none are. */
export function embedFrameAncestors(config: Pick<Config, 'page'>): string {
  const origins = config.page.frameOrigins;
  return origins.length ? origins.join(' ') : 'http: https:';
}

export function securityHeaders(kind: HeaderKind, config: Pick<Config, 'page' | 'publicUrl'>): Record<string, string> {
  const frameAncestors = kind === 'embed' ? embedFrameAncestors(config) : "'none'";
  const h: Record<string, string> = {
    'Content-Security-Policy': [...CSP_BASE, `frame-ancestors ${frameAncestors}`].join('; '),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(self)',
    // The modal script is loaded by the business's own page (another origin), so it alone may be read
    // cross-origin; everything else is for our own pages only.
    'Cross-Origin-Resource-Policy': kind === 'script' ? 'cross-origin' : 'same-origin',
    'Cache-Control': kind === 'asset' ? 'public, max-age=31536000, immutable' : kind === 'script' ? 'public, max-age=300' : 'no-store',
  };
  // For browsers that predate frame-ancestors; the modal frame relies on CSP alone.
  if (kind === 'page') h['X-Frame-Options'] = 'DENY';
  if (config.publicUrl.startsWith('https:')) h['Strict-Transport-Security'] = 'max-age=31536000';
  return h;
}
