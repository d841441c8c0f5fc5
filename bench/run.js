#!/usr/bin/env node
/**
 * Benchmarks (`npm run bench`). Prints figures and ratios; never fails on a number.
 *   1. fingerprint throughput and CPU per photo on ~1 MP and on 12 MP JPEGs with all cores, next to
 *      vipsthumbnail making 64 px thumbnails of the same files in the same run (CPU ratio printed);
 *   2. grouping 1,000,000 synthetic hashes with --time-window 0 -t 5 (seconds);
 *   3. peak RSS and CPU of the real CLI (--face-backend none) on 300, 1,000 and 3,000 ~1 MP photos;
 *   4. face analysis (decode at face size + Human's models on onnxruntime) of 12 MP photos of people: CPU ms per
 *      photo on one core, model start-up and peak RSS per thread count, photos/s with all cores
 *      (models loaded and warmed up first), and the agreement of eye states and person matching
 *      with a saved reference (bench/face-agreement.js; FACES_REFERENCE=write saves a new one);
 *   5. HDR merge of a 12 MP 3-frame bracket (decode, align, fuse, encode) on one core: seconds,
 *      peak memory, and the ratio to just decoding and re-encoding the three frames;
 *   6. face swap of one blink in a 12 MP frame (the blink fixtures enlarged): decode, landmarks on
 *      best, donor and result, align, blend, check, encode, on one core: seconds, CPU and peak memory;
 *   7. grouping quality on a library with a known truth (test/support/quality-library.ts):
 *      pairwise precision / recall per kind of case, at the defaults and at -t 3 --time-window 0;
 *   8. video: CPU per 1080p 30 s clip fingerprinted, clips/s on one core and all cores, peak RSS (bench/video.js);
 *   9. whole runs of the CLI on 12 MP libraries with faces on and off: the CPU ratio on photos without
 *      a face and the peak memory, also on photos of people (bench/library.js);
 *  10. --watch on a library of ~1 MP photos without capture times: seconds (and CPU seconds of the process) from a
 *      burst's files landing in the folder to its group written, and from one frame landing to its group updated.
 * Inputs are generated once into bench/.work (git-ignored) from the test fixtures.
 * Pick parts with BENCH=fingerprint,group,memory,faces,library,hdr,swap,quality,video,watch; sizes with BENCH_1MP=N, BENCH_12MP=N,
 * BENCH_LIBRARY=N,N,... (library sizes of the memory part), BENCH_FACES=N, BENCH_VIDEO=N, BENCH_WATCH=N, BENCH_ROUNDS=N (turns of the library part).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { groupPhotos } from '../dist/core/grouping.js';
import { mergeBracket } from '../dist/enhance/hdr.js';
import { benchFaces } from './faces.js';
import { benchLibraries } from './library.js';
import { fingerprintVersusFloor, jpegsUnder, line, make1mp, memoryOverSizes, rng } from './speed.js';
import { benchSwap } from './swap.js';
import { benchVideo } from './video.js';
import { benchWatch } from './watch.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
const fixtures = join(root, 'test', 'fixtures', 'photos');
const parts = new Set((process.env.BENCH ?? 'fingerprint,group,memory,faces,library,hdr,swap,quality,video').split(','));
const cores = availableParallelism();

async function make12mp(count) {
  const dir = join(work, `12mp-${count}`);
  if (existsSync(dir) && readdirSync(dir).length === count) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = readdirSync(fixtures).filter((f) => f.endsWith('.jpg'));
  const rand = rng(12);
  for (let i = 0; i < count; i++) {
    const src = join(fixtures, sources[i % sources.length]);
    // Upscale to 4000x3000 and add grain so the JPEG carries real 12 MP detail and size.
    const noise = Buffer.alloc(4000 * 3000);
    for (let k = 0; k < noise.length; k++) noise[k] = 118 + Math.floor(rand() * 20);
    await sharp(src)
      .resize(4000, 3000, { fit: 'cover' })
      .composite([{ input: noise, raw: { width: 4000, height: 3000, channels: 1 }, blend: 'overlay' }])
      .jpeg({ quality: 92 })
      .toFile(join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`));
  }
  return dir;
}

async function benchFingerprint() {
  const small = await make1mp(work, fixtures, Number(process.env.BENCH_1MP ?? 300));
  await fingerprintVersusFloor(work, 'JPEGs of 1152x864 (~1 MP, phone exports)', jpegsUnder(small));
  const count = Number(process.env.BENCH_12MP ?? 48);
  const big = await make12mp(count);
  await fingerprintVersusFloor(work, 'JPEGs of 4000x3000 (12 MP)', jpegsUnder(big));
}

function benchGrouping() {
  const n = 1_000_000;
  console.log(`\n# Grouping ${n.toLocaleString('en')} synthetic hashes, --time-window 0 -t 5`);
  const rand = rng(7);
  const items = new Array(n);
  let base = 0n;
  for (let i = 0; i < n; i++) {
    // 30% start a new scene; the rest are near copies (0-6 bits) of the scene before them.
    if (i === 0 || rand() < 0.3) {
      base = (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      items[i] = { dhash: base, takenAtMs: null };
    } else {
      let h = base;
      const flips = Math.floor(rand() * 7);
      for (let k = 0; k < flips; k++) h ^= 1n << BigInt(Math.floor(rand() * 64));
      items[i] = { dhash: h, takenAtMs: null };
    }
  }
  const t0 = performance.now();
  const result = groupPhotos(items, { threshold: 5, timeWindowS: 0, minGroupSize: 3 }, () => null);
  const seconds = (performance.now() - t0) / 1000;
  line('grouping time', `${seconds.toFixed(2)} s`);
  line('groups / candidate pairs', `${result.groups.length.toLocaleString('en')} / ${result.stats.hashCandidates.toLocaleString('en')}`);
  line('pairs an all-pairs loop would compare', `${((n * (n - 1)) / 2).toExponential(2)}`);
}

async function benchMemory() {
  const sizes = (process.env.BENCH_LIBRARY ?? '300,1000,3000').split(',').map(Number);
  const library = await make1mp(work, fixtures, Math.max(...sizes));
  await memoryOverSizes(work, root, library, sizes);
}

if (!existsSync(join(root, 'dist', 'core', 'grouping.js'))) {
  console.error('Build first: npm run build');
  process.exit(1);
}
mkdirSync(work, { recursive: true });
console.log(`photo-organizer benchmarks — ${cores} cores, Node ${process.version}`);
/** A handheld -2/0/+2 EV bracket at 4000x3000: the middle frame, then a dark and a bright one shifted a few pixels. */
async function makeBracket() {
  const dir = join(work, 'bracket-12mp');
  const names = ['0ev.jpg', 'minus2.jpg', 'plus2.jpg'];
  if (existsSync(dir) && readdirSync(dir).length === names.length) return names.map((n) => join(dir, n));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const src = join(fixtures, 'stream-forest.jpg');
  const frames = [
    { ev: 0, dx: 0, dy: 0 },
    { ev: -2, dx: 7, dy: -4 },
    { ev: 2, dx: -5, dy: 6 },
  ];
  for (const [i, f] of frames.entries()) {
    const gain = 2 ** (f.ev / 2.2);
    await sharp(src)
      .resize(4040, 3040, { fit: 'cover' })
      .extract({ left: 20 + f.dx, top: 20 + f.dy, width: 4000, height: 3000 })
      .linear(gain, 0)
      .jpeg({ quality: 92 })
      .toFile(join(dir, names[i]));
  }
  return names.map((n) => join(dir, n));
}

