// HTML routes: the hosted page, the modal frame, status screens, the modal script and static assets.
// Assets are read once at start-up and served from memory under a content-hashed query, so they can be
// cached forever while a deploy still changes their URL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Context, Hono } from 'hono';
import type { Deps } from '../deps.js';
import { resolvePageLink } from '../domain/page.js';
import { type HeaderKind, securityHeaders } from './headers.js';
import { type Locale, pickLocale } from './i18n/index.js';
import { type AssetUrls, renderPrivacy, renderShell, renderStatus, themeCss } from './render.js';

const ASSET_DIR = new URL('./assets/', import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const PAGE_ASSETS = ['verify.js', 'capture.js', 'verify.css'] as const;
const STATUS_CODE = { unknown: 404, expired: 410, submitted: 200, canceled: 200 } as const;

const NOT_FOUND = 'Not found';

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

function loadAssets(brandColor: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of [...PAGE_ASSETS, 'verity.js']) {
    let body = fs.readFileSync(new URL(name, ASSET_DIR));
    // The brand colour is per deployment; appending it keeps the stylesheet a single same-origin file.
    if (name === 'verify.css') body = Buffer.concat([body, Buffer.from(themeCss(brandColor))]);
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 12);
    out.set(name, { body, type: TYPES[name.split('.').pop()!]!, hash });
  }
  return out;
}

/** A valid http(s) origin (scheme://host[:port]) or null. */
export function parseOrigin(v: string | undefined): string | null {
  if (!v) return null;
  try {
    const u = new URL(v);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== v.replace(/\/+$/, '')) return null;
    return u.origin;
  } catch {
    return null;
  }
}

export function mountPages(app: Hono<any>, deps: Deps): void {
  const assets = loadAssets(deps.config.page.brandColor);
  const url = (name: string) => `/verify/assets/${name}?v=${assets.get(name)!.hash}`;
  const urls: AssetUrls = { js: url('verify.js'), css: url('verify.css'), capture: url('capture.js') };
  const business = deps.config.page.businessName;

  const locale = (c: Context): Locale => pickLocale(c.req.query('locale'), c.req.header('accept-language'));
  const html = (c: Context, kind: HeaderKind, body: string, status = 200) =>
    c.body(body, status as 200, { ...securityHeaders(kind, deps.config), 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': locale(c) });
  const notFound = (c: Context) =>
    c.body(NOT_FOUND, 404, { ...securityHeaders('asset', deps.config), 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' });

  app.get('/verify/assets/:file', (c) => {
    const name = c.req.param('file');
    const a = (PAGE_ASSETS as readonly string[]).includes(name) ? assets.get(name) : undefined;
    if (!a) return notFound(c);
    return c.body(new Uint8Array(a.body), 200, { ...securityHeaders('asset', deps.config), 'Content-Type': a.type, ETag: `"${a.hash}"` });
  });

  app.get('/js/verity.js', (c) => {
    const a = assets.get('verity.js')!;
    return c.body(new Uint8Array(a.body), 200, { ...securityHeaders('script', deps.config), 'Content-Type': a.type, ETag: `"${a.hash}"` });
  });

  app.get('/verify/privacy', (c) => html(c, 'page', renderPrivacy({ locale: locale(c), business, assets: urls })));

  app.get('/verify/embed', (c) => {
    const origin = parseOrigin(c.req.query('origin'));
    const allowed = deps.config.page.frameOrigins;
    // An origin the deployment does not list gets a frame that refuses to start (CSP also blocks the framing).
    const frameError = !origin || (allowed.length > 0 && !allowed.includes(origin));
    return html(
      c,
      'embed',
      renderShell({
        locale: locale(c),
        business,
        privacyUrl: deps.config.page.privacyUrl,
        assets: urls,
        testmode: false,
        mode: 'embed',
        parentOrigin: frameError ? undefined : origin!,
        frameError,
      }),
    );
  });

  // A link cut short before its token: the same screen as an unknown token.
  const unknown = (c: Context) => html(c, 'page', renderStatus('unknown', { locale: locale(c), business, assets: urls, testmode: false }), 404);
  app.get('/verify', unknown);
  app.get('/verify/', unknown);

  app.get('/verify/:token', async (c) => {
    const { state, session } = await resolvePageLink(deps, c.req.param('token'));
    const l = locale(c);
    if (state !== 'active' || !session) {
      const kind = state === 'active' ? 'unknown' : state;
      const testmode = session ? !session.livemode : false;
      return html(c, 'page', renderStatus(kind, { locale: l, business, assets: urls, testmode }), STATUS_CODE[kind]);
    }
    // ?capture_timeout_ms= shortens the auto-capture deadline for automated tests; a live session never
    // honours it, so a crafted link cannot change what real users see.
    const timeout = Number(c.req.query('capture_timeout_ms'));
    const captureTimeoutMs = !session.livemode && Number.isInteger(timeout) && timeout >= 500 && timeout <= 60_000 ? timeout : undefined;
    return html(
      c,
      'page',
      renderShell({ locale: l, business, privacyUrl: deps.config.page.privacyUrl, assets: urls, testmode: !session.livemode, mode: 'page', captureTimeoutMs }),
    );
  });
}
