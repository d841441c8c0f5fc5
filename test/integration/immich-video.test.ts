/**
 * Video clips on an Immich server (the fake, which picks posters and hides Live Photo motion
 * parts as the v3 server does): with --media-type video|all the VIDEO assets are listed and
 * grouped first from their thumbhash, length and time, then from their posters; only clips that
 * may be trims are downloaded whole. A Live Photo's motion part is never a clip of its own.
 * Actions, --undo and --dry-run work on clip groups as on photo groups. Needs `npm run build`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { panClip, PHOTOS, reencode } from '../support/clips.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { albums, archived, favorites, idOf, pathOf, snapshot, stacks, tagged, writeLines } from '../support/fake-immich/inspect.js';
import type { SeedAsset } from '../support/fake-immich/seed.js';
import { seedClip, seedStill } from '../support/fake-immich/seed-clip.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';

let base: string;
let seeds: SeedAsset[];
let takes: SeedAsset[];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'po-immich-video-'));
  const dir = join(base, 'clips');
  mkdirSync(dir);
  const original = panClip(join(dir, 'a-original.mp4'), { photo: 'boats-lake', seconds: 4, size: [640, 480], crf: 20 });
  reencode(original, join(dir, 'b-small.mp4'), { size: [320, 240], crf: 30 });
  reencode(original, join(dir, 'c-trimmed.mp4'), { start: 1.5, seconds: 2 });
  panClip(join(dir, 'd-other.mp4'), { photo: 'dandelions', seconds: 3 });
  // A Live Photo: a still and its 2 s motion clip of the same moment.
  panClip(join(dir, 'IMG_0100.MOV'), { photo: 'fig-bowl', seconds: 2, speed: 5 });
  const at = '2024-05-01T10:00:00.000Z';
  seeds = [
    await seedClip(join(dir, 'a-original.mp4'), 'a-original.mp4', { takenAt: at }),
    await seedClip(join(dir, 'b-small.mp4'), 'b-small.mp4', { takenAt: at }),
    await seedClip(join(dir, 'c-trimmed.mp4'), 'c-trimmed.mp4', { takenAt: at }),
    await seedClip(join(dir, 'd-other.mp4'), 'd-other.mp4', { takenAt: '2024-05-01T10:00:20.000Z' }),
    await seedClip(join(dir, 'IMG_0100.MOV'), 'IMG_0100.MOV', { takenAt: '2024-05-01T11:00:00.000Z' }),
    await seedStill(join(PHOTOS, 'fig-bowl.jpg'), 'IMG_0100.JPG', '2024-05-01T11:00:00.000Z'),
    await seedStill(join(PHOTOS, 'fig-bowl.jpg'), 'IMG_0100 copy.JPG', '2024-05-01T11:00:00.000Z', 0.5),
  ];
  // Two takes of another scene 20 s apart, the second out of focus, as in the folder test.
  panClip(join(dir, 'h-take1.mp4'), { photo: 'stream-forest', seconds: 3 });
  panClip(join(dir, 'i-take2.mp4'), { photo: 'stream-forest', seconds: 3, startX: 12, blur: 2.5 });
  takes = [
    await seedClip(join(dir, 'h-take1.mp4'), 'h-take1.mp4', { takenAt: '2024-05-01T12:00:00.000Z' }),
    await seedClip(join(dir, 'i-take2.mp4'), 'i-take2.mp4', { takenAt: '2024-05-01T12:00:23.000Z' }),
  ];
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function server(): Promise<FakeImmich> {
  const fake = await startFakeImmich(seeds, { pageSize: 3 });
  fake.state.linkLivePhoto(idOf(fake, 'IMG_0100.JPG'), idOf(fake, 'IMG_0100.MOV'));
  return fake;
}

const downloads = (fake: FakeImmich, kind: 'thumbnail' | 'original'): string[] =>
  fake.calls
    .filter((c) => c.path.endsWith(`/${kind}`))
    .map((c) => pathOf(fake, c.path.split('/')[3]!))
    .sort();

describe('Immich video clips', () => {
  it('--media-type image (the default) lists no clip', async () => {
    const fake = await server();
    try {
      const cache = join(base, 'image-cache');
      const run = await runImmichCli(fake, ['--immich-cache-dir', cache, '--tag-only', '--min-group-size', '2']);
      expect(run.code, run.stderr).toBe(0);
      const report = await readReport(join(cache, 'reports', 'latest.json'));
      expect(report.summary.photos).toBe(2);
      expect(downloads(fake, 'original')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('groups a clip with its re-encode and its trim (read whole: a possible trim), and tags, stacks and undoes them', async () => {
    const fake = await server();
    try {
      const cache = join(base, 'video-cache');
      const run = await runImmichCli(fake, [
        '--immich-cache-dir',
        cache,
        '--media-type',
        'all',
        '--tag-only',
        '--stack',
        '--min-group-size',
        '2',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = await readReport(join(cache, 'reports', 'latest.json'));
      // The Live Photo's motion part is hidden on the server: never listed, never a clip.
      expect(report.summary.photos).toBe(6);
      expect(report.groups.map((g) => [g.kind, g.photos.map((p) => p.relativePath).sort()])).toEqual([
        ['duplicate', ['IMG_0100 copy.JPG', 'IMG_0100.JPG']],
        ['duplicate', ['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']],
      ]);
      const clips = report.groups[1]!;
      expect(clips.photos.find((p) => p.isBest)?.relativePath).toBe('a-original.mp4');
      expect(clips.photos.every((p) => p.format === 'video' && p.video !== undefined)).toBe(true);
      // Only the clips that may be trims of one another were downloaded whole.
      expect(downloads(fake, 'original')).toEqual(['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']);
      expect(downloads(fake, 'thumbnail')).not.toContain('IMG_0100.MOV');
      const still = report.groups[0]!.photos.find((p) => p.relativePath === 'IMG_0100.JPG');
      expect(still?.livePhotoVideoId).toBe(idOf(fake, 'IMG_0100.MOV'));
      expect(tagged(fake, 'photo-organizer/group-0002')).toEqual(['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']);
      expect(stacks(fake).find((s) => s.cover === 'a-original.mp4')?.members).toEqual(['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']);

      fake.clearCalls();
      const again = await runImmichCli(fake, [
        '--immich-cache-dir',
        cache,
        '--media-type',
        'all',
        '--tag-only',
        '--stack',
        '--min-group-size',
        '2',
      ]);
      expect(again.code, again.stderr).toBe(0);
      expect(writeLines(fake)).toEqual([]);
      expect(downloads(fake, 'original')).toEqual([]);

      const undone = await runImmichCli(fake, ['--immich-cache-dir', cache, '--undo']);
      expect(undone.code, undone.stderr).toBe(0);
      expect(snapshot(fake)).toEqual({ tags: {}, albums: {}, favorites: [], archived: [], stacks: [] });
    } finally {
      await fake.close();
    }
  });

  it('writes clip groups and a Live Photo with its motion clip to the local tree, and favourites and archives', async () => {
    const fake = await server();
    try {
      const out = join(base, 'Organized');
      const run = await runImmichCli(fake, [
        ...['--immich-cache-dir', join(base, 'tree-cache'), '-o', out, '--media-type', 'all', '--min-group-size', '2'],
        ...['--mark-best-favorite', '--archive-non-best'],
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = await readReport(join(out, 'reports', 'latest.json'));
      const stills = report.groups.find((g) => g.best.endsWith('.JPG'))!;
      expect(readdirSync(join(out, stills.folder!, 'originals')).sort()).toEqual(['IMG_0100 copy.jpg', 'IMG_0100.jpg', 'IMG_0100.mov']);
      expect(readFileSync(join(out, stills.folder!, 'metadata.txt'), 'utf8')).toContain('live_photo_video: IMG_0100.mov');
      // The motion clip came from the server as the original of the hidden asset.
      expect(downloads(fake, 'original')).toContain('IMG_0100.MOV');
      expect(favorites(fake)).toEqual(expect.arrayContaining(['a-original.mp4']));
      expect(archived(fake)).toEqual(expect.arrayContaining(['b-small.mp4', 'c-trimmed.mp4']));
      expect(archived(fake)).not.toContain('a-original.mp4');
    } finally {
      await fake.close();
    }
  });

  it('judges a clip too large for the cache by its poster alone', async () => {
    const padded = seeds.map((s) =>
      s.relativePath === 'a-original.mp4' ? { ...s, original: Buffer.concat([s.original, Buffer.alloc(2 * 1024 * 1024)]) } : s,
    );
    const fake = await startFakeImmich(padded, { pageSize: 3 });
    try {
      const run = await runImmichCli(fake, [
        ...['--immich-cache-dir', join(base, 'small-cache'), '--immich-cache-size', '1', '--media-type', 'video'],
        ...['--tag-only', '--min-group-size', '2'],
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('1 clip larger than the cache (--immich-cache-size) judged by its poster alone.');
      expect(downloads(fake, 'original')).toEqual(['b-small.mp4', 'c-trimmed.mp4']);
      expect(tagged(fake, 'photo-organizer/group-0001')).toContain('a-original.mp4');
    } finally {
      await fake.close();
    }
  });

  it('--use-full-resolution reads every candidate clip whole and writes the clips themselves', async () => {
    const fake = await server();
    try {
      const out = join(base, 'Full');
      const run = await runImmichCli(fake, [
        ...['--immich-cache-dir', join(base, 'full-cache'), '-o', out, '--media-type', 'video', '--min-group-size', '2'],
        '--use-full-resolution',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = await readReport(join(out, 'reports', 'latest.json'));
      expect(report.groups.map((g) => g.photos.map((p) => p.relativePath).sort())).toEqual([
        ['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4'],
      ]);
      expect(report.groups[0]!.photos.every((p) => p.video!.keyFrames > 1 && p.video!.codec === 'h264')).toBe(true);
      expect(downloads(fake, 'thumbnail')).toEqual([]);
      expect(readdirSync(join(out, report.groups[0]!.folder!, 'originals')).sort()).toEqual([
        'a-original.mp4',
        'b-small.mp4',
        'c-trimmed.mp4',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('resumes after a kill while a whole clip downloads, downloading nothing twice, and albums the clip group', async () => {
    const fake = await server();
    try {
      const args = ['--immich-cache-dir', join(base, 'kill-cache'), '--media-type', 'video', '--create-albums', '--min-group-size', '2'];
      let child: ChildProcess | null = null;
      // The first whole clip asked for is answered slowly; the client dies waiting for it, the others downloaded.
      fake.inject({ method: 'GET', path: /\/original$/, delayMs: 30_000, onMatch: () => setTimeout(() => child?.kill('SIGKILL'), 1500) });
      const killed = await runImmichCli(fake, args, { onSpawn: (c) => (child = c) });
      expect(killed.signal).toBe('SIGKILL');
      const before = downloads(fake, 'original');
      fake.clearCalls();
      const resumed = await runImmichCli(fake, args);
      expect(resumed.code, resumed.stderr).toBe(0);
      // What the killed run had in full stays in the cache: only the rest is downloaded now.
      const now = downloads(fake, 'original');
      expect(now.length).toBeLessThan(3);
      expect(new Set([...before, ...now])).toEqual(new Set(['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']));
      expect(Object.values(albums(fake))).toEqual([['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']]);
    } finally {
      await fake.close();
    }
  });

  it('takes a second look at two takes whose posters cannot decide, and keeps it on a re-run', async () => {
    const fake = await startFakeImmich(takes, { pageSize: 3 });
    try {
      const cache = join(base, 'takes-cache');
      const args = ['--immich-cache-dir', cache, '--media-type', 'video', '--tag-only', '--min-group-size', '2'];
      const run = await runImmichCli(fake, args);
      expect(run.code, run.stderr).toBe(0);
      // Their posters (one instant of each take, the second shifted and blurred) are 14 bits apart: neither alike nor unrelated.
      expect(run.stderr).toContain('2 clips may be takes of one scene whose posters cannot tell');
      expect(downloads(fake, 'thumbnail')).toEqual(['h-take1.mp4', 'i-take2.mp4']);
      expect(downloads(fake, 'original')).toEqual(['h-take1.mp4', 'i-take2.mp4']);
      const report = await readReport(join(cache, 'reports', 'latest.json'));
      expect(report.groups.map((g) => [g.kind, g.best, g.photos.length])).toEqual([['similar', 'h-take1.mp4', 2]]);
      expect(report.groups[0]!.photos.every((p) => p.video!.keyFrames > 1 && p.video!.codec === 'h264')).toBe(true);

      fake.clearCalls();
      const again = await runImmichCli(fake, args);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Downloaded 0 pictures (0 B); 0 from the cache, 2 fingerprints from the catalog.');
      expect(writeLines(fake)).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('--limit N takes the N newest of photos and clips together', async () => {
    const fake = await server();
    try {
      const run = await runImmichCli(fake, [
        '--immich-cache-dir',
        join(base, 'limit'),
        '--media-type',
        'all',
        '--limit',
        '3',
        '--tag-only',
        '--dry-run',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Listed 3 photos /m);
      // The two stills (11:00) and the latest clip (10:00:20): the only ones looked at.
      const looked = new Set([...downloads(fake, 'thumbnail'), ...downloads(fake, 'original')]);
      for (const name of looked) expect(['IMG_0100.JPG', 'IMG_0100 copy.JPG', 'd-other.mp4']).toContain(name);
    } finally {
      await fake.close();
    }
  });

  it('--dry-run plans the clip group and changes nothing', async () => {
    const fake = await server();
    try {
      const run = await runImmichCli(fake, [
        '--immich-cache-dir',
        join(base, 'dry'),
        '--media-type',
        'video',
        '--tag-only',
        '--dry-run',
        '--min-group-size',
        '2',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(writeLines(fake)).toEqual([]);
      expect(run.stdout.split('\n').find((l) => l.startsWith('tag 3 photos photo-organizer/group-0001: '))).toMatch(/a-original\.mp4/);
    } finally {
      await fake.close();
    }
  });
});
