import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Verity, describeResponse, startVerity } from '../../test/harness.js';
import { embedFrameAncestors } from './headers.js';
import { pickLocale } from './i18n/index.js';
import { accessibleBrand, contrast, jsonForScript } from './render.js';

interface Got {
  status: number;
  headers: Headers;
  html: string;
  why: string;
  bytes: number;
}

/** GET without an API key; the body is read once and `why` prints the whole response for assertion messages. */
async function get(v: Verity, path: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await v.fetch(path, { key: null, headers });
  const why = await describeResponse(res);
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, html: buf.toString('utf8'), why, bytes: buf.length };
}

function dataBlock(html: string): any {
  const m = /<script type="application\/json" id="verity-data">([^<]*)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]!) : null;
}

function assertPageHeaders(res: Got, frameAncestors = "'none'") {
  const why = res.why;
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/, why);
  assert.match(csp, /script-src 'self'(;|$)/, why);
  assert.match(csp, /style-src 'self'(;|$)/, why);
  assert.match(csp, /object-src 'none'/, why);
  assert.match(csp, /base-uri 'none'/, why);
  assert.ok(csp.includes(`frame-ancestors ${frameAncestors}`), why);
  assert.doesNotMatch(csp.replace(/frame-ancestors[^;]*/, ''), /https?:\/\/|\*/, why);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', why);
  assert.equal(res.headers.get('cache-control'), 'no-store', why);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', why);
  assert.equal(res.headers.get('permissions-policy'), 'camera=(self)', why);
  assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin', why);
}

describe('hosted page HTML routes', () => {
  let v: Verity;
  let stripe: Stripe;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
  });
  after(() => v.close());

  it('serves the app shell for an active link, with the security headers and a test-mode banner', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const res = await get(v, new URL(s.url!).pathname);
    const html = res.html;
    const why = `${res.why}`;
    assert.equal(res.status, 200, why);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, why);
    assertPageHeaders(res);
    assert.match(html, /<main id="app" data-step="loading">/, why);
    assert.match(html, /data-testmode-banner/, why);
    assert.match(html, /<html lang="en" dir="ltr">/, why);
    const data = dataBlock(html);
    assert.equal(data.mode, 'page', why);
    assert.equal(data.strings.agree, 'Agree and continue', why);
    // The session's secrets never appear in the page itself.
    assert.ok(!html.includes(s.client_secret!), why);
    // Only same-origin scripts and styles, each with a content hash.
    for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) assert.match(m[1]!, /^(\/verify\/assets\/[a-z]+\.(js|css)\?v=[0-9a-f]{12}|data:,)$/, why);
  });

  it('renders nothing test-related for a live session', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const res = await get(v, new URL(s.url!).pathname);
    const html = res.html;
    assert.equal(res.status, 200, res.why);
    assert.doesNotMatch(html, /data-testmode-banner|test_mode|Test mode/, html);
  });

  it('passes ?capture_timeout_ms= to the page for a test-mode session only, and only within 0.5–60 s', async () => {
    const test = new URL((await stripe.identity.verificationSessions.create({ type: 'document' })).url!).pathname;
    const live = new URL((await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' })).url!).pathname;
    const timeoutOf = async (path: string) => dataBlock((await get(v, path)).html)?.captureTimeoutMs;
    assert.equal(await timeoutOf(`${test}?capture_timeout_ms=1500`), 1500);
    assert.equal(await timeoutOf(test), null);
    // A live link must not let anyone change what real users get, and nonsense is ignored rather than obeyed.
    assert.equal(await timeoutOf(`${live}?capture_timeout_ms=1500`), null);
    for (const bad of ['1', '100000', 'abc', '1500.5']) assert.equal(await timeoutOf(`${test}?capture_timeout_ms=${bad}`), null, bad);
  });

  it('answers an unknown or forged token with its own 404 screen and no business data', async () => {
    for (const token of ['test_doesnotexist0000000000000000000', 'x', 'live_' + 'A'.repeat(300)]) {
      const res = await get(v, `/verify/${token}`);
      const html = res.html;
      const why = res.why;
      assert.equal(res.status, 404, why);
      assertPageHeaders(res);
      assert.match(html, /data-step="status_unknown"/, why);
      assert.match(html, /<title>Link not valid – Identity verification<\/title>/, why);
      assert.doesNotMatch(html, /Verity needs|<script|<video|type="file"/, why);
    }
  });

  it('gives expired, canceled and submitted links their own screens without capture UI or session data', async () => {
    const expired = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { secret: 'm1' } });
    const canceled = await stripe.identity.verificationSessions.create({ type: 'document' });
    const submitted = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(canceled.id);
    await v.fetch(`/v1/test_helpers/identity/verification_sessions/${submitted.id}/verify`, { method: 'POST' });
    const urls = { canceled: canceled.url!, submitted: submitted.url! };
    const titles = new Set<string>();
    for (const [kind, url] of Object.entries(urls)) {
      const res = await get(v, new URL(url).pathname);
      const html = res.html;
      const why = res.why;
      assert.equal(res.status, 200, why);
      assert.match(html, new RegExp(`data-step="status_${kind}"`), why);
      assert.doesNotMatch(html, /<script|<video|type="file"|vs_/, why);
      titles.add(/<title>([^<]*)</.exec(html)![1]!);
    }
    v.clock.advance(49 * 3600 * 1000);
    const res = await get(v, new URL(expired.url!).pathname);
    const html = res.html;
    assert.equal(res.status, 410, res.why);
    assert.match(html, /data-step="status_expired"/, html);
    assert.doesNotMatch(html, /m1|vs_|<script/, html);
    titles.add(/<title>([^<]*)</.exec(html)![1]!);
    assert.equal(titles.size, 3, [...titles].join('\n'));
  });

  it('follows ?locale= then Accept-Language, and sets dir="rtl" for Arabic', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = new URL(s.url!).pathname;
    const fr = (await get(v, path, { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' })).html;
    assert.match(fr, /<html lang="fr" dir="ltr">/, fr);
    assert.equal(dataBlock(fr).strings.agree, 'Accepter et continuer', fr);
    const ar = (await get(v, path + '?locale=ar', { 'accept-language': 'fr' })).html;
    assert.match(ar, /<html lang="ar" dir="rtl">/, ar);
    const unknown = (await get(v, '/verify/nope', { 'accept-language': 'fr' })).html;
    assert.match(unknown, /Ce lien n’est pas valide/, unknown);
  });

  it('serves the modal frame with frame-ancestors open to any web origin when none are configured', async () => {
    const res = await get(v, '/verify/embed?origin=' + encodeURIComponent('https://shop.example'));
    const html = res.html;
    assert.equal(res.status, 200, res.why);
    assertPageHeaders(res, 'http: https:');
    const data = dataBlock(html);
    assert.equal(data.mode, 'embed', html);
    assert.equal(data.parentOrigin, 'https://shop.example', html);
    assert.equal(data.frameError, false, html);
  });

  it('refuses to start the modal frame for a missing or malformed parent origin', async () => {
    for (const q of ['', '?origin=javascript:alert(1)', '?origin=' + encodeURIComponent('https://a.example/path')]) {
      const html = (await get(v, '/verify/embed' + q)).html;
      const data = dataBlock(html);
      assert.equal(data.frameError, true, html);
      assert.equal(data.parentOrigin, null, html);
    }
  });

  it('serves hashed assets with immutable caching and the modal script readable cross-origin', async () => {
    const html = (await get(v, '/verify/privacy')).html;
    const css = /href="(\/verify\/assets\/verify\.css\?v=[0-9a-f]+)"/.exec(html)![1]!;
    const res = await get(v, css);
    const why = res.why;
    assert.equal(res.status, 200, why);
    assert.match(res.headers.get('content-type') ?? '', /^text\/css/, why);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/, why);
    assert.match(res.html, /--brand:#3b4cca/, why);
    const js = await get(v, '/js/verity.js');
    assert.equal(js.status, 200, js.why);
    assert.match(js.headers.get('content-type') ?? '', /javascript/, js.why);
    assert.equal(js.headers.get('cross-origin-resource-policy'), 'cross-origin', js.why);
    const missing = await get(v, '/verify/assets/verity.js');
    assert.equal(missing.status, 404, missing.why);
    const traversal = await get(v, '/verify/assets/..%2Fpages.ts');
    assert.equal(traversal.status, 404, traversal.why);
  });

  it('keeps the whole page small: HTML, scripts and stylesheet together under 100 KB', async () => {
    const s = await stripe.identity.verificationSessions.create({ type: 'document' });
    let total = (await get(v, new URL(s.url!).pathname)).bytes;
    for (const name of ['verify.js', 'verify.css', 'capture.js']) total += (await get(v, `/verify/assets/${name}`)).bytes;
    assert.ok(total < 100 * 1024, `total ${total} bytes`);
  });

  it('answers /verify without a token with the unknown-link screen', async () => {
    const res = await get(v, '/verify/');
    assert.equal(res.status, 404, res.why);
    assert.match(res.html, /data-step="status_unknown"/, res.why);
  });
});

