/**
 * Bench part `video` (BENCH=video): fingerprinting 1080p clips of 30 s (30 fps, a key frame every
 * second, like a phone's), made once from the fixture photos into bench/.work. Each measurement runs
 * in a child node under /usr/bin/time, so the CPU of the ffprobe and ffmpeg processes is counted:
 * one core (clips one after another, --threads 1) and all cores (the inspect pool). Prints CPU
 * seconds per clip (goal: under 0.5 s), clips per second and the peak RSS of the largest process.
 * BENCH_VIDEO=N clips (default 3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

function makeClips(work, fixtures, count) {
  const dir = join(work, `video-1080p-${count}`);
  mkdirSync(dir, { recursive: true });
  const ffmpeg = require('@ffmpeg-installer/ffmpeg').path;
  const photos = readdirSync(fixtures).filter((f) => f.endsWith('.jpg'));
  const clips = [];
  for (let i = 0; i < count; i++) {
    const out = join(dir, `clip-${i}.mp4`);
    clips.push(out);
    if (existsSync(out)) continue;
    // A slow pan over an upscaled photo (scaled once, as a still input, then cropped per frame).
    execFileSync(ffmpeg, [
      ...['-v', 'error', '-y', '-loop', '1', '-i', join(fixtures, photos[i % photos.length])],
      ...['-vf', "scale=2400:-2,loop=loop=-1:size=1,crop=1920:1080:x='t*12':y='t*3',format=yuv420p"],
      ...['-t', '30', '-r', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-g', '30', out],
    ]);
  }
  return clips;
}

/** Runs `script` in a child node under /usr/bin/time: wall, CPU (children included) and peak RSS. */
function timed(root, script, args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, '--input-type=module', '-e', script, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) throw new Error(`bench child failed: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMb: Math.round(Number(m[4]) / 1024) };
}

const ONE_CORE = `
import { loadClip } from './dist/media/clip.js';
for (const path of process.argv.slice(1)) await loadClip(path, { strategy: 'scene_change', maxFrames: 10 });
`;

const ALL_CORES = `
import { InspectPool } from './dist/pipeline/pool.js';
const [threads, ...paths] = process.argv.slice(1);
const pool = new InspectPool(Number(threads), { strategy: 'scene_change', maxFrames: 10 });
let failed = 0;
await pool.runAll(paths.map((path, id) => ({ id, path })), (_, outcome) => { if (!outcome.ok) failed++; });
await pool.close();
if (failed > 0) throw new Error(failed + ' clips failed');
`;

export function benchVideo({ root, work, fixtures, cores, line }) {
  const count = Number(process.env.BENCH_VIDEO ?? 3);
  const clips = makeClips(work, fixtures, count);
  console.log(`\n# Video: fingerprinting ${count} clips of 1080p, 30 s, 30 fps, a key frame a second (scene_change, 10 frames)`);
  const one = timed(root, ONE_CORE, clips);
  line('one core: CPU per clip (ffprobe + ffmpeg + node)', `${(one.cpu / count).toFixed(2)} s (goal < 0.5 s)`);
  line('one core: clips per second', `${(count / one.wall).toFixed(2)}`);
  line('one core: peak RSS (largest process)', `${one.rssMb} MB`);
  const all = timed(root, ALL_CORES, [String(cores), ...clips]);
  line(`all ${cores} cores: clips per second`, `${(count / all.wall).toFixed(2)} (CPU per clip ${(all.cpu / count).toFixed(2)} s)`);
  line(`all ${cores} cores: peak RSS (largest process)`, `${all.rssMb} MB`);
}
