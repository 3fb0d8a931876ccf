// Server-side HTML for the hosted page: the app shell (the script renders the steps into it), the modal's
// frame shell, the status screens for links that can no longer be used, and the data notice. Everything
// dynamic is escaped here; nothing inline is executed or styled (the CSP allows only our own files).
import { type Locale, type Strings, direction, fill, strings } from './i18n/index.js';

export type StatusKind = 'unknown' | 'expired' | 'submitted' | 'canceled';

export interface AssetUrls {
  js: string;
  css: string;
  capture: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe to place inside a `<script type="application/json">` block (no `</script>`, no `<!--`). */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// ── Colour: the configured brand colour must carry white button text at 4.5:1 (WCAG 1.4.3) ──

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** The brand colour, darkened step by step until white text on it reaches 4.5:1. */
export function accessibleBrand(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  let r = (n >> 16) & 255;
  let g = (n >> 8) & 255;
  let b = n & 255;
  const toHex = () => '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
  for (let i = 0; i < 100 && contrast(toHex(), '#ffffff') < 4.5; i++) {
    r = Math.floor(r * 0.92);
    g = Math.floor(g * 0.92);
    b = Math.floor(b * 0.92);
  }
  return toHex();
}

/** The per-deployment part of the stylesheet (appended to verify.css, so it is still one `'self'` file). */
export function themeCss(brandColor: string): string {
  return `:root{--brand:${accessibleBrand(brandColor)}}\n`;
}

// ── Documents ──

interface Frame {
  locale: Locale;
  title: string;
  business: string;
  assets: AssetUrls;
  step: string;
  testmode: boolean;
  body: string;
  script?: { data: unknown };
}

function documentHtml(f: Frame): string {
  const t = strings(f.locale);
  const banner = f.testmode
    ? `<div class="testmode" data-testmode-banner role="note"><strong>${escapeHtml(t.testmode_banner)}</strong> <span>${escapeHtml(t.testmode_banner_detail)}</span></div>`
    : '';
  const script = f.script
    ? `<script type="application/json" id="verity-data">${jsonForScript(f.script.data)}</script>\n<script src="${escapeHtml(f.assets.js)}" defer></script>\n`
    : '';
  return `<!doctype html>
<html lang="${f.locale}" dir="${direction(f.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(f.title)}</title>
<link rel="stylesheet" href="${escapeHtml(f.assets.css)}">
${script}</head>
<body>
${banner}<header class="top"><span class="business">${escapeHtml(f.business)}</span></header>
<main id="app" data-step="${escapeHtml(f.step)}">
${f.body}
</main>
<footer class="foot"><p>${escapeHtml(f.business ? fill(t.footer, { business: f.business }) : t.service)}</p></footer>
</body>
</html>
`;
}

export function pageTitle(t: Strings, stepTitle: string, business: string | null): string {
  return `${stepTitle} – ${business ? fill(t.title_suffix, { business }) : t.service}`;
}

export interface ShellInput {
  locale: Locale;
  business: string;
  privacyUrl: string | null;
  assets: AssetUrls;
  /** For the standalone page; the modal frame learns it after the parent sends the client secret. */
  testmode: boolean;
  mode: 'page' | 'embed';
  /** The modal's parent origin (embed only): the frame posts messages to it and to nothing else. */
  parentOrigin?: string;
  /** Set when the frame may not be used by this parent (origin not configured): the script shows an error. */
  frameError?: boolean;
  /** Test-mode sessions only: a shorter auto-capture deadline, so browser tests need not wait 10 s. */
  captureTimeoutMs?: number;
}

/** A live session's page carries nothing about test mode, not even unused strings. */
function withoutTestStrings(t: Strings): Partial<Strings> {
  return Object.fromEntries(Object.entries(t).filter(([k]) => !/^(tm_|testmode_|title_test_mode|done_test_)/.test(k)));
}

/** The app shell: a loading state the script replaces with the first step. */
export function renderShell(i: ShellInput): string {
  const t = strings(i.locale);
  return documentHtml({
    locale: i.locale,
    title: pageTitle(t, t.loading, i.business),
    business: i.business,
    assets: i.assets,
    step: 'loading',
    testmode: i.testmode,
    body: `<h1 tabindex="-1">${escapeHtml(t.loading)}</h1>
<div class="spinner" role="progressbar" aria-label="${escapeHtml(t.loading)}"></div>
<noscript><p>${escapeHtml(t.unsupported_body)}</p></noscript>`,
    script: {
      data: {
        mode: i.mode,
        locale: i.locale,
        dir: direction(i.locale),
        business: i.business,
        privacyUrl: i.privacyUrl,
        parentOrigin: i.parentOrigin ?? null,
        frameError: i.frameError ?? false,
        capture: i.assets.capture,
        captureTimeoutMs: i.captureTimeoutMs ?? null,
        strings: i.mode === 'page' && !i.testmode ? withoutTestStrings(t) : t,
      },
    },
  });
}

/** A link that can no longer be used: its own title and message, no capture UI, no session data. */
export function renderStatus(kind: StatusKind, i: { locale: Locale; business: string; assets: AssetUrls; testmode: boolean }): string {
  const t = strings(i.locale);
  // An unknown link shows nothing about any business: it may not belong to this deployment's sessions at all.
  const business = kind === 'unknown' ? '' : i.business;
  const k = (s: string) => (t as Record<string, string>)[`status_${kind}_${s}`]!;
  return documentHtml({
    locale: i.locale,
    title: pageTitle(t, (t as Record<string, string>)[`title_status_${kind}`]!, business || null),
    business,
    assets: i.assets,
    step: `status_${kind}`,
    testmode: kind !== 'unknown' && i.testmode,
    body: `<h1 tabindex="-1">${escapeHtml(k('title'))}</h1>
<p>${escapeHtml(fill(k('body'), { business: i.business }))}</p>`,
  });
}

/** Our own data notice, linked from the consent screen beside the business's privacy policy. */
export function renderPrivacy(i: { locale: Locale; business: string; assets: AssetUrls }): string {
  const t = strings(i.locale);
  const p = (s: string) => `<p>${escapeHtml(fill(s, { business: i.business }))}</p>`;
  return documentHtml({
    locale: i.locale,
    title: pageTitle(t, t.title_privacy, i.business),
    business: i.business,
    assets: i.assets,
    step: 'privacy',
    testmode: false,
    body: `<h1 tabindex="-1">${escapeHtml(t.privacy_title)}</h1>\n${p(t.privacy_body_1)}\n${p(t.privacy_body_2)}\n${p(t.privacy_body_3)}`,
  });
}
