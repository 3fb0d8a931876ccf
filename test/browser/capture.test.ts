// Capture edges in a real browser: bad files get an inline message tied to the input and nothing is
// stored; require_live_capture leaves no file input anywhere; a blocked or missing camera gets its own
// recovery screen.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { type FixtureName, fixtures, stillVideo } from '../fixtures/images.js';
import { Tab, SUITE_TIMEOUT_MS, browserSkip, launchBrowser, pageSession, screenProblems, screens, tokenOf } from './browser.js';
import { NO_CAMERA } from './camera.js';
import { upload, walk } from './flow.js';
import { eventTypes } from './shared.js';

/** The message each bad file must produce (English copy). */
const BAD: [FixtureName, RegExp][] = [
  ['notImage', /file type isn.t supported/i],
  ['tooLarge', /larger than 10 MB/i],
  ['truncated', /couldn.t read this image/i],
  ['tooSmall', /too small/i],
];

describe('capturing images on the hosted page', { skip: browserSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  let f: Record<FixtureName, string>;
  before(async () => {
    [v, browser, f] = await Promise.all([startVerity({ config: { simulatedProcessingMs: 200 } }), launchBrowser(), fixtures()]);
  });
  after(async () => {
    await browser?.close();
    await v?.close();
  });

  for (const [name, message] of BAD) {
    it(`a bad upload (${name}) shows an inline message linked to the input and stores nothing`, async () => {
      const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
      const tab = await Tab.open(browser, v, { flow: name === 'notImage' ? 'bad-upload' : undefined });
      await tab.goto(s.url!);
      await walk(tab, { stopAt: 'capture_front' });
      await upload(tab, tab.page, 'front', f[name]);
      try {
        await tab.page.waitForFunction((src) => new RegExp(src, 'i').test(document.querySelector('main#app')?.textContent ?? ''), message.source, { timeout: 10_000 });
      } catch {
        assert.fail(`no message matching ${message} after uploading ${name}\n${await tab.describe()}`);
      }
      const link = await tab.page.evaluate((src) => {
        const input = document.querySelector('input[type=file][name=front]');
        const ids = (input?.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        return {
          input: !!input,
          invalid: input?.getAttribute('aria-invalid'),
          described: ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | '),
          matches: ids.some((id) => new RegExp(src, 'i').test(document.getElementById(id)?.textContent ?? '')),
        };
      }, message.source);
      assert.ok(link.matches, `the message is not linked to the input through aria-describedby: ${show(link)}\n${await tab.describe()}`);
      await tab.visit(await tab.current());
      const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
      assert.equal(collected?.front ?? null, null, `something was stored: ${show(collected)}`);
      assert.ok(!tab.api.some((c) => c.status >= 500), `a 5xx came back: ${show(tab.api)}`);
      await tab.close();
    });
  }

  it('with require_live_capture no step has a file input and the server refuses file uploads', async () => {
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport'], require_live_capture: true, require_matching_selfie: true } },
    });
    const tab = await Tab.open(browser, v, { flow: 'live-capture' });
    await tab.goto(s.url!);
    const withInput: string[] = [];
    const seen = await walk(tab, {
      method: 'camera',
      stopAt: 'review',
      onStep: async (step) => {
        const n = await tab.page.locator('input[type=file]').count();
        const upl = await tab.page.getByRole('button', { name: 'Upload a photo instead' }).count();
        if (n + upl > 0) withInput.push(`${step}: ${n} file inputs, ${upl} upload buttons`);
      },
    });
    assert.deepEqual(withInput, [], seen.join(' → '));
    const form = new FormData();
    form.set('side', 'front');
    form.set('upload_method', 'file_upload');
    form.set('file', new Blob([fs.readFileSync(f.passport)], { type: 'image/jpeg' }), 'passport.jpg');
    const res = await fetch(`${v.url}/verify/api/images`, { method: 'POST', body: form, headers: { authorization: `Bearer ${tokenOf(s.url)}` } });
    const body = await res.text();
    assert.equal(res.status, 403, body);
    assert.match(body, /upload_not_allowed/, body);
    await tab.close();
  });

  it('a blocked camera gets the "camera access is blocked" screen with Try again and an upload option that works', async () => {
    const prompting = await launchBrowser({ camera: 'prompt' });
    try {
      const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
      const tab = await Tab.open(prompting, v, { flow: 'camera-denied' });
      await tab.goto(s.url!);
      await walk(tab, { stopAt: /^(capture_front|error_.*)$/ });
      const step = await tab.step(/^error_camera_denied$/);
      await tab.visit(step);
      assert.equal(await tab.page.getByRole('heading', { level: 1, name: 'Camera access is blocked' }).count(), 1, await tab.describe());
      assert.equal(await tab.page.getByRole('button', { name: 'Try again', exact: true }).count(), 1, await tab.describe());
      await upload(tab, tab.page, 'front', f.passport);
      await tab.step('review_front');
      await tab.close();
    } finally {
      await prompting.close();
    }
  });

  it('no camera on the device gets the "no camera found" screen offering upload', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { flow: 'no-camera', initScript: NO_CAMERA });
    await tab.goto(s.url!);
    await walk(tab, { stopAt: /^(capture_front|error_.*)$/ });
    await tab.visit(await tab.step(/^error_no_camera$/));
    assert.equal(await tab.page.getByRole('heading', { level: 1, name: 'No camera found' }).count(), 1, await tab.describe());
    await upload(tab, tab.page, 'front', f.passport);
    await tab.step('review_front');
    await tab.close();
  });

  it('no camera when live capture is required ends the attempt with device_not_supported', async () => {
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport'], require_live_capture: true } },
    });
    const tab = await Tab.open(browser, v, { flow: 'no-camera-live', initScript: NO_CAMERA });
    await tab.goto(s.url!);
    await walk(tab, { stopAt: /^(capture_front|error_.*)$/ });
    await tab.visit(await tab.step(/^error_(no_camera|device)$/));
    assert.equal(await tab.page.locator('input[type=file]').count(), 0, await tab.describe());
    // The page reports it by itself or through a button such as "I can't use a camera".
    const reported = () => tab.api.some((c) => c.path === '/verify/api/device_not_supported');
    if (!reported()) {
      const posted = tab.page.waitForResponse((r) => r.url().endsWith('/verify/api/device_not_supported'), { timeout: 10_000 }).catch(() => null);
      const exit = tab.page.getByRole('button', { name: /can.t use a camera/i });
      if ((await exit.count()) > 0) await exit.first().click();
      await posted;
    }
    const after = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(after.status, 'requires_input', show(after));
    assert.equal(after.last_error?.code, 'device_not_supported', `${show(after)}\n${await tab.describe()}`);
    assert.ok(!(await eventTypes(v, s.id)).includes('identity.verification_session.processing'));
    await tab.close();
  });

  it('going offline before "Use this photo" keeps the photo with a retryable message, and it is sent once back online', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { flow: 'offline-upload' });
    await tab.goto(s.url!);
    await walk(tab, { stopAt: 'capture_front' });
    await tab.context.setOffline(true);
    await upload(tab, tab.page, 'front', f.passport);
    await tab.step('review_front');
    await tab.page.getByRole('button', { name: 'Use this photo', exact: true }).click();
    try {
      await tab.page.waitForFunction(() => /connection lost/i.test(document.querySelector('main#app')?.textContent ?? ''), null, { timeout: 10_000 });
    } catch {
      assert.fail(`no "connection lost" message while offline\n${await tab.describe()}`);
    }
    // Non-destructive: still on the review, the photo still shown, a way to retry and none to lose it.
    assert.equal(await tab.current(), 'review_front', await tab.describe());
    const kept = await tab.page.evaluate(() => {
      const img = document.querySelector('main#app img.shot') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    assert.ok(kept, `the photo is no longer shown while offline\n${await tab.describe()}`);
    assert.ok(await tab.page.getByRole('button', { name: 'Try again', exact: true }).isVisible(), `no visible Try again while offline\n${await tab.describe()}`);
    assert.equal((await pageSession(v, tokenOf(s.url))).body?.collected?.front ?? null, null, 'something was stored while offline');
    await tab.visit('review_front', { axe: false });
    // Back online, the page sends the kept photo by itself: no recapture, no click.
    await tab.context.setOffline(false);
    const next = await tab.leave('review_front', tab.page, 15_000);
    assert.equal(next, 'review', await tab.describe());
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    assert.ok(collected?.front?.file, `the front never reached the server: ${show(collected)}\n${await tab.describe()}`);
    const posts = tab.api.filter((c) => c.path === '/verify/api/images');
    assert.deepEqual(posts.map((c) => c.status), [200], `image uploads: ${show(posts)}`);
    await tab.close();
  });

  it('a document held still in front of the camera is captured automatically, without pressing Take photo', async () => {
    const steady = await launchBrowser({ fakeVideo: await stillVideo() });
    try {
      const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
      const tab = await Tab.open(steady, v, { flow: 'auto-capture' });
      await tab.goto(s.url!);
      await walk(tab, { stopAt: 'capture_front' });
      await tab.step('review_front', { timeout: 8_000 });
      await tab.page.getByRole('button', { name: 'Use this photo', exact: true }).click();
      await tab.leave('review_front');
      const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
      assert.equal(collected?.front?.upload_method, 'auto_capture', `${show(collected)}\n${await tab.describe()}`);
      await tab.close();
    } finally {
      await steady.close();
    }
  });

  it('when auto-capture times out the step offers Try again, Take photo and upload, and Try again restarts the wait', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { flow: 'capture-timeout' });
    // A test-mode link may shorten the 10 s deadline; the fake camera's moving pattern never holds still.
    await tab.goto(`${s.url}?capture_timeout_ms=1500`);
    await walk(tab, { stopAt: 'capture_front' });
    const tryAgain = tab.page.getByRole('button', { name: 'Try again', exact: true });
    const timedOut = async () => {
      try {
        await tab.page.waitForFunction(() => /couldn.t take the photo automatically/i.test(document.querySelector('main#app [role=status]')?.textContent ?? ''), null, { timeout: 10_000 });
        await tryAgain.waitFor({ state: 'visible', timeout: 5_000 });
      } catch {
        assert.fail(`the "couldn't take the photo automatically" state did not come\n${await tab.describe()}`);
      }
    };
    await timedOut();
    await tab.visit('capture_front');
    assert.equal(await tab.current(), 'capture_front', await tab.describe());
    for (const name of ['Take photo', 'Upload a photo instead'])
      assert.ok(await tab.page.getByRole('button', { name, exact: true }).isVisible(), `no visible "${name}" in the timed-out state\n${await tab.describe()}`);
    const during = await v.stripe().identity.verificationSessions.retrieve(s.id);
    assert.equal(during.status, 'requires_input', show(during));
    assert.equal(during.last_error, null, show(during));
    const clicked = Date.now();
    await tryAgain.click();
    assert.ok(await tryAgain.isHidden(), `Try again is still shown after pressing it\n${await tab.describe()}`);
    await timedOut();
    const waited = Date.now() - clicked;
    assert.ok(waited >= 1400, `the deadline was not restarted: the state came back after ${waited} ms`);
    // The manual shutter still works from here.
    await tab.page.getByRole('button', { name: 'Take photo', exact: true }).click();
    await tab.step('review_front');
    await tab.page.getByRole('button', { name: 'Use this photo', exact: true }).click();
    await tab.leave('review_front');
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    assert.equal(collected?.front?.upload_method, 'manual_capture', show(collected));
    await tab.close();
  });

  it('the selfie step, which never captures by itself, offers Try again once its deadline passes', async () => {
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport'], require_matching_selfie: true } },
    });
    const tab = await Tab.open(browser, v);
    await tab.goto(`${s.url}?capture_timeout_ms=1500`);
    await walk(tab, { files: { front: f.passport }, stopAt: 'capture_selfie' });
    try {
      await tab.page.waitForFunction(() => /take photo when you.re ready/i.test(document.querySelector('main#app [role=status]')?.textContent ?? ''), null, { timeout: 10_000 });
      await tab.page.getByRole('button', { name: 'Try again', exact: true }).waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      assert.fail(`the selfie step never offered Try again after its deadline\n${await tab.describe()}`);
    }
    assert.equal(await tab.current(), 'capture_selfie', await tab.describe());
    assert.ok(await tab.page.getByRole('button', { name: 'Take photo', exact: true }).isEnabled(), await tab.describe());
    await tab.close();
  });

  it('capture feedback lives in one status region whose text changes at most every 1.5 s, even when messages come faster', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    // Records every text the status regions show, with the time; installed before the page's own script.
    const tab = await Tab.open(browser, v, {
      initScript: `(() => {
        window.__status = [];
        const last = new WeakMap();
        new MutationObserver(() => {
          for (const el of document.querySelectorAll('main#app [role=status]')) {
            const text = el.textContent;
            if (last.get(el) === text) continue;
            last.set(el, text);
            window.__status.push({ at: performance.now(), step: document.querySelector('main#app').dataset.step, text });
          }
        }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      })();`,
    });
    // A 500 ms deadline and a quick Try again each time: the page wants to speak far more often than 1.5 s.
    await tab.goto(`${s.url}?capture_timeout_ms=500`);
    await walk(tab, { stopAt: 'capture_front' });
    const regions = await tab.page.locator('main#app [role=status]').count();
    assert.equal(regions, 1, `the capture step has ${regions} status regions\n${await tab.describe()}`);
    const tryAgain = tab.page.getByRole('button', { name: 'Try again', exact: true });
    const end = Date.now() + 6_000;
    while (Date.now() < end) {
      if (await tryAgain.isVisible()) await tryAgain.click();
      await tab.page.waitForTimeout(150);
    }
    assert.equal(await tab.current(), 'capture_front', await tab.describe());
    const log = ((await tab.page.evaluate('window.__status')) as { at: number; step: string; text: string }[]).filter((e) => e.step === 'capture_front' && e.text);
    assert.ok(log.length >= 3, `the status region hardly spoke: ${show(log)}`);
    const gaps = log.slice(1).map((e, i) => Math.round(e.at - log[i]!.at));
    assert.ok(Math.min(...gaps) >= 1400, `the status text changed faster than every 1.5 s (gaps ${gaps.join(', ')} ms):\n${log.map((e) => `${Math.round(e.at)} ${e.text}`).join('\n')}`);
    await tab.close();
  });

  it('browser Back from the back-side capture returns to an earlier step and keeps the saved front', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['driving_license', 'passport'] } } });
    const tab = await Tab.open(browser, v);
    await tab.goto(s.url!);
    await walk(tab, { docType: 'driving_license', files: { front: f.cardFront }, stopAt: 'capture_back' });
    await tab.page.goBack();
    const step = await tab.leave('capture_back');
    assert.match(step, /^(review_front|capture_front|tips|document_type)$/, await tab.describe());
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    assert.ok(collected?.front?.file, `the front was lost: ${show(collected)}`);
    const seen = await walk(tab, { docType: 'driving_license', files: { front: f.cardFront, back: f.cardBack }, stopAt: 'review' });
    assert.equal(seen[seen.length - 1], 'review', seen.join(' → '));
    await tab.close();
  });

  it('every capture screen here has one h1, a title of its own and no serious axe violations', () => {
    assert.ok(screens.length > 0, 'no screen was visited');
    assert.deepEqual(screenProblems(), []);
  });
});
