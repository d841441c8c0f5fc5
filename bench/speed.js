/**
 * The per-photo cost parts of the bench (issue 19): fingerprint CPU next to the decode floor
 * (`vipsthumbnail -s 64` on the same files, in the same run), and peak memory of the real CLI
 * over growing libraries. CPU time is reported because wall time on a shared machine is noise.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { InspectPool } from '../dist/pipeline/pool.js';

const cores = availableParallelism();

export function line(label, value) {
  console.log(`${label.padEnd(52)} ${value}`);
}

/** Deterministic pseudo-random numbers (xorshift32). */
export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** CPU seconds of this process's waited-for children (utime + stime of the dead descendants). */
function childCpuSeconds() {
  // /proc/self/stat: the command may hold spaces, so count fields after its closing parenthesis.
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[13]) + Number(fields[14])) / ticks;
}

/**
 * ~1 MP JPEGs like phone exports and downloads: scenes cropped from the fixtures at 1152x864 (or
 * 864x1152), each a burst of 1-5 frames moving by a few pixels, re-encoded at quality 85 with the
 * EXIF a phone writes (camera, capture time a second apart within a burst). Folders of 100.
 */
export async function make1mp(work, fixtures, count) {
  const dir = join(work, `1mp-${count}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const sources = readdirSync(fixtures)
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => join(fixtures, f));
  const sizes = await Promise.all(sources.map((s) => sharp(s).metadata()));
  const rand = rng(1);
  let i = 0;
  while (i < count) {
    const k = Math.floor(rand() * sources.length);
    const { width, height } = sizes[k];
    const portrait = height > width;
    const w = Math.floor(width * (0.7 + rand() * 0.25));
    const h = Math.floor(height * (0.7 + rand() * 0.25));
    const left = Math.floor(rand() * (width - w - 8));
    const top = Math.floor(rand() * (height - h - 8));
    const frames = 1 + Math.floor(rand() * 5);
    // Frames of a burst a second apart, bursts a minute or more apart (one clock step per burst).
    const first = i;
    for (let f = 0; f < frames && i < count; f++, i++) {
      const folder = join(dir, `day-${String(Math.floor(i / 100)).padStart(3, '0')}`);
      mkdirSync(folder, { recursive: true });
      const at = new Date(Date.UTC(2024, 4, 1) + first * 60_000 + f * 1000).toISOString().replace(/-/g, ':').replace('T', ' ').slice(0, 19);
      await sharp(sources[k])
        .extract({ left: left + f, top: top + (f % 3), width: w, height: h })
        .resize(portrait ? 864 : 1152, portrait ? 1152 : 864, { fit: 'cover' })
        .withExif({ IFD0: { Make: 'Phone', Model: 'Bench 1' }, IFD2: { DateTimeOriginal: at } })
        .jpeg({ quality: 85 })
        .toFile(join(folder, `IMG_${String(i).padStart(5, '0')}.jpg`));
    }
  }
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

/** Every JPEG under `dir` (one level of folders or none), sorted. */
export function jpegsUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) out.push(...jpegsUnder(join(dir, entry.name)));
    else if (entry.name.endsWith('.jpg')) out.push(join(dir, entry.name));
  }
  return out;
}

/**
 * Fingerprints `files` through the worker pool (after a warm-up), then makes 64 px thumbnails of
 * the same files with vipsthumbnail, one process per core; prints both and the CPU ratio.
 */
export async function fingerprintVersusFloor(work, title, files) {
  const count = files.length;
  console.log(`\n# Fingerprint: ${count} ${title}, ${cores} threads, next to vipsthumbnail -s 64`);
  const pool = new InspectPool(cores);
  let ours;
  try {
    const warm = files.slice(0, Math.min(cores * 4, count)).map((path, id) => ({ id, path }));
    await pool.runAll(warm, () => {});
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
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    ours = (cpu.user + cpu.system) / 1000 / count;
    line(
      'photo-organizer fingerprint (decode+EXIF+hashes)',
      `${(count / seconds).toFixed(1)} photos/s (${seconds.toFixed(2)} s, ${failed} failed)`,
    );
    line('  CPU per photo (all threads)', `${ours.toFixed(1)} ms`);
    // Burst frames (by capture time) decode at the ranking's 440 px straight away; the rest are measured so after grouping if grouped.
    const cpu1 = process.cpuUsage();
    await pool.runAll(
      files.map((path, id) => ({ id, path, forRanking: true })),
      () => {},
    );
    const ranked = process.cpuUsage(cpu1);
    line('  CPU per photo decoded for ranking (burst frames)', `${((ranked.user + ranked.system) / 1000 / count).toFixed(1)} ms`);
  } finally {
    await pool.close();
  }
  if (spawnSync('sh', ['-c', 'command -v vipsthumbnail']).status !== 0) {
    line('vipsthumbnail -s 64', 'not installed (apt-get install libvips-tools): no floor, no ratio');
    return;
  }
  const out = join(work, 'vips-out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const list = join(work, 'vips-files.txt');
  execFileSync('sh', ['-c', `cat > ${list}`], { input: files.join('\n') });
  const cpu0 = childCpuSeconds();
  const t1 = performance.now();
  // Names end in .jpg and hold no spaces (the builders above make them), so xargs splits safely.
  execFileSync('sh', ['-c', `xargs -P ${cores} -n ${Math.ceil(count / cores)} vipsthumbnail -s 64 -o ${out}/%s.jpg < ${list}`]);
  const seconds = (performance.now() - t1) / 1000;
  const floor = ((childCpuSeconds() - cpu0) * 1000) / count;
  line(`vipsthumbnail -s 64 (${cores} processes)`, `${(count / seconds).toFixed(1)} photos/s (${seconds.toFixed(2)} s)`);
  line('  CPU per photo', `${floor.toFixed(1)} ms`);
  line('ratio of CPU per photo (ours / vipsthumbnail)', `${(ours / floor).toFixed(2)}x`);
}

/**
 * Peak RSS and CPU of the real CLI (--face-backend none, a fresh catalog and output) on the first
 * `size` photos of `library`, for each size: memory should stay flat as the library grows.
 */
export async function memoryOverSizes(work, root, library, sizes) {
  console.log(`\n# Peak memory of the real CLI over library size (~1 MP JPEGs, ${cores} threads, --face-backend none)`);
  const all = jpegsUnder(library);
  for (const size of sizes) {
    const lib = join(work, `memory-${size}`);
    rmSync(lib, { recursive: true, force: true });
    // Hard links: the same files as the big library, no copy.
    for (const file of all.slice(0, size)) {
      const rel = file.slice(library.length + 1);
      mkdirSync(join(lib, rel, '..'), { recursive: true });
      linkSync(file, join(lib, rel));
    }
    const out = join(work, `memory-out-${size}`);
    // A fresh output folder is a fresh catalog (it lives inside it): every photo is fingerprinted.
    rmSync(out, { recursive: true, force: true });
    const { code, seconds, cpu, peak, stdout } = await runCli(root, ['-s', lib, '-o', out, '--face-backend', 'none']);
    const groups = /Found (\d+) groups?/.exec(stdout);
    line(
      `${size} photos (exit ${code})`,
      `peak ${peak === null ? 'not reported' : `${peak} MB`}, ${cpu.toFixed(1)} CPU s (${((cpu * 1000) / size).toFixed(1)} ms per photo), ${seconds.toFixed(1)} s wall${groups ? `, ${groups[1]} groups` : ''}`,
    );
  }
}

/**
 * The real CLI on `args` (with --verbose, whose summary reports the peak memory): its exit code,
 * wall and CPU seconds, peak RSS in MB (null if not reported) and what it printed (progress on stderr).
 */
export async function runCli(root, args) {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'photo-organizer.js'), ...args, '--verbose'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = childCpuSeconds() - cpu0;
  const peak = /Peak memory: (\d+) MB/.exec(stdout);
  return { code, seconds, cpu, peak: peak ? Number(peak[1]) : null, stdout, stderr };
}
