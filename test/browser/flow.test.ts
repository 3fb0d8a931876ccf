// "Walk the real flow" in a real browser: uploads and the fake camera, through every step the session's
// options ask for, then the session, report and events checked through the API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { PERMISSIONS, createKey } from '../../src/domain/keys.js';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { type FixtureName, fixtures } from '../fixtures/images.js';
import { Tab, SUITE_TIMEOUT_MS, browserSkip, launchBrowser, pageSession, screenProblems, screens, tokenOf } from './browser.js';
import { RECORD_STREAMS, TRACK_STATES } from './camera.js';
import { walk } from './flow.js';
import { type Host, startHost } from './host.js';
import { eventTypes, finishProcessing, sessionWithReport } from './shared.js';

describe('walking the real flow of the hosted page', { skip: browserSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  let host: Host;
  let f: Record<FixtureName, string>;
  before(async () => {
    [v, browser, host, f] = await Promise.all([startVerity({ config: { simulatedProcessingMs: 200 } }), launchBrowser(), startHost(), fixtures()]);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await v?.close();
  });

  /** After Submit: processing until the simulated delay passes, then the submitted screen. */
  async function finish(tab: Tab, last: string) {
    assert.match(last, /^(processing|done)$/, await tab.describe());
    await finishProcessing(v);
    await tab.step('done', { timeout: 15_000 });
  }

  /** Downloads a stored file through a file link, as an integrator would (a key allowed to see identity files). */
  async function download(fileId: string): Promise<Buffer> {
    const { key } = await createKey(v.deps.store, {
      kind: 'restricted',
      livemode: false,
      permissions: [PERMISSIONS.filesWrite, PERMISSIONS.sensitiveRecent],
      now: Math.floor(v.clock.nowMs() / 1000),
    });
    // Identity files may only be linked for 30 seconds (Stripe's rule), by the server's clock.
    const link = await v.stripe(key).fileLinks.create({ file: fileId, expires_at: Math.floor(v.clock.nowMs() / 1000) + 25 });
    const res = await fetch(link.url!);
    assert.equal(res.status, 200, `file link download ${link.url}: ${res.status} ${await res.clone().text()}`);
    return Buffer.from(await res.arrayBuffer());
  }

  it('a driving licence with a selfie and an ID number, all uploaded, is verified and the report names the uploaded files', async () => {
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_matching_selfie: true, require_id_number: true } },
    });
    const tab = await Tab.open(browser, v, { flow: 'licence' });
    const noBanner: string[] = [];
    await tab.goto(s.url!);
    const seen = await walk(tab, {
      docType: 'driving_license',
      files: { front: f.cardFront, back: f.cardBack, selfie: f.selfie },
      visit: true,
      onStep: async (step) => {
        if ((await tab.page.locator('[data-testmode-banner]').count()) === 0) noBanner.push(step);
      },
    });
    for (const step of ['test_mode', 'consent', 'document_type', 'capture_front', 'review_front', 'capture_back', 'review_back', 'capture_selfie', 'review_selfie', 'id_number', 'review'])
      assert.ok(seen.includes(step), `step ${step} never came: ${seen.join(' → ')}`);
    assert.deepEqual(noBanner, [], `screens without the "Test mode" banner (${seen.join(' → ')})`);
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    await finish(tab, seen[seen.length - 1]);
    await tab.visit('done');
    const { s: done, report } = await sessionWithReport(v, s.id);
    assert.equal(done.status, 'verified', show(done));
    assert.ok(collected?.front?.file && collected?.back?.file && collected?.selfie?.file, `collected: ${show(collected)}`);
    assert.deepEqual(report?.document?.files, [collected.front.file, collected.back.file], show({ report, collected }));
    assert.equal(report?.selfie?.document, collected.front.file, show(report));
    assert.equal(report?.selfie?.selfie, collected.selfie.file, show(report));
    assert.equal(report?.id_number?.status, 'verified', show(report));
    const files = await Promise.all([collected.front.file, collected.selfie.file].map((id: string) => v.stripe().files.retrieve(id)));
    assert.deepEqual(
      files.map((x) => [x.purpose, x.type]),
      [
        ['identity_document_downloadable', 'jpg'],
        ['selfie', 'jpg'],
      ],
      show(files),
    );
    assert.deepEqual(await eventTypes(v, s.id), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
    ]);
    await tab.assertClean([tokenOf(s.url), s.client_secret, '000000000', 'Jenny']);
    await tab.close();
  });

  it('a passport-only session skips the type choice and takes a single image', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { viewport: 'desktop' });
    await tab.goto(s.url!);
    const seen = await walk(tab, { files: { front: f.passport }, visit: true });
    assert.ok(!seen.includes('document_type'), `the type choice came: ${seen.join(' → ')}`);
    assert.ok(!seen.some((x) => x.endsWith('_back')), `a back side was asked for: ${seen.join(' → ')}`);
    await finish(tab, seen[seen.length - 1]);
    const { s: done, report } = await sessionWithReport(v, s.id);
    assert.equal(done.status, 'verified', show(done));
    assert.equal(report?.document?.files?.length, 1, show(report));
    await tab.close();
  });

  it('an identity card from a PNG and an EXIF-rotated JPEG is stored as upright JPEGs without EXIF, at most 2160 px', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['id_card', 'passport'] } } });
    const tab = await Tab.open(browser, v);
    await tab.goto(s.url!);
    let offered: string[] = [];
    await walk(tab, {
      docType: 'id_card',
      files: { front: f.cardFrontPng, back: f.rotatedExif },
      stopAt: 'review',
      onStep: async (step) => {
        if (step === 'document_type')
          offered = await tab.page.getByRole('radio').evaluateAll((rs) => rs.map((r) => (r as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? r.getAttribute('aria-label') ?? ''));
      },
    });
    assert.deepEqual(
      offered.map((l) => (/^Identity card/.test(l) ? 'id_card' : /^Passport/.test(l) ? 'passport' : l)),
      ['id_card', 'passport'],
      `the type choice must offer exactly the allowed types: ${show(offered)}`,
    );
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    assert.ok(collected?.front?.file && collected?.back?.file, `collected: ${show(collected)}`);
    for (const side of ['front', 'back'] as const) {
      const bytes = await download(collected[side].file);
      const m = await sharp(bytes).metadata();
      assert.equal(m.format, 'jpeg', `${side}: ${show(m)}`);
      assert.ok(Math.max(m.width!, m.height!) <= 2160, `${side}: ${m.width}×${m.height}`);
      assert.ok(m.width! > m.height!, `${side} is not upright (landscape card): ${m.width}×${m.height}, orientation ${m.orientation}`);
      assert.ok(!m.orientation || m.orientation === 1, `${side} still carries orientation ${m.orientation}`);
      assert.ok(!m.exif || m.exif.indexOf(Buffer.from([0x25, 0x88])) < 0, `${side} still carries a GPS EXIF block`);
    }
    await tab.close();
  });

  it('the fake camera path: "Take photo" on each capture screen, a muted inline preview, and every camera track stopped afterwards', async () => {
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport'], require_matching_selfie: true } },
    });
    const tab = await Tab.open(browser, v, { flow: 'camera', initScript: RECORD_STREAMS });
    const problems: string[] = [];
    await tab.goto(s.url!);
    const seen = await walk(tab, {
      method: 'camera',
      keys: ['Enter', 'Space'],
      visit: true,
      onStep: async (step) => {
        if (/^review_/.test(step)) {
          const alts = await tab.page.locator('main#app img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt') ?? ''));
          if (!alts.some((a) => a.trim())) problems.push(`${step}: the captured image has no alt text (${JSON.stringify(alts)})`);
          for (const name of ['Retake', 'Use this photo'])
            if ((await tab.page.getByRole('button', { name, exact: true }).count()) !== 1) problems.push(`${step}: no "${name}" button`);
          // "Try again" belongs to a failed upload only; on a fresh capture it would be a third, meaningless choice.
          const shown = await tab.page.locator('main#app .actions button').evaluateAll((bs) => bs.filter((b) => (b as HTMLElement).checkVisibility()).map((b) => b.textContent?.trim()));
          if (JSON.stringify([...shown].sort()) !== JSON.stringify(['Retake', 'Use this photo'])) problems.push(`${step}: the review offers ${JSON.stringify(shown)}`);
        }
        if (step.startsWith('capture_')) {
          const ok = await tab.page.evaluate(() => {
            const vid = document.querySelector('main#app video');
            return {
              video: !!vid,
              playsinline: vid?.hasAttribute('playsinline') ?? false,
              muted: vid ? (vid as HTMLVideoElement).muted || vid.hasAttribute('muted') : false,
              status: document.querySelectorAll('[role=status]').length,
            };
          });
          if (!ok.video || !ok.playsinline || !ok.muted) problems.push(`${step}: preview ${show(ok)}`);
          if (ok.status < 1) problems.push(`${step}: no role=status region for capture feedback`);
          if (step === 'capture_selfie') {
            // A mirrored preview (what people expect of a front camera) under an oval guide.
            const mirrored = await tab.page.evaluate(() => {
              let e: Element | null = document.querySelector('main#app video');
              for (; e && e.tagName !== 'MAIN'; e = e.parentElement) if (/matrix\(-1|scaleX\(-1\)|rotateY\(180/.test(getComputedStyle(e).transform)) return true;
              return false;
            });
            if (!mirrored) problems.push('capture_selfie: the preview is not mirrored');
          }
        }
        if (step.startsWith('review_') || step === 'review' || step === 'processing' || step === 'done') {
          const states = (await tab.page.evaluate(TRACK_STATES)) as string[];
          if (states.includes('live')) problems.push(`${step}: camera tracks still live: ${states.join(',')}`);
        }
      },
    });
    assert.ok(seen.includes('capture_front') && seen.includes('capture_selfie'), seen.join(' → '));
    const constraints = (await tab.page.evaluate('window.__constraints')) as string[];
    assert.ok(constraints.some((c) => c.includes('user')), `the selfie did not ask for the front camera: ${constraints.join(' | ')}`);
    await finish(tab, seen[seen.length - 1]);
    const states = (await tab.page.evaluate(TRACK_STATES)) as string[];
    if (states.includes('live')) problems.push(`done: camera tracks still live: ${states.join(',')}`);
    assert.deepEqual(problems, []);
    const { s: done, report } = await sessionWithReport(v, s.id);
    assert.equal(done.status, 'verified', show(done));
    assert.equal(report?.document?.files?.length, 1, show(report));
    assert.ok(report?.selfie?.selfie, show(report));
    const collected = (await pageSession(v, tokenOf(s.url))).body?.collected;
    assert.equal(collected?.front?.upload_method === 'file_upload', false, `camera capture recorded as ${show(collected)}`);
    await tab.close();
  });

  it('a live session walked to the end says its information was submitted, never the verdict', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v, { flow: 'live-flow' });
    await tab.goto(s.url!);
    const seen = await walk(tab, { files: { front: f.passport }, visit: true });
    assert.ok(!seen.includes('test_mode'), seen.join(' → '));
    await finish(tab, seen[seen.length - 1]);
    await tab.visit('done');
    const after = await v.stripe(v.keys.live).identity.verificationSessions.retrieve(s.id);
    assert.notEqual(after.status, 'processing', show(after));
    const text = await tab.page.locator('main#app').innerText();
    assert.doesNotMatch(text, /\bverified\b|not verified|test result|unverified|failed/i, `the live result screen shows a verdict:\n${text}`);
    await tab.close();
  });

  it('double-clicking Submit moves the session to processing only once', async () => {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { allowed_types: ['passport'] } } });
    const tab = await Tab.open(browser, v);
    await tab.goto(s.url!);
    const seen = await walk(tab, { files: { front: f.passport }, submit: 'dblclick' });
    await finish(tab, seen[seen.length - 1]);
    const submits = tab.api.filter((c) => c.path === '/verify/api/submit');
    assert.ok(submits.every((c) => c.status < 400), `a submit failed: ${show(submits)}`);
    const types = await eventTypes(v, s.id);
    assert.equal(types.filter((t) => t === 'identity.verification_session.processing').length, 1, types.join('\n'));
    await tab.close();
  });

  it('with a return_url the final button goes to exactly that URL, with nothing added', async () => {
    const returnUrl = `${host.origin}/return?order=42&note=a%20b`;
    const s = await v.stripe().identity.verificationSessions.create({
      type: 'document',
      return_url: returnUrl,
      options: { document: { allowed_types: ['passport'] } },
    });
    const tab = await Tab.open(browser, v, { origins: [host.origin] });
    await tab.goto(s.url!);
    const seen = await walk(tab, { files: { front: f.passport } });
    await finish(tab, seen[seen.length - 1]);
    const back = tab.page.getByRole('link', { name: /^Return to / }).or(tab.page.getByRole('button', { name: /^Return to / }));
    await back.first().click();
    await tab.page.waitForURL((u) => u.origin === host.origin);
    assert.equal(tab.page.url(), returnUrl);
    await tab.close();
  });

  it('every screen of the real flow has one h1, a title of its own and no serious axe violations', () => {
    assert.ok(screens.length > 0, 'no screen was visited');
    assert.deepEqual(screenProblems(), []);
  });
});
