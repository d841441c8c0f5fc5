#!/usr/bin/env node
/**
 * Benchmarks (`npm run bench`). Prints figures and ratios; never fails on a number.
 *   1. fingerprint throughput on 12 MP JPEGs with all cores, next to vipsthumbnail making 64 px
 *      thumbnails of the same files in the same run (ratio printed);
 *   2. grouping 1,000,000 synthetic hashes with --time-window 0 -t 5 (seconds);
 *   3. peak RSS of a 20,000-photo run of the real CLI (MB);
 *   4. face analysis (decode at face size + Human on WASM) of 12 MP photos of people: ms per
 *      photo on one core, and photos/s with all cores (models loaded and warmed up first);
 *   5. HDR merge of a 12 MP 3-frame bracket (decode, align, fuse, encode) on one core: seconds,
 *      peak memory, and the ratio to just decoding and re-encoding the three frames;
 *   6. grouping quality on a library with a known truth (test/support/quality-library.ts):
 *      pairwise precision / recall per kind of case, at the defaults and at -t 3 --time-window 0;
 *   7. --watch on the library of part 3: seconds (and CPU seconds of the process) from a burst's
 *      files landing in the folder to its group written, and from one frame landing to its group updated.
 * Inputs are generated once into bench/.work (git-ignored) from the test fixtures.
 * Pick parts with BENCH=fingerprint,group,memory,faces,hdr,quality,watch; sizes with BENCH_12MP=N, BENCH_LIBRARY=N,
 * BENCH_FACES=N.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { groupPhotos } from '../dist/core/grouping.js';
import { mergeBracket } from '../dist/enhance/hdr.js';
import { FacePool } from '../dist/pipeline/face-pool.js';
import { InspectPool } from '../dist/pipeline/pool.js';
import { benchWatch } from './watch.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
const fixtures = join(root, 'test', 'fixtures', 'photos');
const parts = new Set((process.env.BENCH ?? 'fingerprint,group,memory,faces,hdr,quality').split(','));
const cores = availableParallelism();

function line(label, value) {
  console.log(`${label.padEnd(52)} ${value}`);
}

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

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
  const count = Number(process.env.BENCH_12MP ?? 48);
  const dir = await make12mp(count);
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  console.log(`\n# Fingerprint throughput: ${count} JPEGs of 4000x3000 (12 MP), ${cores} threads`);
  const pool = new InspectPool(cores);
  try {
    await pool.runAll(
      files.slice(0, Math.min(cores * 2, files.length)).map((path, id) => ({ id, path })),
      () => {},
    ); // warm-up
    const t0 = performance.now();
    // CPU of the whole process, worker threads included: steadier than wall time on a busy machine.
    const cpu0 = process.cpuUsage();
    let failed = 0;
    await pool.runAll(
      files.map((path, id) => ({ id, path })),
      (_id, outcome) => {
        if (!outcome.ok) failed++;
      },
    );
    const ours = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    line(
      'photo-organizer fingerprint (decode+EXIF+hashes)',
      `${(count / ours).toFixed(1)} photos/s (${ours.toFixed(2)} s, ${failed} failed)`,
    );
    line('CPU per photo (all threads)', `${((cpu.user + cpu.system) / 1000 / count).toFixed(1)} ms`);
    const vips = spawnSync('sh', ['-c', 'command -v vipsthumbnail']).status === 0;
    if (!vips) {
      line('vipsthumbnail -s 64', 'not installed (apt-get install libvips-tools) — no ratio');
      return;
    }
    const out = join(work, 'vips-out');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const t1 = performance.now();
    execFileSync('sh', ['-c', `ls ${dir}/*.jpg | xargs -P ${cores} -n ${Math.ceil(count / cores)} vipsthumbnail -s 64 -o ${out}/%s.jpg`]);
    const theirs = (performance.now() - t1) / 1000;
    line(`vipsthumbnail -s 64 (${cores} processes)`, `${(count / theirs).toFixed(1)} photos/s (${theirs.toFixed(2)} s)`);
    line('ratio (ours / vipsthumbnail)', `${(theirs / ours).toFixed(2)}x the throughput of vipsthumbnail`);
  } finally {
    await pool.close();
  }
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

/** A random scene: a crop of a fixture with coloured shapes on top, so every scene is unique. */
function sceneSvg(rand, width, height) {
  const shapes = [];
  for (let k = 0; k < 4; k++) {
    const color = `hsl(${Math.floor(rand() * 360)},${40 + Math.floor(rand() * 50)}%,${25 + Math.floor(rand() * 50)}%)`;
    shapes.push(
      `<ellipse cx="${Math.floor(rand() * width)}" cy="${Math.floor(rand() * height)}" rx="${8 + Math.floor(rand() * 50)}" ry="${8 + Math.floor(rand() * 40)}" fill="${color}" fill-opacity="0.8"/>`,
    );
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
}

async function makeLibrary(count) {
  const dir = join(work, `library-${count}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const sources = readdirSync(fixtures)
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => join(fixtures, f));
  const bases = await Promise.all(sources.map((s) => sharp(s).resize(640, 480, { fit: 'cover' }).raw().toBuffer()));
  const rand = rng(99);
  let i = 0;
  while (i < count) {
    // One scene, then a burst of 1-5 frames of it moving by a few pixels.
    const src = bases[Math.floor(rand() * bases.length)];
    const w = 240 + Math.floor(rand() * 200);
    const h = Math.floor(w * 0.75);
    const left = Math.floor(rand() * (640 - w - 8));
    const top = Math.floor(rand() * (480 - h - 8));
    // sharp composites after resizing, so the overlay is drawn at the final size.
    const overlay = sceneSvg(rand, 320, 240);
    const flip = rand() < 0.5;
    const frames = 1 + Math.floor(rand() * 5);
    for (let f = 0; f < frames && i < count; f++, i++) {
      const folder = join(dir, `day-${String(Math.floor(i / 500)).padStart(3, '0')}`);
      mkdirSync(folder, { recursive: true });
      await sharp(src, { raw: { width: 640, height: 480, channels: 3 } })
        .extract({ left: left + f, top: top + (f % 3), width: w, height: h })
        .flop(flip)
        .resize(320, 240)
        .composite([{ input: overlay }])
        .jpeg({ quality: 80 })
        .toFile(join(folder, `IMG_${String(i).padStart(5, '0')}.jpg`));
    }
  }
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

async function benchMemory() {
  const count = Number(process.env.BENCH_LIBRARY ?? 20_000);
  console.log(`\n# Peak memory of a ${count.toLocaleString('en')}-photo run (real CLI, ${cores} threads, --face-backend none)`);
  const lib = await makeLibrary(count);
  const out = join(work, `out-${count}`);
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  // Face analysis has its own part below; here the pipeline's own footprint is measured.
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'photo-organizer.js'), '-s', lib, '-o', out, '--verbose', '--face-backend', 'none'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const code = await new Promise((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const peak = /Peak memory: (\d+) MB/.exec(stdout);
  line('exit code', String(code));
  line('wall time', `${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} photos/s end to end)`);
  line('peak RSS', peak ? `${peak[1]} MB` : 'not reported');
  const summary = stdout.split('\n').filter((l) => /^(Scanned|Found)/.test(l));
  for (const l of summary) line('', l);
}

/** 12 MP JPEGs of the fixtures' people (group shots and portraits), long side 4000 px. */
async function makeFacePhotos(count) {
  const dir = join(work, `faces-${count}`);
  if (existsSync(dir) && readdirSync(dir).length === count) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = ['people-group', 'people-friends', 'portrait-smile', 'portrait-costume'].map((n) => join(fixtures, `${n}.jpg`));
  for (let i = 0; i < count; i++) {
    const src = sharp(sources[i % sources.length]);
    const { width, height } = await src.metadata();
    const scale = 4000 / Math.max(width, height);
    // A little shift per copy so no two files are byte-identical bursts of one another.
    await src
      .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
      .extend({ left: i % 7, top: i % 5, background: '#808080' })
      .jpeg({ quality: 92 })
      .toFile(join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`));
  }
  return dir;
}

/** Runs the files through a face pool of `threads` threads; returns seconds, faces found and load times. */
async function analyzeAll(threads, files) {
  const pool = new FacePool(threads, 'human');
  const loads = [];
  try {
    // Warm-up: enough photos for every thread to load its models and compile its graphs.
    const warm = files.slice(0, threads * 2).map((path, id) => ({ id, path }));
    await pool.runAll(warm, (_id, r) => {
      if (r.worker?.loadMs != null) loads.push(r.worker.loadMs);
    });
    let faces = 0;
    let failed = 0;
    const t0 = performance.now();
    const { unavailable } = await pool.runAll(
      files.map((path, id) => ({ id, path })),
      (_id, r) => {
        if ('crashed' in r || r.analysis.note !== null) failed++;
        else faces += r.analysis.faces.length;
      },
    );
    if (unavailable) throw new Error(unavailable);
    return { seconds: (performance.now() - t0) / 1000, faces, failed, loads };
  } finally {
    await pool.close();
  }
}

async function benchFaces() {
  const count = Number(process.env.BENCH_FACES ?? 24);
  const dir = await makeFacePhotos(count);
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  console.log(`\n# Face analysis: ${count} JPEGs of people, long side 4000 px (decoded at 1600), Human on WASM`);
  const one = await analyzeAll(1, files);
  line('model load, per worker thread', `${one.loads.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  line('faces found / photos failed', `${one.faces} / ${one.failed} (${(one.faces / count).toFixed(1)} faces per photo)`);
  line(
    'one core',
    `${((one.seconds * 1000) / count).toFixed(0)} ms per photo (${((one.seconds * 1000) / one.faces).toFixed(0)} ms per face)`,
  );
  const all = await analyzeAll(cores, files);
  line(`all cores (${cores} threads)`, `${(count / all.seconds).toFixed(2)} photos/s (${all.seconds.toFixed(2)} s)`);
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
if (parts.has('faces')) await benchFaces();
if (parts.has('hdr')) await benchHdr();
if (parts.has('quality')) benchQuality();
if (parts.has('watch')) await benchWatch({ work, root, makeLibrary, line, count: Number(process.env.BENCH_LIBRARY ?? 20_000) });
