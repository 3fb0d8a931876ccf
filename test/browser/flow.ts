// Drives the hosted page through whatever steps the server asks for, the way a person would: by buttons'
// accessible names and labels (the DOM hooks in the contract are the fallback). The server decides the
// order (requirements.missing), so the walker reacts to main#app[data-step] instead of assuming a sequence.
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import type { Tab } from './browser.js';

export type DocType = 'driving_license' | 'id_card' | 'passport';
export type Side = 'front' | 'back' | 'selfie';

export const DOC_LABEL: Record<DocType, string> = { driving_license: 'Driving licence', id_card: 'Identity card', passport: 'Passport' };

export interface WalkPlan {
  root?: Page | Frame;
  docType?: DocType;
  /** How images are given: a file per side, or the (fake) camera's "Take photo". */
  method?: 'upload' | 'camera';
  files?: Partial<Record<Side, string>>;
  /** Stop (without acting) when this step is reached. */
  stopAt?: string | RegExp;
  /** Record each screen (axe, h1, title) and screenshot it. */
  visit?: boolean;
  /** How Submit is pressed. */
  submit?: 'click' | 'dblclick';
  /** Keys that press "Take photo" on successive camera captures (then clicks); proves Enter and Space work. */
  keys?: ('Enter' | 'Space')[];
  /** Called on every step before the walker acts on it. */
  onStep?: (step: string) => Promise<void> | void;
}

const FINAL = /^(processing|done|declined|error_.*|status_.*)$/;

/** Walks until processing/done (or plan.stopAt); returns the steps seen in order. */
export async function walk(tab: Tab, plan: WalkPlan): Promise<string[]> {
  const root = plan.root ?? tab.page;
  const seen: string[] = [];
  let step = await tab.step(/^(?!loading$).+/, { root });
  for (let guard = 0; guard < 40; guard++) {
    seen.push(step);
    if (plan.visit) await tab.visit(step, { root });
    await plan.onStep?.(step);
    if (plan.stopAt && (typeof plan.stopAt === 'string' ? step === plan.stopAt : plan.stopAt.test(step))) return seen;
    if (FINAL.test(step)) return seen;
    await act(tab, root, step, plan);
    step = await tab.leave(step, root, 15_000);
  }
  assert.fail(`the flow did not end after 40 steps: ${seen.join(' → ')}\n${await tab.describe(root)}`);
}

const button = (root: Page | Frame, name: string) => root.getByRole('button', { name, exact: true });

/** Does what a person does on this step. */
export async function act(tab: Tab, root: Page | Frame, step: string, plan: WalkPlan): Promise<void> {
  const m = /^(capture|review)_(front|back|selfie)$/.exec(step);
  if (step === 'test_mode') return button(root, 'Preview the real flow').click();
  if (step === 'consent') return button(root, 'Agree and continue').click();
  if (step === 'document_type') {
    await root.getByRole('radio', { name: new RegExp(`^${DOC_LABEL[plan.docType ?? 'driving_license']}`) }).check();
    return button(root, 'Continue').click();
  }
  if (step === 'tips' || step === 'selfie_tips') return button(root, 'Continue').click();
  if (m && m[1] === 'capture') return capture(tab, root, m[2] as Side, plan);
  if (m && m[1] === 'review') return button(root, 'Use this photo').click();
  if (step === 'id_number') return fillIdNumber(root);
  if (step === 'otp_email' || step === 'otp_phone') {
    await root.getByLabel('6-digit code').fill('000000');
    return button(root, 'Continue').click();
  }
  if (step === 'review') {
    const submit = button(root, 'Submit');
    return plan.submit === 'dblclick' ? submit.dblclick() : submit.click();
  }
  assert.fail(`the walker does not know step "${step}"\n${await tab.describe(root)}`);
}

/** Gives an image for one side: by the camera's "Take photo", or through the file input. */
export async function capture(tab: Tab, root: Page | Frame, side: Side, plan: WalkPlan): Promise<void> {
  if (plan.method === 'camera') {
    const take = button(root, 'Take photo');
    await take.waitFor({ state: 'visible' });
    // The button is enabled once the camera delivers frames.
    await root.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === 'Take photo');
      return b && !b.disabled && b.getAttribute('aria-disabled') !== 'true';
    });
    const key = plan.keys?.shift();
    if (!key) return take.click();
    await take.focus();
    return tab.page.keyboard.press(key);
  }
  const file = plan.files?.[side];
  assert.ok(file, `no file given for ${side}`);
  await upload(tab, root, side, file);
}

/** Sets a file on the side's input, first revealing it through "Upload a photo instead" when needed. */
export async function upload(tab: Tab, root: Page | Frame, side: Side, file: string): Promise<void> {
  const input = root.locator(`input[type=file][name=${side}]`);
  if ((await input.count()) === 0) {
    const instead = button(root, 'Upload a photo instead');
    if ((await instead.count()) > 0) await instead.click();
  }
  if ((await input.count()) === 0) assert.fail(`no input[type=file][name=${side}] on the capture step\n${await tab.describe(root)}`);
  await input.setInputFiles(file);
}

/** The ID-number step with the test person's details (format-valid US SSN). */
export async function fillIdNumber(root: Page | Frame, value = '000000000'): Promise<void> {
  await root.getByLabel('Social Security number').fill(value);
  for (const [label, v] of [
    ['First name', 'Jenny'],
    ['Last name', 'Rosen'],
  ] as const) {
    const f = root.getByLabel(label, { exact: true });
    if ((await f.count()) > 0) await f.fill(v);
  }
  for (const [label, v] of [
    ['Day', '1'],
    ['Month', '1'],
    ['Year', '1990'],
  ] as const) {
    const f = root.getByLabel(label, { exact: true });
    if ((await f.count()) === 0) continue;
    const tag = await f.evaluate((e) => e.tagName);
    if (tag === 'SELECT') await f.selectOption(v);
    else await f.fill(v);
  }
  await root.getByRole('button', { name: 'Continue', exact: true }).click();
}
