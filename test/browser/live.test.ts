// Live mode in a real browser: a person uploads a rendered passport and a selfie on the hosted page (as a
// file, the way a desktop user does), the worker runs the real engines, the page shows it was submitted, and the
// Stripe API reports it with the document's own data. The API-level suite (test/live) reaches every error
// code; this one proves the page's own capture and upload path feeds the engines what they need.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { randomSpec, renderDocument } from '../fixtures/documents.js';
import { documentPortrait, faceCrop } from '../fixtures/faces.js';
import { ocrbSkip } from '../fixtures/ocr-b.js';
import { SUITE_TIMEOUT_MS, Tab, browserSkip, launchBrowser } from './browser.js';
import { walk } from './flow.js';

const PERSON = 's3f0';
const OTHER = 's4f1';

describe('live verification through the hosted page in a real browser', { skip: browserSkip() || ocrbSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-live-page-'));
  before(async () => {
    [v, browser] = await Promise.all([startVerity(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await v?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, bytes: Buffer): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  /** A passport with PERSON's portrait and a selfie of `selfieOf`, uploaded through the page; the session after the worker ran. */
  async function submitThroughPage(flow: string, selfieOf: string) {
    const doc = await renderDocument({ ...randomSpec(7, 'passport'), portrait: await documentPortrait(PERSON) });
    const files = { front: file(`${flow}-front.jpg`, doc.front), selfie: file(`${flow}-selfie.jpg`, await faceCrop(selfieOf)) };
    const live = v.stripe(v.keys.live);
    const s = await live.identity.verificationSessions.create({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const tab = await Tab.open(browser, v, { flow });
    await tab.goto(s.url!);
    const steps = await walk(tab, { docType: 'passport', method: 'upload', files });
    assert.ok(!steps.includes('test_mode'), `a live session shows no test-mode panel: ${steps.join(' → ')}`);
    assert.equal(steps.at(-1), 'processing', `${steps.join(' → ')}\n${await tab.describe()}`);
    await v.runJobs();
    const after = await live.identity.verificationSessions.retrieve(s.id, { expand: ['verified_outputs', 'last_verification_report'] });
    return { doc, tab, after };
  }

  it('a passport and a matching selfie uploaded on the page end verified, with the names read from the MRZ', async () => {
    const { doc, tab, after } = await submitThroughPage('live-verified', PERSON);
    assert.equal(after.status, 'verified', show(after));
    assert.equal(after.verified_outputs?.first_name, doc.truth.first_name, show(after.verified_outputs));
    assert.equal(after.verified_outputs?.last_name, doc.truth.last_name, show(after.verified_outputs));
    const report = after.last_verification_report as Stripe.Identity.VerificationReport;
    assert.equal(report.document?.status, 'verified', show(report));
    assert.equal(report.selfie?.status, 'verified', show(report));
    await tab.step('done', { timeout: 20_000 });
    await tab.close();
  });

  it('a selfie of someone else ends requires_input with selfie_face_mismatch; the page says only that it was submitted', async () => {
    const { tab, after } = await submitThroughPage('live-mismatch', OTHER);
    assert.equal(after.status, 'requires_input', show(after));
    assert.equal(after.last_error?.code, 'selfie_face_mismatch', show(after));
    // As Stripe's page: the outcome is the business's to tell, so the page neither claims success nor leaks the reason.
    await tab.step('done', { timeout: 20_000 });
    const text = (await tab.page.locator('main').innerText()).toLowerCase();
    assert.match(text, /submitted/, await tab.describe());
    assert.doesNotMatch(text, /verified|success|match|face/, await tab.describe());
    await tab.close();
  });
});
