// The hosted page's edges in a real browser: declining consent, the status screens of links that can no
// longer collect anything, security headers, languages, reduced motion and a 320 px wide screen.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Browser, Response } from 'playwright-core';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { fixtures } from '../fixtures/images.js';
import { Tab, SUITE_TIMEOUT_MS, browserSkip, captureServerLog, launchBrowser, screenProblems, screens, tokenOf } from './browser.js';
import { walk } from './flow.js';
import { type Host, startHost } from './host.js';
import { eventTypes, finishProcessing } from './shared.js';

const NO_CAPTURE_UI = 'video, input[type=file], canvas';

// Elements whose computed animation or transition lasts longer than 1 ms. A string, not a function: the
// test transpiler would wrap named inner functions in a helper that does not exist in the page.
const MOVING_ELEMENTS = `(() => {
  const secs = (v) => Math.max(...v.split(',').map((x) => (x.trim().endsWith('ms') ? parseFloat(x) / 1000 : parseFloat(x) || 0)));
  return [...document.querySelectorAll('*')]
    .map((e) => {
      const c = getComputedStyle(e);
      const anim = c.animationName !== 'none' ? secs(c.animationDuration) : 0;
      return { e: e.tagName + (e.className ? '.' + String(e.className).split(' ')[0] : ''), t: Math.max(anim, secs(c.transitionDuration)) };
    })
    .filter((x) => x.t > 0.001)
    .map((x) => x.e + ' ' + x.t + 's');
})()`;

/** The directives of a CSP header, by name. */
function csp(res: Response | null): Record<string, string> {
  const h = res?.headers()['content-security-policy'] ?? '';
  return Object.fromEntries(
    h
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [k, ...rest] = d.split(/\s+/);
        return [k.toLowerCase(), rest.join(' ')];
      }),
  );
}