async function benchHdr() {
  const frames = await makeBracket();
  console.log('\n# HDR merge: a 3-frame bracket of 4000x3000 (12 MP), one core');
  const request = {
    frames: [frames[1], frames[0], frames[2]],
    reference: 1,
    gamma: 2.2,
    maxSide: 6000,
    make: null,
    model: null,
    takenAt: null,
  };
  await mergeBracket({ ...request, maxSide: 1000 }); // warm-up
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = await mergeBracket(request);
  const merge = (performance.now() - t0) / 1000;
  line(
    'decode + align + fuse + encode',
    `${merge.toFixed(2)} s (${((result.width * result.height) / 1e6).toFixed(1)} MP out, shifts ${result.shifts.map((s) => `${s.dx},${s.dy}`).join(' ')})`,
  );
  line(
    'peak RSS during the merge',
    `${Math.round(Math.max(process.resourceUsage().maxRSS * 1024, rss0) / 1048576)} MB (process peak so far)`,
  );
  const t1 = performance.now();
  for (const f of frames)
    await sharp(f)
      .raw()
      .toBuffer()
      .then((b) =>
        sharp(b, { raw: { width: 4000, height: 3000, channels: 3 } })
          .jpeg({ quality: 92 })
          .toBuffer(),
      );
  const plain = (performance.now() - t1) / 1000;
  line('decode + re-encode the three frames (sharp)', `${plain.toFixed(2)} s`);
  line('ratio (merge / plain decode+encode)', `${(merge / plain).toFixed(1)}x`);
}

/**
 * Runs the grouping-quality test (it builds the truth library, fingerprints it and groups it) and
 * prints its report: per kind of case, pairwise recall and precision, and the grouping's CPU time.
 */
function benchQuality() {
  console.log('\n# Grouping quality: pairwise precision / recall on a library with a known truth');
  const run = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', 'test/unit/grouping-quality.test.ts', '--reporter=dot'], {
    cwd: root,
    env: { ...process.env, QUALITY_REPORT: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
  });
  const report = run.stdout.split('\n').filter((l) => /^(-t | {2}\S)/.test(l));
  for (const l of report) console.log(l);
  if (run.status !== 0) console.log(`(the quality test failed: budgets not met; see npx vitest run test/unit/grouping-quality.test.ts)`);
}

if (parts.has('fingerprint')) await benchFingerprint();
if (parts.has('group')) benchGrouping();
if (parts.has('memory')) await benchMemory();
if (parts.has('faces')) await benchFaces({ root, work, fixtures, cores, line });
if (parts.has('library')) await benchLibraries({ root, work, here, cores, line });
if (parts.has('hdr')) await benchHdr();
if (parts.has('swap')) await benchSwap({ line, rng, work, root });
if (parts.has('quality')) benchQuality();
if (parts.has('video')) benchVideo({ root, work, fixtures, cores, line });
if (parts.has('watch'))
  await benchWatch({
    work,
    root,
    makeLibrary: (count) => make1mp(work, fixtures, count),
    line,
    count: Number(process.env.BENCH_WATCH ?? 2000),
  });
