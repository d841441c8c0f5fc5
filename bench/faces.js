/**
 * The face part of `npm run bench` (BENCH=faces): 12 MP photos of people through the face pool,
 * on one thread then on all cores, and the judgements' agreement with a saved reference.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { placeDecides } from '../dist/core/face-matching.js';
import { FacePool } from '../dist/pipeline/face-pool.js';
import { compareBurst, judgeBurst, readReference, total, writeReference } from './face-agreement.js';

const PEOPLE = ['people-group', 'people-friends', 'portrait-smile', 'portrait-costume'];
const NO_FACES = ['mountains-peaks', 'stream-forest', 'boats-lake', 'flower-orange'];

/** 12 MP JPEGs of the fixtures' people (group shots and portraits), or of `sources`, long side 4000 px. */
async function makeFacePhotos(work, fixtures, count, sources = PEOPLE) {
  const dir = join(work, sources === PEOPLE ? `faces-${count}` : `no-faces-${count}`);
  if (existsSync(dir) && readdirSync(dir).length === count) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const src = sharp(join(fixtures, `${sources[i % sources.length]}.jpg`));
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

/**
 * Runs the files through a face pool of `threads` threads as the analyze stage does: every photo
 * without descriptors, then with them the photos of the bursts (lists of file indices) where the
 * faces' places do not tell people apart. Returns seconds, CPU, faces found, photos analyzed
 * twice, load times and the analyses.
 */
async function analyzeAll(threads, files, bursts) {
  const pool = new FacePool(threads, 'human');
  const loads = [];
  let runtime = '';
  // Per thread: the largest V8 heap its tasks reported, and the models it loaded.
  const memory = new Map();
  const note = (r) => {
    if (!r.worker) return;
    const m = memory.get(r.worker.threadId) ?? { v8: 0, models: 0 };
    memory.set(r.worker.threadId, { v8: Math.max(m.v8, r.worker.v8Bytes), models: Math.max(m.models, r.worker.models.length) });
  };
  try {
    // Warm-up: enough photos for every thread to load its models and compile its graphs.
    const warm = files.slice(0, threads * 2).map((path, id) => ({ id, path, descriptors: true }));
    await pool.runAll(warm, (_id, r) => {
      if (r.worker?.loadMs != null) loads.push(r.worker.loadMs);
      if (r.worker) runtime = r.worker.runtime;
      note(r);
    });
    let failed = 0;
    const analyses = new Array(files.length);
    const pass = async (ids, descriptors) => {
      const { unavailable } = await pool.runAll(
        ids.map((id) => ({ id, path: files[id], descriptors })),
        (id, r) => {
          if ('crashed' in r || r.analysis.note !== null) failed++;
          else note(r);
          analyses[id] = 'crashed' in r ? { faces: [] } : r.analysis;
        },
      );
      if (unavailable) throw new Error(unavailable);
    };
    const t0 = performance.now();
    // CPU of the whole process, worker threads included: the machine may be busy, CPU time is steadier.
    const cpu0 = process.cpuUsage();
    await pass(
      files.map((_f, id) => id),
      false,
    );
    const again = bursts.filter((ids) => !placeDecides(ids.map((id) => analyses[id].faces))).flat();
    await pass(again, true);
    const cpu = process.cpuUsage(cpu0);
    const faces = analyses.reduce((n, a) => n + a.faces.length, 0);
    return {
      seconds: (performance.now() - t0) / 1000,
      cpuMs: (cpu.user + cpu.system) / 1000,
      faces,
      failed,
      again: again.length,
      loads,
      runtime,
      memory: [...memory.values()],
      analyses,
    };
  } finally {
    await pool.close();
  }
}

const mb = (bytes) => Math.round(bytes / 1048576);
const threadMemory = (threads) => threads.map((m) => `${mb(m.v8)} MB, ${m.models} models`).join('; ');

const peakRssMb = () => Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);

/**
 * Judgements on bursts of real frames next to a saved reference (bench/face-reference.json);
 * FACES_REFERENCE=write saves this run's as the reference instead.
 */
