// The modal (verity.js) used from the integrator's page on another origin: it opens the flow in an iframe,
// the client secret travels by postMessage (never in a URL), a test outcome completed inside resolves the
// promise with the session id, focus stays in the dialog, and messages from other frames are ignored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { Tab, SUITE_TIMEOUT_MS, browserSkip, launchBrowser, screenProblems, screens } from './browser.js';
import { walk } from './flow.js';
import { type Host, modalPage, startHost } from './host.js';

/** The messages verity.js acts on (and a few plausible others), sent by frames that are not the modal's. */
const LOOKALIKE_TYPES = ['verity:complete', 'verity:close', 'verity:error', 'verity:escape', 'verity:loaded', 'verity:submitted', 'complete', 'close'];

describe('the modal from a page on another origin', { skip: browserSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  let host: Host;
  before(async () => {
    host = await startHost();
    [v, browser] = await Promise.all([
      startVerity({ config: { simulatedProcessingMs: 200, page: { ...loadConfig({}).page, frameOrigins: [host.origin] } } }),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await v?.close();
  });

  /** Opens the integrator's page, presses its button and returns the modal's frame. */
  async function open(flow?: string) {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document' });
    host.html = modalPage(v.url, s.client_secret!, v.keys.publishable);
    const tab = await Tab.open(browser, v, { origins: [host.origin], flow, viewport: 'desktop' });
    await tab.goto(`${host.origin}/`);
    await tab.page.locator('#open').click();
    let frame: Frame | null = null;
    try {
      const el = await tab.page.waitForSelector('iframe', { timeout: 10_000 });
      frame = await el.contentFrame();
    } catch {}
    assert.ok(frame, `no iframe appeared after verifyIdentity()\n${await tab.describe()}`);
    await tab.step('test_mode', { root: frame });
    return { s, tab, frame };
  }

  /** The promise's result once verifyIdentity settles. */
  async function result(tab: Tab): Promise<any> {
    try {
      await tab.page.waitForFunction(() => (window as any).__result !== undefined, null, { timeout: 10_000 });
    } catch {
      assert.fail(`verifyIdentity() did not settle\n${await tab.describe()}`);
    }
    return tab.page.evaluate(() => (window as any).__result);
  }

  it('completes a test outcome inside the iframe and resolves with the session id; the secret is never in a URL', async () => {
    const { s, tab, frame } = await open('modal');
    await tab.visit('test_mode', { root: frame });
    const attrs = await tab.page.evaluate(() => {
      const f = document.querySelector('iframe')!;
      const dialog = f.closest('[role=dialog]');
      return {
        title: f.getAttribute('title'),
        allow: f.getAttribute('allow'),
        dialog: !!dialog,
        modal: dialog?.getAttribute('aria-modal'),
        labelled: !!(dialog?.getAttribute('aria-label') || dialog?.getAttribute('aria-labelledby')),
      };
    });
    assert.ok(attrs.title && attrs.title.trim(), `the iframe has no title: ${show(attrs)}`);
    assert.match(attrs.allow ?? '', /camera/, show(attrs));
    assert.deepEqual([attrs.dialog, attrs.modal, attrs.labelled], [true, 'true', true], `the iframe is not inside a labelled role=dialog aria-modal=true: ${show(attrs)}`);
    await frame.getByRole('radio', { name: 'Verification success', exact: true }).check();
    await frame.getByRole('button', { name: 'Complete with test data', exact: true }).click();
    await tab.visit('done', { root: frame });
    if ((await tab.page.evaluate(() => (window as any).__result)) === undefined) {
      // Like Stripe's modal, the success screen may wait for the person to close it.
      await frame.getByRole('button', { name: /^(Done|Close)$/ }).first().click();
    }
    const r = await result(tab);
    assert.equal(r?.verificationSession?.id, s.id, show(r));
    assert.equal(r?.error, undefined, show(r));
    assert.equal((await v.stripe().identity.verificationSessions.retrieve(s.id)).status, 'verified');
    assert.deepEqual(
      tab.requests.filter((u) => u.includes(s.client_secret!)),
      [],
      'the client secret appeared in a URL',
    );
    await tab.assertClean([s.client_secret]);
    assert.equal(await tab.page.locator('iframe').count(), 0, `the overlay stayed after completion\n${await tab.describe()}`);
    await tab.close();
  });

  it('keeps keyboard focus inside the dialog, closes on Escape, resolves, and returns focus to the opener', async () => {
    const { s, tab } = await open();
    const outside: string[] = [];
    for (let i = 0; i < 25; i++) {
      await tab.page.keyboard.press('Tab');
      const where = await tab.page.evaluate(() => {
        const d = document.querySelector('[role=dialog]');
        const a = document.activeElement;
        return d && a && d.contains(a) ? null : `${a?.tagName}#${a?.id}`;
      });
      if (where) outside.push(where);
    }
    assert.deepEqual(outside, [], 'Tab left the dialog');
    await tab.page.keyboard.press('Escape');
    const r = await result(tab);
    // Like Stripe.js, closing resolves with the session; its status on the server says whether it was submitted.
    assert.equal(r?.verificationSession?.id, s.id, show(r));
    assert.equal(await tab.page.locator('iframe').count(), 0, await tab.describe());
    assert.equal(await tab.page.evaluate(() => document.activeElement?.id), 'open', 'focus did not return to the opener');
    assert.equal((await v.stripe().identity.verificationSessions.retrieve(s.id)).status, 'requires_input');
    await tab.close();
  });

  it('Escape after a photo was taken asks before leaving; declining keeps the modal and its photo', async () => {
    const { s, tab, frame } = await open();
    await walk(tab, { root: frame, docType: 'passport', method: 'camera', stopAt: 'review' });
    await frame.locator('h1').first().click();
    // The dialog is answered inside the listener: input actions wait while a confirm() is open.
    const answer = (accept: boolean) =>
      new Promise<string>((resolve) =>
        tab.page.once('dialog', (d) => {
          resolve(d.message());
          void (accept ? d.accept() : d.dismiss());
        }),
      );
    const first = answer(false);
    await tab.page.keyboard.press('Escape');
    assert.match(await first, /Leave identity verification/);
    assert.equal(await tab.page.locator('iframe').count(), 1, `the modal closed although leaving was declined\n${await tab.describe(frame)}`);
    assert.equal(await tab.page.evaluate(() => (window as any).__result), undefined);
    await tab.step('review', { root: frame });
    const second = answer(true);
    await tab.page.keyboard.press('Escape');
    await second;
    const r = await result(tab);
    assert.equal(r?.verificationSession?.id, s.id, show(r));
    assert.equal((await v.stripe().identity.verificationSessions.retrieve(s.id)).status, 'requires_input');
    await tab.close();
  });

  it('ignores Verity-looking messages from other frames and origins, then still completes', async () => {
    const { s, tab, frame } = await open();
    // From the integrator's own origin (a second frame and the page itself)…
    await tab.page.evaluate(
      ([id, types]) => {
        const f = document.createElement('iframe');
        f.src = `/lookalike?session=${id}`;
        f.title = 'other';
        document.body.append(f);
        for (const type of types) window.postMessage({ type, session: id, code: 'lookalike' }, '*');
      },
      ['vs_other', LOOKALIKE_TYPES] as const,
    );
    // …and from a Verity-origin frame that is not the modal's.
    await tab.page.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.title = 'second verity frame';
      f.id = 'second';
      document.body.append(f);
    }, `${v.url}/verify/embed?origin=${encodeURIComponent(host.origin)}`);
    const second = await (await tab.page.waitForSelector('#second')).contentFrame();
    await second!.waitForLoadState('domcontentloaded');
    await second!.evaluate(
      ([id, types]) => {
        for (const type of types) parent.postMessage({ type, session: id, code: 'lookalike' }, '*');
      },
      ['vs_other', LOOKALIKE_TYPES] as const,
    );
    await tab.page.waitForFunction(() => [...document.querySelectorAll('iframe')].some((f) => (f as HTMLIFrameElement).contentDocument?.title === 'sent'));
    // Messages are delivered as tasks; give the parent's listener a moment to (wrongly) react.
    await tab.page.waitForTimeout(300);
    assert.equal(await tab.page.evaluate(() => (window as any).__result), undefined, 'a look-alike message settled verifyIdentity()');
    assert.equal(frame.isDetached(), false, 'the modal frame went away');
    await frame.getByRole('radio', { name: 'Verification success', exact: true }).check();
    await frame.getByRole('button', { name: 'Complete with test data', exact: true }).click();
    await tab.step('done', { root: frame });
    if ((await tab.page.evaluate(() => (window as any).__result)) === undefined) await frame.getByRole('button', { name: /^(Done|Close)$/ }).first().click();
    const r = await result(tab);
    assert.equal(r?.verificationSession?.id, s.id, show(r));
    await tab.close();
  });

  it('the frame route lists only the configured origin in frame-ancestors', async () => {
    const res = await fetch(`${v.url}/verify/embed?origin=${encodeURIComponent(host.origin)}`);
    const h = res.headers.get('content-security-policy') ?? '';
    const fa = /frame-ancestors ([^;]*)/.exec(h)?.[1]?.trim();
    assert.equal(fa, host.origin, `CSP: ${h}`);
    assert.match(h, /default-src 'self'/, h);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  it('every modal screen has one h1, a title of its own and no serious axe violations', () => {
    assert.ok(screens.length > 0, 'no screen was visited');
    assert.deepEqual(screenProblems(), []);
  });
});
