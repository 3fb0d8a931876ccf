// Real-browser plumbing for the hosted page's end-to-end suites: Debian's Chromium driven by playwright-core
// (never a downloaded browser), one browser per test file and one context ("Tab") per test. A Tab records
// every request (to prove the page talks to no other origin), the console (to prove no token or PII is
// logged), the page API's answers (so a failure shows what the server said), and writes screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Frame, type Page, chromium } from 'playwright-core';
import { createLogger } from '../../src/log.js';
import type { Verity } from '../harness.js';

export const CHROMIUM_PATH = process.env.VERITY_CHROMIUM || '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-output/screenshots');
const AXE_SOURCE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium; CI installs it in .ci/run)`;

/**
 * The skip reason for describe(…, { skip }) when there is no Chromium; false when there is one. In CI a
 * missing browser is a failure, not a skip.
 */
export function browserSkip(): string | false {
  if (fs.existsSync(CHROMIUM_PATH)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM_MISSING}: with CI set the browser suites must run`);
  return `${CHROMIUM_MISSING}: the browser suites are skipped`;
}

/** A hung browser fails its file after this long instead of stalling the whole run. */
export const SUITE_TIMEOUT_MS = 300_000;

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
  narrow: { width: 320, height: 568 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
];

/**
 * camera 'granted': a fake camera the page may always use. 'prompt': the same fake camera, but access is
 * only granted to contexts opened with permissions: ['camera'] — a context without it sees NotAllowedError,
 * as after a person blocks the camera.
 */