describe('modal frame with configured origins', () => {
  let v: Verity;
  before(async () => {
    v = await startVerity();
    v.deps.config.page = { ...v.deps.config.page, frameOrigins: ['https://shop.example', 'http://localhost:3000'] };
  });
  after(() => v.close());

  it('lists only the configured origins in frame-ancestors and refuses other parents', async () => {
    const ok = await get(v, '/verify/embed?origin=' + encodeURIComponent('https://shop.example'));
    assertPageHeaders(ok, 'https://shop.example http://localhost:3000');
    assert.equal(dataBlock(ok.html).frameError, false, ok.why);
    const other = (await get(v, '/verify/embed?origin=' + encodeURIComponent('https://evil.example'))).html;
    assert.equal(dataBlock(other).frameError, true, other);
  });
});

describe('page helpers', () => {
  it('picks the locale from the query, then Accept-Language by weight, then English', () => {
    assert.equal(pickLocale('fr', 'ar'), 'fr');
    assert.equal(pickLocale('xx', 'de;q=1, ar;q=0.8, fr;q=0.9'), 'fr');
    assert.equal(pickLocale(null, 'AR-eg'), 'ar');
    assert.equal(pickLocale(undefined, 'de, *;q=0.1'), 'en');
    assert.equal(pickLocale(undefined, 'fr;q=0, en;q=0.1'), 'en');
    assert.equal(pickLocale(undefined, undefined), 'en');
  });

  it('darkens a light brand colour until white text on it reaches 4.5:1 and keeps a dark one', () => {
    assert.equal(accessibleBrand('#3b4cca'), '#3b4cca');
    for (const c of ['#ffcc00', '#ffffff', '#7fd1ff', '#00ff00']) {
      const out = accessibleBrand(c);
      assert.ok(contrast(out, '#ffffff') >= 4.5, `${c} → ${out}`);
    }
  });

  it('escapes a data block so it cannot close its script element', () => {
    const s = jsonForScript({ name: '</script><script>alert(1)</script>' });
    assert.ok(!s.includes('<'), s);
    assert.deepEqual(JSON.parse(s), { name: '</script><script>alert(1)</script>' });
  });

  it('frames the modal from any web origin when none are configured', () => {
    assert.equal(embedFrameAncestors({ page: { frameOrigins: [] } } as any), 'http: https:');
  });
});
