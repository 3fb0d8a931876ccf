// The test-mode panel in a real browser: each of Stripe's four outcomes, chosen on the page, ends the
// session exactly as the test-helper endpoints do (status, report, last_error, events).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { Tab, SUITE_TIMEOUT_MS, browserSkip, launchBrowser, screenProblems, screens, tokenOf } from './browser.js';
import { eventTypes, finishProcessing, sessionWithReport } from './shared.js';

const OUTCOME = {
  verified: 'Verification success',
  unverified: 'Verification failure',
  verified_async: 'Success after processing',
  unverified_async: 'Failure after processing',
} as const;

describe('the test-mode panel of the hosted page', { skip: browserSkip(), timeout: SUITE_TIMEOUT_MS }, () => {
  let v: Verity;
  let browser: Browser;
  before(async () => {
    [v, browser] = await Promise.all([startVerity({ config: { simulatedProcessingMs: 200 } }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await v?.close();
  });

  /** Opens a new test session's url and completes it with an outcome from the panel. */
  async function complete(outcome: keyof typeof OUTCOME, flow: string | undefined, code?: string) {
    const s = await v.stripe().identity.verificationSessions.create({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const tab = await Tab.open(browser, v, { flow });
    await tab.goto(s.url!);
    await tab.visit('test_mode');
    assert.match((await tab.page.locator('[data-testmode-banner]').first().textContent()) ?? '', /Test mode/i, await tab.describe());
    const group = tab.page.getByRole('radiogroup', { name: 'Test outcome' });
    await group.getByRole('radio', { name: OUTCOME[outcome], exact: true }).check();
    if (code) await tab.page.getByLabel('Failure reason').selectOption(code);
    await tab.page.getByRole('button', { name: 'Complete with test data', exact: true }).click();
    return { s, tab };
  }

  it('"Verification success" verifies the session with a report and the created → processing → verified events', async () => {
    const { s, tab } = await complete('verified', 'testmode-verified');
    await tab.visit('done');
    const { s: after, report } = await sessionWithReport(v, s.id);
    assert.equal(after.status, 'verified', show(after));
    assert.equal(report?.document?.status, 'verified', show(report));
    assert.equal(report?.selfie?.status, 'verified', show(report));
    assert.deepEqual(await eventTypes(v, s.id), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
    ]);
    await tab.assertClean([tokenOf(s.url), s.client_secret]);
    await tab.close();
  });

  it('"Verification failure" with a chosen reason leaves requires_input with that last_error code', async () => {
    const { s, tab } = await complete('unverified', 'testmode-unverified', 'document_expired');
    await tab.visit('done');
    const { s: after, report } = await sessionWithReport(v, s.id);
    assert.equal(after.status, 'requires_input', show(after));
    assert.equal(after.last_error?.code, 'document_expired', show(after));
    assert.equal(report?.document?.status, 'unverified', show(report));
    assert.equal(report?.document?.error?.code, 'document_expired', show(report));
    assert.deepEqual(await eventTypes(v, s.id), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
    ]);
    await tab.close();
  });

  it('"Success after processing" shows processing, then the session is verified once the delay has passed', async () => {
    const { s, tab } = await complete('verified_async', 'testmode-verified-async');
    await tab.visit('processing');
    assert.equal((await v.stripe().identity.verificationSessions.retrieve(s.id)).status, 'processing');
    await finishProcessing(v);
    await tab.step('done', { timeout: 15_000 });
    const { s: after } = await sessionWithReport(v, s.id);
    assert.equal(after.status, 'verified', show(after));
    assert.deepEqual(await eventTypes(v, s.id), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
    ]);
    await tab.close();
  });

  it('"Failure after processing" shows processing, then the session needs input with the chosen code', async () => {
    const { s, tab } = await complete('unverified_async', undefined, 'selfie_face_mismatch');
    await tab.step('processing');
    assert.equal((await v.stripe().identity.verificationSessions.retrieve(s.id)).status, 'processing');
    await finishProcessing(v);
    await tab.step('done', { timeout: 15_000 });
    const { s: after, report } = await sessionWithReport(v, s.id);
    assert.equal(after.status, 'requires_input', show(after));
    assert.equal(after.last_error?.code, 'selfie_face_mismatch', show(after));
    assert.equal(report?.selfie?.status, 'unverified', show(report));
    assert.deepEqual(await eventTypes(v, s.id), [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
    ]);
    await tab.close();
  });

  it('a live session shows neither the test-mode banner nor the test panel', async () => {
    const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
    const tab = await Tab.open(browser, v, { flow: 'live' });
    await tab.goto(s.url!);
    await tab.visit('consent');
    assert.equal(await tab.page.locator('[data-testmode-banner]').count(), 0, await tab.describe());
    // (The page's string table may hold the panel's copy; what matters is that nothing of it is rendered.)
    assert.equal(await tab.page.getByRole('radiogroup', { name: 'Test outcome' }).count(), 0, await tab.describe());
    assert.equal(await tab.page.getByRole('button', { name: /Complete with test data|Preview the real flow/ }).count(), 0, await tab.describe());
    assert.doesNotMatch(await tab.page.locator('body').innerText(), /test mode|test data|Preview the real flow/i, await tab.describe());
    await tab.close();
  });

  it('every test-mode screen has one h1, a title of its own and no serious axe violations', () => {
    assert.ok(screens.length > 0, 'no screen was visited');
    assert.deepEqual(screenProblems(), []);
  });
});