export async function launchBrowser(opts: { camera?: 'granted' | 'prompt'; fakeVideo?: string } = {}): Promise<Browser> {
  const args = [...BASE_ARGS];
  if ((opts.camera ?? 'granted') === 'granted') args.push('--use-fake-ui-for-media-stream');
  if (opts.fakeVideo) args.push(`--use-file-for-fake-video-capture=${opts.fakeVideo}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args, timeout: 30_000 });
}

export interface ApiCall {
  method: string;
  path: string;
  status: number;
  body: string;
}

export interface ScreenRecord {
  flow: string;
  /** 1 for the first screen a tab recorded (focus starts on the document there, not on the h1). */
  nth: number;
  step: string;
  title: string;
  lang: string;
  h1: string[];
  focusedH1: boolean;
  axe: string[];
  overflowX: number;
}

export interface TabOptions {
  viewport?: ViewportName;
  locale?: string;
  reducedMotion?: 'reduce' | 'no-preference';
  permissions?: string[];
  /** Names the screenshots of this tab's flow; no screenshots without it. */
  flow?: string;
  /** Origins besides Verity's that the page may load from (the modal's host page). */
  origins?: string[];
  /** Script run in every frame before the page's own (to instrument getUserMedia, …). */
  initScript?: string;
}

/** Collects every screen a test visited, for the accessibility assertions at the end of a file. */
export const screens: ScreenRecord[] = [];

let axeSource: string | undefined;
// axe takes about a second per screen on a busy 2-core runner: each step (per language and frame kind) is
// checked once per test file, which still covers every screen the suite reaches.
const axeChecked = new Set<string>();

/** One browser context with its logs. */
export class Tab {
  readonly requests: string[] = [];
  readonly consoleLines: string[] = [];
  readonly api: ApiCall[] = [];
  private pending: Promise<unknown>[] = [];
  private shotCount = 0;
  private visits = 0;
  private constructor(
    readonly v: Verity,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly opts: TabOptions,
  ) {}

  static async open(browser: Browser, v: Verity, opts: TabOptions = {}): Promise<Tab> {
    const context = await browser.newContext({
      viewport: VIEWPORTS[opts.viewport ?? 'phone'],
      locale: opts.locale ?? 'en-US',
      reducedMotion: opts.reducedMotion ?? 'no-preference',
      permissions: opts.permissions,
    });
    if (opts.initScript) await context.addInitScript(opts.initScript);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const tab = new Tab(v, context, page, opts);
    context.on('request', (r) => tab.requests.push(r.url()));
    context.on('response', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/verify/api/')) return;
      const call: ApiCall = { method: r.request().method(), path: u.pathname, status: r.status(), body: '' };
      tab.api.push(call);
      tab.pending.push(
        r.text().then(
          (t) => (call.body = t.slice(0, 4000)),
          () => {},
        ),
      );
    });
    page.on('console', (m) => tab.consoleLines.push(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => tab.consoleLines.push(`[pageerror] ${e.stack ?? e.message}`));
    return tab;
  }

  async goto(url: string) {
    return this.page.goto(url, { waitUntil: 'domcontentloaded' });
  }

  /** Requests to any origin other than Verity's (and the allowed host origins). */
  foreignRequests(): string[] {
    const ok = new Set([new URL(this.v.url).origin, ...(this.opts.origins ?? [])]);
    return this.requests.filter((u) => /^(https?|wss?):/.test(u) && !ok.has(new URL(u).origin));
  }

  /** The page reached no other origin, and its console never held one of these secrets. */
  async assertClean(secrets: (string | null | undefined)[]): Promise<void> {
    assert.deepEqual(this.foreignRequests(), [], `requests to other origins:\n${this.foreignRequests().join('\n')}`);
    for (const s of secrets) {
      if (!s) continue;
      const hit = this.consoleLines.filter((l) => l.includes(s));
      assert.deepEqual(hit, [], `the browser console holds a secret or personal value (${s.slice(0, 6)}…):\n${hit.join('\n')}`);
    }
    const images = this.consoleLines.filter((l) => /data:image\/|\/9j\/4AAQ|iVBORw0KGgo/.test(l));
    assert.deepEqual(images, [], `the browser console holds image data:\n${images.join('\n').slice(0, 2000)}`);
  }

  /** Everything a failure message needs to say where the page was and what the server answered. */
  async describe(root: Page | Frame = this.page): Promise<string> {
    await Promise.all(this.pending);
    const state = await root
      .evaluate(() => {
        const m = document.querySelector('main#app') as HTMLElement | null;
        return {
          url: location.href,
          step: m?.dataset.step ?? '(no main#app)',
          title: document.title,
          text: (m ?? document.body)?.innerText?.slice(0, 1500) ?? '',
        };
      })
      .catch((e) => ({ url: '?', step: '?', title: '?', text: `(page not readable: ${e})` }));
    const api = this.api.map((c) => `${c.method} ${c.path} → ${c.status}${c.status >= 400 ? ` ${c.body}` : ''}`).join('\n');
    return [
      `at step "${state.step}" (${state.url}), title "${state.title}"`,
      `visible text:\n${state.text}`,
      `page API calls:\n${api || '(none)'}`,
      `console:\n${this.consoleLines.join('\n').slice(-3000) || '(empty)'}`,
    ].join('\n---\n');
  }

  /** Waits for main#app[data-step] to match; fails with the page's whole state. */
  async step(step: string | RegExp, opts: { root?: Page | Frame; timeout?: number } = {}): Promise<string> {
    const root = opts.root ?? this.page;
    const src = typeof step === 'string' ? `^${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : step.source;
    try {
      const h = await root.waitForFunction(
        (re) => {
          const s = (document.querySelector('main#app') as HTMLElement | null)?.dataset.step;
          return s && new RegExp(re).test(s) && document.readyState !== 'loading' ? s : false;
        },
        src,
        { timeout: opts.timeout ?? 10_000 },
      );
      return (await h.jsonValue()) as string;
    } catch (e) {
      throw new assert.AssertionError({ message: `expected step ${step}, but it did not come within the timeout\n${await this.describe(root)}` });
    }
  }

  /** The current step (no waiting). */
  async current(root: Page | Frame = this.page): Promise<string> {
    return root.evaluate(() => (document.querySelector('main#app') as HTMLElement | null)?.dataset.step ?? '');
  }

  /** Waits until the step is no longer `from` (after an action). */
  async leave(from: string, root: Page | Frame = this.page, timeout = 10_000): Promise<string> {
    try {
      const h = await root.waitForFunction(
        (prev) => {
          const s = (document.querySelector('main#app') as HTMLElement | null)?.dataset.step;
          return s && s !== prev && s !== 'loading' ? s : false;
        },
        from,
        { timeout },
      );
      return (await h.jsonValue()) as string;
    } catch {
      throw new assert.AssertionError({ message: `the page stayed on step "${from}"\n${await this.describe(root)}` });
    }
  }

  /**
   * Records a screen: title, h1s, whether the h1 holds focus, horizontal overflow and (unless axe=false) axe
   * violations, then writes its screenshots at both sizes when the tab has a flow name.
   */
  async visit(step: string, opts: { root?: Page | Frame; axe?: boolean; shot?: boolean } = {}): Promise<ScreenRecord> {
    const root = opts.root ?? this.page;
    await this.step(step, { root });
    const info = await root.evaluate(() => {
      const h1s = [...document.querySelectorAll('h1')].filter((h) => (h as HTMLElement).checkVisibility?.() ?? true);
      return {
        title: document.title,
        lang: document.documentElement.lang,
        h1: h1s.map((h) => (h as HTMLElement).innerText.trim()),
        focusedH1: document.activeElement?.tagName === 'H1' || !!document.activeElement?.closest('h1'),
        overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      };
    });
    const axeKey = `${step}|${info.lang}|${root === this.page ? 'page' : 'frame'}`;
    const runAxe = opts.axe !== false && !axeChecked.has(axeKey);
    if (runAxe) axeChecked.add(axeKey);
    const rec: ScreenRecord = { flow: this.opts.flow ?? '', nth: ++this.visits, step, ...info, axe: runAxe ? await this.axe(root) : [] };
    screens.push(rec);
    if (this.opts.flow && opts.shot !== false) await this.shot(step);
    return rec;
  }

  /** axe-core's serious and critical violations on the current screen, one line each. */
  async axe(root: Page | Frame = this.page): Promise<string[]> {
    axeSource ??= fs.readFileSync(AXE_SOURCE_PATH, 'utf8');
    // Injected through the DevTools protocol: the page's CSP rightly refuses script tags.
    if (!(await root.evaluate(() => 'axe' in window))) await root.evaluate(axeSource);
    const found = await root.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: any[] }> } }).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${v.impact} ${v.id}: ${v.help} — ${v.nodes
              .slice(0, 3)
              .map((n: { target: string[]; failureSummary?: string; html: string }) => `${n.target.join(' ')} ${n.html.slice(0, 160)} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)})`)
              .join('; ')}`,
        );
    });
    return found;
  }

  /** Writes test-output/screenshots/<viewport>/<flow>-<nn>-<step>.png at phone and desktop sizes. */
  async shot(step: string): Promise<void> {
    const flow = this.opts.flow ?? 'misc';
    const nn = String(++this.shotCount).padStart(2, '0');
    const own = this.opts.viewport ?? 'phone';
    const order: ViewportName[] = own === 'desktop' ? ['desktop', 'phone'] : [own, 'desktop'];
    for (const vp of order) {
      if (vp !== own) await this.page.setViewportSize(VIEWPORTS[vp]);
      const dir = path.join(SCREENSHOT_DIR, vp);
      fs.mkdirSync(dir, { recursive: true });
      await this.page.screenshot({ path: path.join(dir, `${flow}-${nn}-${step}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
    }
    if (order[order.length - 1] !== own) await this.page.setViewportSize(VIEWPORTS[own]);
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await this.context.close();
  }
}