async function faceAgreement(env, photoFiles, photoAnalyses) {
  const { root, line } = env;
  const video = join(root, 'test', 'fixtures', 'video');
  const stills = readdirSync(video).sort();
  const bursts = {};
  // The bench photos cycle through four sources: each source's copies are one burst.
  for (let k = 0; k < 4 && k < photoFiles.length; k++) bursts[`photos-${k}`] = photoAnalyses.filter((_a, i) => i % 4 === k);
  for (const clip of ['cap12', 'cap13']) {
    const files = stills.filter((f) => f.startsWith(clip)).map((f) => join(video, f));
    bursts[`video-${clip}`] = (await analyzeAll(1, files, [files.map((_f, i) => i)])).analyses;
  }
  const judged = Object.fromEntries(Object.entries(bursts).map(([name, analyses]) => [name, judgeBurst(analyses)]));
  const file = join(root, 'bench', 'face-reference.json');
  if (process.env.FACES_REFERENCE === 'write') {
    writeReference(file, photoAnalyses[0]?.analyzer ?? '', judged);
    line('accuracy reference', `written to ${file}`);
    return;
  }
  const reference = readReference(file);
  const results = Object.entries(reference.bursts).map(([name, frames]) => compareBurst(frames, judged[name] ?? []));
  const t = total(results);
  const pct = (a, b) => `${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
  line(`agreement with ${reference.analyzer}`, `${Object.keys(reference.bursts).length} bursts, ${t.faces} faces`);
  line('faces found again / new faces', `${t.found} of ${t.faces} / ${t.extra}`);
  line('eye state agreement (open/half/closed, per eye)', `${pct(t.eyesAgree, t.eyes)} (${t.eyesAgree} of ${t.eyes})`);
  line('eye openness drift (mean |change| / reference)', pct(t.aspectDrift, 2 * t.found));
  line('person matching agreement (pairs across frames)', `${pct(t.pairsAgree, t.pairs)} (${t.pairsAgree} of ${t.pairs})`);
}

/** `env`: the bench's folders, core count and line printer. */
export async function benchFaces(env) {
  const { work, fixtures, cores, line } = env;
  const count = Number(process.env.BENCH_FACES ?? 24);
  const dir = await makeFacePhotos(work, fixtures, count);
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  console.log(`\n# Face analysis: ${count} JPEGs of people, long side 4000 px, Human's models`);
  const rss0 = peakRssMb();
  // makeFacePhotos cycles through four sources: each source's copies are one burst.
  const bursts = [0, 1, 2, 3].map((k) => files.map((_f, i) => i).filter((i) => i % 4 === k));
  const one = await analyzeAll(1, files, bursts);
  line('models run on', one.runtime);
  line('model load (start-up), per worker thread', `${one.loads.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  line('faces found / photos failed', `${one.faces} / ${one.failed} (${(one.faces / count).toFixed(1)} faces per photo)`);
  line(
    'one core, CPU per photo',
    `${(one.cpuMs / count).toFixed(0)} ms (${(one.cpuMs / one.faces).toFixed(0)} ms per face; wall ${((one.seconds * 1000) / count).toFixed(0)} ms)`,
  );
  line('photos analyzed again with descriptors', `${one.again} of ${count}`);
  line('peak RSS, 1 face thread', `${peakRssMb()} MB (${rss0} MB before the pool)`);
  line('per face thread: V8 heap in use, models loaded', threadMemory(one.memory));
  if (process.env.FACES_REFERENCE === 'write') return faceAgreement(env, files, one.analyses);
  const all = await analyzeAll(cores, files, bursts);
  line(`all cores (${cores} threads)`, `${(count / all.seconds).toFixed(2)} photos/s (${all.seconds.toFixed(2)} s)`);
  line(`peak RSS, ${cores} face threads`, `${peakRssMb()} MB`);
  line(`per face thread (${cores} threads): V8 heap in use, models loaded`, threadMemory(all.memory));
  const empty = await makeFacePhotos(work, fixtures, 8, NO_FACES);
  const landscapes = readdirSync(empty)
    .sort()
    .map((f) => join(empty, f));
  const none = await analyzeAll(1, landscapes, []);
  line(
    '12 MP photos without a face, one core, CPU per photo',
    `${(none.cpuMs / landscapes.length).toFixed(0)} ms (${none.faces} faces found)`,
  );
  await faceAgreement(env, files, one.analyses);
}
