/**
 * Whole runs of the real CLI on libraries of 12 MP photos, with the defaults (faces on) and with
 * --face-backend none, each in a fresh output folder (a fresh catalog), in turns so that a busy
 * machine weighs on both alike:
 *   - 120 photos without a face (bench/no-face-library.js --large): the CPU ratio faces on / off
 *     (goal 1.2×) and the peak memory of each (goals 400 MB and 250 MB);
 *   - 24 and 96 photos of people in bursts (--people, --crowd): the peak memory with faces on
 *     (goal 400 MB; 24 photos stay on one face thread, 96 use them all).
 * Usage: BENCH=library npm run bench (BENCH_ROUNDS=N turns, 2 by default).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './speed.js';

const LIBRARIES = [
  {
    name: 'no-faces-120',
    flag: '--large',
    count: 120,
    faces: false,
    title: '120 photos without a face (landscapes and shapes, bursts of 5)',
  },
  { name: 'people-24', flag: '--people', count: 24, faces: true, title: '24 photos of people (4 bursts of 6)' },
  { name: 'people-96', flag: '--crowd', count: 96, faces: true, title: '96 photos of people (16 bursts of 6)' },
];

/** The library `spec` in `work`, made once with bench/no-face-library.js. */
function library(work, here, spec) {
  const dir = join(work, spec.name);
  if (existsSync(dir) && readdirSync(dir).length === spec.count) return dir;
  rmSync(dir, { recursive: true, force: true });
  const made = spawnSync(process.execPath, [join(here, 'no-face-library.js'), dir, spec.flag], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error(`bench/no-face-library.js ${spec.flag} failed`);
  return dir;
}

const range = (values, unit, digits = 1) => {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? `${low}${unit}` : `${low}–${high}${unit}`;
};

export async function benchLibraries({ root, work, here, cores, line }) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (const spec of LIBRARIES) {
    const dir = library(work, here, spec);
    console.log(`\n# A whole run on ${spec.title}, 12 MP, ${cores} threads, faces on and off in turns (${rounds} rounds)`);
    const runs = { auto: [], none: [] };
    for (let r = 0; r < rounds; r++) {
      for (const backend of ['auto', 'none']) {
        const out = join(work, `${spec.name}-out-${backend}`);
        rmSync(out, { recursive: true, force: true });
        const run = await runCli(root, ['-s', dir, '-o', out, '--face-backend', backend]);
        if (run.code !== 0) throw new Error(`the CLI exited with ${run.code} on ${dir} (--face-backend ${backend})`);
        runs[backend].push(run);
      }
    }
    for (const backend of ['auto', 'none']) {
      const got = runs[backend];
      line(
        `--face-backend ${backend}`,
        `${range(
          got.map((g) => g.cpu),
          ' CPU s',
        )}, ${range(
          got.map((g) => g.seconds),
          ' s wall',
        )}, peak ${range(
          got.map((g) => g.peak ?? Number.NaN),
          ' MB',
          0,
        )}`,
      );
    }
    const ratios = runs.auto.map((a, i) => a.cpu / runs.none[i].cpu);
    // With faces to analyze the ratio is the analysis itself; without, what finding none costs.
    line(`CPU with faces / without${spec.faces ? '' : ' (goal ≤ 1.2×)'}`, range(ratios, '×', 2));
    line('peak memory goals', 'faces on ≤ 400 MB, --face-backend none ≤ 250 MB');
    // Photos the face stage opened: the others were settled as they were fingerprinted.
    const staged = Number(/Faces: (\d+) photos? in /.exec(runs.auto[0].stderr)?.[1] ?? 0);
    line('photos through the face stage (the rest settled at fingerprinting)', `${staged} of ${spec.count}`);
  }
}