describe('the hosted page: consent, status screens, headers and presentation', { skip: browserSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  let host: Host;
  let serverLog: string[];
  before(async () => {
    [v, browser, host] = await Promise.all([startVerity({ config: { simulatedProcessingMs: 200 } }), launchBrowser(), startHost()]);
    serverLog = captureServerLog(v);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await v?.close();
  });

  const create = (opts: Parameters<ReturnType<Verity['stripe']>['identity']['verificationSessions']['create']>[0] = { type: 'document' }) =>
    v.stripe().identity.verificationSessions.create(opts);

  it('declining consent leaves requires_input with consent_declined and offers a link back to return_url', async () => {
    const returnUrl = `${host.origin}/return?from=decline`;
    const s = await create({ type: 'document', return_url: returnUrl });
    const tab = await Tab.open(browser, v, { flow: 'decline', origins: [host.origin] });
    await tab.goto(s.url!);
    await walk(tab, { stopAt: 'consent' });
    // Agree and Decline are both reachable by keyboard.
    const reached = new Set<string>();
    for (let i = 0; i < 40 && reached.size < 2; i++) {
      await tab.page.keyboard.press('Tab');
      const name = await tab.page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '');
      if (name === 'Agree and continue' || name === 'Decline') reached.add(name);
    }
    assert.equal(reached.size, 2, `Tab reached only ${[...reached].join(', ')}\n${await tab.describe()}`);
    await tab.page.getByRole('button', { name: 'Decline', exact: true }).click();
    await tab.visit('declined');
    const after = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(after.status, 'requires_input', show(after));
    assert.equal(after.last_error?.code, 'consent_declined', show(after));
    assert.ok(!(await eventTypes(v, s.id)).includes('identity.verification_session.processing'), 'a decline must not submit');
    const link = tab.page.locator(`a[href="${returnUrl}"]`);
    assert.equal(await link.count(), 1, `no link to exactly ${returnUrl}\n${await tab.describe()}`);
    await tab.close();
  });

  it('an expired link shows the expired screen (410) without capture UI or session details', async () => {
    const s = await create();
    v.clock.advance(48 * 3600 * 1000 + 1000);
    try {
      const tab = await Tab.open(browser, v, { flow: 'status-expired' });
      const res = await tab.goto(s.url!);
      assert.equal(res?.status(), 410, await tab.describe());
      await tab.visit('status_expired');
      assert.equal(await tab.page.locator(NO_CAPTURE_UI).count(), 0, await tab.describe());
      assert.doesNotMatch(await tab.page.content(), new RegExp(s.id), 'the session id is on the page');
      await tab.close();
    } finally {
      v.clock.advance(-(48 * 3600 * 1000 + 1000));
    }
  });

  it('a submitted session\'s link shows "already submitted" without capture UI', async () => {
    const s = await create();
    await v.stripe().rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${s.id}/verify`, {});
    const tab = await Tab.open(browser, v, { flow: 'status-submitted' });
    const res = await tab.goto(s.url!);
    assert.equal(res?.status(), 200, await tab.describe());
    await tab.visit('status_submitted');
    assert.equal(await tab.page.locator(NO_CAPTURE_UI).count(), 0, await tab.describe());
    assert.doesNotMatch(await tab.page.content(), new RegExp(s.id), 'the session id is on the page');
    await tab.close();
  });

  it('a canceled session\'s link shows the canceled screen', async () => {
    const s = await create();
    await v.stripe().identity.verificationSessions.cancel(s.id);
    const tab = await Tab.open(browser, v, { flow: 'status-canceled' });
    const res = await tab.goto(s.url!);
    assert.equal(res?.status(), 200, await tab.describe());
    await tab.visit('status_canceled');
    assert.equal(await tab.page.locator(NO_CAPTURE_UI).count(), 0, await tab.describe());
    await tab.close();
  });

  it('a forged token gets "link not valid" (404) with no business data', async () => {
    const tab = await Tab.open(browser, v, { flow: 'status-unknown' });
    const res = await tab.goto(`${v.url}/verify/test_${'x'.repeat(32)}`);
    assert.equal(res?.status(), 404, await tab.describe());
    await tab.visit('status_unknown');
    assert.equal(await tab.page.locator(NO_CAPTURE_UI).count(), 0, await tab.describe());
    assert.doesNotMatch(await tab.page.content(), new RegExp(v.deps.config.page.businessName), 'the business name is on the unknown-link page');
    await tab.close();
  });

  it('the page sends a strict CSP with no other hosts, frame-ancestors none, no-referrer, no-store and nosniff', async () => {
    const s = await create();
    const tab = await Tab.open(browser, v);
    const res = await tab.goto(s.url!);
    await tab.step(/^(test_mode|consent)$/);
    const h = res!.headers();
    const d = csp(res);
    assert.equal(d['default-src'], "'self'", show(h));
    assert.equal(d['frame-ancestors'], "'none'", show(h));
    assert.doesNotMatch(h['content-security-policy'] ?? '', /https?:\/\/|\*/, `the CSP names other hosts: ${h['content-security-policy']}`);
    assert.equal(h['referrer-policy'], 'no-referrer', show(h));
    assert.match(h['cache-control'] ?? '', /no-store/, show(h));
    assert.equal(h['x-content-type-options'], 'nosniff', show(h));
    assert.match(h['permissions-policy'] ?? '', /camera=\(self\)/, show(h));
    assert.equal(h['cross-origin-resource-policy'], 'same-origin', show(h));
    await tab.assertClean([tokenOf(s.url)]);
    // The page API answers are not cached either.
    const api = tab.api[0];
    assert.ok(api, 'the page never called its API');
    const again = await fetch(`${v.url}/verify/api/session`, { headers: { authorization: `Bearer ${tokenOf(s.url)}` } });
    assert.match(again.headers.get('cache-control') ?? '', /no-store/, show(Object.fromEntries(again.headers)));
    // A subresource that tried another origin would have been refused and logged as a CSP violation.
    assert.deepEqual(
      tab.consoleLines.filter((l) => /Content Security Policy|Refused to/.test(l)),
      [],
    );
    await tab.close();
  });

  it('the first screen loads at most 100 KB of gzipped script, and the capture code only after consent', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v);
    await tab.goto(s.url!);
    await tab.step('consent');
    const scripts = [...new Set(tab.requests.filter((u) => new URL(u).pathname.endsWith('.js')))];
    assert.ok(scripts.length > 0, `no script loaded: ${tab.requests.join('\n')}`);
    assert.deepEqual(scripts.filter((u) => /capture/.test(u)), [], `capture code loaded before consent: ${scripts.join('\n')}`);
    let gz = 0;
    for (const u of scripts) gz += zlib.gzipSync(Buffer.from(await (await fetch(u)).arrayBuffer())).length;
    assert.ok(gz <= 100 * 1024, `first screen scripts are ${gz} bytes gzipped: ${scripts.join(', ')}`);
    await tab.close();
  });

  it('the ID number has a visible label and a numeric keyboard, and an incomplete value gets an error tied to the field', async () => {
    const s = await create({ type: 'id_number' });
    const tab = await Tab.open(browser, v, { flow: 'id-number' });
    await tab.goto(s.url!);
    await walk(tab, { stopAt: 'id_number' });
    const field = tab.page.getByLabel('Social Security number');
    assert.equal(await field.count(), 1, await tab.describe());
    assert.equal(await field.getAttribute('inputmode'), 'numeric', await tab.describe());
    await field.fill('123');
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    try {
      await tab.page.waitForFunction(() => {
        const f = [...document.querySelectorAll('input')].find((i) => i.labels?.[0]?.textContent?.includes('Social Security number'));
        const ids = (f?.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        return ids.some((id) => /incomplete/i.test(document.getElementById(id)?.textContent ?? ''));
      });
    } catch {
      assert.fail(`no "incomplete" message linked to the field by aria-describedby\n${await tab.describe()}`);
    }
    assert.equal(await tab.current(), 'id_number');
    await tab.visit('id_number');
    await tab.close();
  });

  it('French from Accept-Language: lang="fr" and French copy', async () => {
    const s = await create();
    const tab = await Tab.open(browser, v, { locale: 'fr-FR', flow: 'locale-fr' });
    await tab.goto(s.url!);
    const step = await tab.step(/^(test_mode|consent)$/);
    await tab.visit(step);
    const { lang, dir } = await tab.page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    assert.match(lang, /^fr/, await tab.describe());
    assert.notEqual(dir, 'rtl');
    assert.equal(await tab.page.getByRole('button', { name: 'Preview the real flow', exact: true }).count(), 0, `English copy on a French page\n${await tab.describe()}`);
    await tab.close();
  });

  it('Arabic from ?locale=ar: lang="ar" and dir="rtl"', async () => {
    const s = await create();
    const tab = await Tab.open(browser, v, { flow: 'locale-ar' });
    await tab.goto(`${s.url}?locale=ar`);
    const step = await tab.step(/^(test_mode|consent)$/);
    await tab.visit(step);
    const { lang, dir } = await tab.page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    assert.match(lang, /^ar/, await tab.describe());
    assert.equal(dir, 'rtl', await tab.describe());
    await tab.close();
  });

  it('under prefers-reduced-motion every animation and transition lasts 0 s', async () => {
    const s = await create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { reducedMotion: 'reduce' });
    await tab.goto(s.url!);
    const moving: string[] = [];
    await walk(tab, {
      stopAt: 'capture_front',
      onStep: async (step) => {
        const found = (await tab.page.evaluate(MOVING_ELEMENTS)) as string[];
        moving.push(...found.map((x) => `${step}: ${x}`));
      },
    });
    assert.deepEqual(moving, []);
    await tab.close();
  });

  it('at 320 px wide no step scrolls sideways', async () => {
    const s = await create({ type: 'document', options: { document: { require_id_number: true } } });
    const tab = await Tab.open(browser, v, { viewport: 'narrow' });
    await tab.goto(s.url!);
    const wide: string[] = [];
    await walk(tab, {
      stopAt: 'review',
      docType: 'driving_license',
      files: { front: (await fixtures()).cardFront, back: (await fixtures()).cardBack },
      onStep: async (step) => {
        if (step.startsWith('capture_')) return; // the camera preview may be wider
        const over = await tab.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (over > 0) wide.push(`${step}: ${over}px too wide`);
      },
    });
    assert.deepEqual(wide, []);
    await tab.close();
  });

  it('at 320 px wide with text zoomed to 200 % no step of a full flow scrolls sideways', async () => {
    const s = await create({ type: 'document', options: { document: { require_id_number: true, require_matching_selfie: true } } });
    const tab = await Tab.open(browser, v, { viewport: 'narrow', flow: 'zoom-200' });
    const fx = await fixtures();
    await tab.goto(s.url!);
    const wide: string[] = [];
    // Text-only zoom (the browser setting, not page zoom) scales the root font size; the page scales with it
    // only where its CSS is in rem/em, which is what this proves. The camera preview alone may be wider.
    const check = async (step: string) => {
      const m = await tab.page.evaluate(() => {
        document.documentElement.style.fontSize = '200%';
        const cams = [...document.querySelectorAll('.camera')] as HTMLElement[];
        cams.forEach((c) => (c.style.display = 'none'));
        const culprits = [...document.querySelectorAll('main *, header *, footer *, body > div *')]
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5 || e.getBoundingClientRect().left < -0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${(e as HTMLElement).className} (${Math.round(e.getBoundingClientRect().width)}px)`);
        const over = document.documentElement.scrollWidth - innerWidth;
        cams.forEach((c) => (c.style.display = ''));
        return { over, culprits, root: getComputedStyle(document.documentElement).fontSize };
      });
      if (m.root !== '32px') wide.push(`${step}: the root font size is ${m.root}, not 200 %`);
      if (m.over > 0) wide.push(`${step}: ${m.over}px too wide (${m.culprits.join(', ')})`);
    };
    const seen = await walk(tab, {
      docType: 'driving_license',
      files: { front: fx.cardFront, back: fx.cardBack, selfie: fx.selfie },
      onStep: async (step) => {
        await check(step);
        if (step === 'capture_front' || step === 'review' || step === 'id_number') await tab.shot(step);
      },
    });
    for (const step of ['test_mode', 'consent', 'document_type', 'tips', 'capture_front', 'review_front', 'capture_selfie', 'id_number', 'review'])
      assert.ok(seen.includes(step), `step ${step} never came: ${seen.join(' → ')}`);
    await finishProcessing(v);
    await tab.step('done', { timeout: 15_000 });
    await check('done');
    assert.deepEqual(wide, [], seen.join(' → '));
    await tab.close();
  });

  it('no token or client secret reaches the server log during these runs', () => {
    const hits = serverLog.filter((l) => /(test|live)_[A-Za-z0-9]{32}|_secret_(test|live)_[A-Za-z0-9]{24}/.test(l));
    assert.deepEqual(hits, []);
  });

  it('every screen here has one h1, a title of its own and no serious axe violations', () => {
    assert.ok(screens.length > 0, 'no screen was visited');
    assert.deepEqual(screenProblems(), []);
  });
});
