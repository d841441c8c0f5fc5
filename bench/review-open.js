#!/usr/bin/env node
/**
 * How fast the review page opens a group of 12 frames of 24 MP from the thumbnail cache
 * (`npm run build && node bench/review-open.js`). Twelve 6000×4000 JPEGs of one scene (slightly
 * different exposures: one group) are organized, `photo-organizer review` serves them, and
 * Chromium opens the group once to fill the cache (its figure is printed as "cold"); then fresh
 * browser profiles (no browser cache) open it again: from the address to every frame's picture
 * decoded. Prints figures; never fails on a number. BENCH_OPENS=N sets the warm opens (5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'bin', 'photo-organizer.js');
const work = join(here, '.work', 'review-24mp');
const photos = join(work, 'Photos');
const out = join(work, 'Organized');
const FRAMES = 12;
const opens = Number(process.env.BENCH_OPENS ?? 5);

if (!existsSync(join(photos, `frame_${FRAMES - 1}.jpg`))) {
  mkdirSync(photos, { recursive: true });
  const scene = await sharp(join(root, 'test', 'fixtures', 'photos', 'bird-nuthatch.jpg'))
    .resize(6000, 4000, { fit: 'cover' })
    .toBuffer();
  for (let i = 0; i < FRAMES; i++) {
    await sharp(scene)
      .modulate({ brightness: 1 + (i - FRAMES / 2) * 0.01 })
      .jpeg({ quality: 90 })
      .toFile(join(photos, `frame_${i}.jpg`));
  }
}
rmSync(out, { recursive: true, force: true });
const run = spawnSync(process.execPath, [bin, '-s', photos, '-o', out, '--face-backend', 'none'], { encoding: 'utf8' });
if (run.status !== 0) throw new Error(`the organizer failed:\n${run.stderr}`);

const review = spawn(process.execPath, [bin, 'review', '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  const onData = (d) => {
    text += d.toString();
    const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text);
    if (m) resolve(m[1]);
  };
  review.stdout.on('data', onData);
  review.stderr.on('data', onData);
  review.on('exit', (code) => reject(new Error(`review exited with ${code}:\n${text}`)));
});

/** Opens the biggest group in a fresh browser profile; ms from the address to every frame decoded. */
async function openGroup() {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'po-bench-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    viewport: { width: 1280, height: 800 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.waitForSelector('.card');
    const number = await page.evaluate(async () => {
      const cards = (await (await fetch('/api/groups')).json()).cards;
      return cards.sort((a, b) => b.count - a.count)[0].number;
    });
    const ms = await page.evaluate(async (n) => {
      const start = performance.now();
      location.hash = `#/group/${n}`;
      for (;;) {
        const imgs = [...document.querySelectorAll('#frames .picture img')];
        if (imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return { ms: performance.now() - start, frames: document.querySelectorAll('#frames .frame').length };
    }, number);
    return ms;
  } finally {
    await context.close();
  }
}

try {
  const cpu0 = process.cpuUsage();
  const cold = await openGroup();
  console.log(`cold (views made from the 24 MP files): ${cold.ms.toFixed(0)} ms for ${cold.frames} frames`);
  const warm = [];
  for (let i = 0; i < opens; i++) warm.push((await openGroup()).ms);
  warm.sort((a, b) => a - b);
  console.log(
    `from the thumbnail cache, fresh browser each time: median ${warm[Math.floor(warm.length / 2)].toFixed(0)} ms, ` +
      `best ${warm[0].toFixed(0)} ms, worst ${warm.at(-1).toFixed(0)} ms over ${opens} opens`,
  );
  const cpu = process.cpuUsage(cpu0);
  console.log(`(bench process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; wall times depend on the machine's load)`);
} finally {
  review.kill('SIGTERM');
}