/** Server log lines of a Verity, for the "no secrets in server logs" checks. */
export function captureServerLog(v: Verity): string[] {
  const lines: string[] = [];
  v.deps.log = createLogger('debug', (l) => lines.push(l));
  return lines;
}

/**
 * The accessibility assertions over every screen the file's tests visited: a title per step distinct from
 * the other steps', exactly one h1, no serious or critical axe violations.
 */
export function screenProblems(recs: ScreenRecord[] = screens): string[] {
  const problems: string[] = [];
  const titleOf = new Map<string, Set<string>>();
  for (const r of recs) {
    if (r.h1.length !== 1) problems.push(`${r.flow}/${r.step}: ${r.h1.length} visible h1 (${JSON.stringify(r.h1)})`);
    if (!r.title.trim()) problems.push(`${r.flow}/${r.step}: empty document.title`);
    if (r.nth > 1 && !r.focusedH1) problems.push(`${r.flow}/${r.step}: focus is not on the h1 after moving to this step`);
    for (const a of r.axe) problems.push(`${r.flow}/${r.step}: axe ${a}`);
    const key = `${r.lang}|${r.title}`;
    if (!titleOf.has(key)) titleOf.set(key, new Set());
    titleOf.get(key)!.add(r.step);
  }
  for (const [key, steps] of titleOf) {
    // The status screens and the error screens are separate pages; a shared title between two steps of
    // the flow would leave screen-reader users unsure that anything changed.
    if (steps.size > 1) problems.push(`steps ${[...steps].join(', ')} share the title "${key.split('|')[1]}"`);
  }
  return problems;
}

/** Reads the session through the page API, as the page does (bearer = url token or client secret). */
export async function pageSession(v: Verity, bearer: string): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${v.url}/verify/api/session`, { headers: { authorization: `Bearer ${bearer}` } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text };
}

/** The url token of a session's hosted url. */
export function tokenOf(url: string | null | undefined): string {
  assert.ok(url, 'the session has no url');
  return new URL(url).pathname.split('/').pop()!;
}
