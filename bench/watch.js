/** Part 7 of the benchmarks (bench/run.js): --watch, a file landing to its group written. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * --watch on the memory part's library: from a group's files landing to its group written, and
 * from one frame landing to its group updated (wall and CPU seconds of the watching process).
 */
export async function benchWatch({ work, root, makeLibrary, line, count }) {
  console.log(
    `\n# --watch on a ${count.toLocaleString('en')}-photo folder: a file landing to its group written (real CLI, --face-backend none)`,
  );
  const lib = await makeLibrary(count);
  const src = join(work, `watch-src-${count}`);
  const out = join(work, `watch-out-${count}`);
  const held = join(work, `watch-held-${count}`);
  for (const dir of [src, out, held]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(held);
  execFileSync('cp', ['-al', lib, src]);
  rmSync(join(src, '.complete'), { force: true });
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'photo-organizer.js'), '-s', src, '-o', out, '--watch', '--face-backend', 'none'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const lineAfter = async (from, pattern) => {
    for (;;) {
      const found = stdout
        .slice(from)
        .split('\n')
        .find((l) => pattern.test(l));
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const t0 = performance.now();
  await lineAfter(0, /^Watching /);
  line('first cycle (a normal run)', `${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The largest group found: its files leave the folder, then land again.
  const report = JSON.parse(readFileSync(join(out, 'reports', 'latest.json'), 'utf8'));
  const group = [...report.groups].sort((a, b) => b.photos.length - a.photos.length)[0];
  const files = group.photos.map((p) => p.relativePath);
  const move = (names, from, to) => {
    for (const f of names) {
      mkdirSync(dirname(join(to, f)), { recursive: true });
      renameSync(join(from, f), join(to, f));
    }
  };
  const timed = async (label, names, pattern) => {
    const mark = stdout.length;
    const cpu0 = cpuSeconds(child.pid);
    const t = performance.now();
    move(names, held, src);
    const said = await lineAfter(mark, pattern);
    line(
      label,
      `${((performance.now() - t) / 1000).toFixed(1)} s, ${(cpuSeconds(child.pid) - cpu0).toFixed(1)} s CPU (${said.replace(/^\S+ /, '')})`,
    );
  };
  let mark = stdout.length;
  move(files, src, held);
  await lineAfter(mark, /cycle \d+:/);
  await timed(`${files.length}-photo burst landing → group written`, files, /group_\d{4,} new/);
  mark = stdout.length;
  move(files.slice(-1), src, held);
  await lineAfter(mark, / changed| gone/);
  await timed('one frame landing → its group updated', files.slice(-1), /group_\d{4,} changed/);
  child.kill('SIGTERM');
  line('exit code after SIGTERM', String(await new Promise((resolve) => child.on('close', resolve))));
}
