/** Runs `photo-organizer review` as a user would, and talks to its page's API with the token's cookie. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { BIN } from './cli.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface RunningReview {
  readonly child: ChildProcessWithoutNullStreams;
  /** The printed address, token included. */
  readonly url: string;
  /** Everything printed so far. */
  output(): string;
}

/** Starts `photo-organizer review …args` and resolves once it prints its address. */
export function startReview(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningReview> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'review', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let text = '';
    const output = (): string => text;
    const onData = (d: Buffer): void => {
      text += d.toString();
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text);
      if (m) resolve({ child, url: m[1]!, output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`review exited with ${code} before printing its address:\n${text}`)));
  });
}

/** Stops the review (as Ctrl+C would) and resolves with its exit code. */
export function stopReview(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** The server's origin and the cookie that carries the token, as the page's own requests send it. */
export function reviewCookie(review: RunningReview): { readonly origin: string; readonly cookie: string } {
  const url = new URL(review.url);
  return { origin: url.origin, cookie: `po_review_${url.port}=${url.searchParams.get('token')!}` };
}

/** The page's JSON API, called with the token (as the page's own scripts are, by cookie). */
// biome-ignore lint/suspicious/noExplicitAny: tests read whichever fields they assert on; the expectations check the shape.
export function reviewApi(review: RunningReview): (path: string, body?: unknown) => Promise<{ status: number; body: any }> {
  const { origin, cookie } = reviewCookie(review);
  return async (path, body) => {
    const res = await fetch(`${origin}/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
}

/** Debian's Chromium, headless, with a fresh profile, and its first page (page errors are printed). */
export async function openChromium(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'po-review-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return { context, page };
}
