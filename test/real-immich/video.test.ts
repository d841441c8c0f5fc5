/**
 * Video clips on a real Immich v3.1.0 server: tiny clips made now from the fixture stills (a clip,
 * its re-encode at another size, an unrelated clip) and a Live Photo (a still uploaded with its
 * MOV's id as `livePhotoVideoId`, which hides the MOV). With --media-type video the copies make
 * one duplicate group, tagged and stacked on the server with the larger copy as the cover; the
 * Live Photo's MOV is never listed; --undo takes everything back.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hamming, hexToHash } from '../../src/core/dhash.js';
import { thumbFeatures, thumbLikeness } from '../../src/core/prefilter.js';
import { readReport } from '../../src/report/write.js';
import { panClip, PHOTOS, reencode } from '../support/clips.js';
import { reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';
import { runRealCli } from './support/cli.js';
import { settled, tagsByPath } from './support/observe.js';
import { freshUser, type ImmichUser, realServer, removeUser } from './support/server.js';

let user: ImmichUser;
const ids = new Map<string, string>();
const paths = new Map<string, string>();
let cache: string;

interface AssetInfo {
  readonly id: string;
  readonly type: string;
  readonly thumbhash: string | null;
  readonly duration: number | null;
  readonly visibility: string;
  readonly livePhotoVideoId?: string | null;
  readonly exifInfo?: { readonly fileSizeInByte?: number | null };
}

beforeAll(async () => {
  user = await freshUser(realServer(), 'video');
  const dir = mkdtempSync(join(tmpdir(), 'po-real-video-'));
  cache = join(dir, 'cache');
  const at = '2024-06-01T09:00:00Z';
  const a = panClip(join(dir, 'a-clip.mp4'), { photo: 'boats-lake', seconds: 2, creationTime: at });
  reencode(a, join(dir, 'b-small.mp4'), { size: [160, 120], crf: 30 });
  panClip(join(dir, 'c-other.mp4'), { photo: 'dandelions', seconds: 2, creationTime: '2024-06-01T09:00:30Z' });
  panClip(join(dir, 'IMG_0200.MOV'), { photo: 'fig-bowl', seconds: 2, speed: 5, creationTime: '2024-06-01T10:00:00Z' });
  const modified = new Date('2024-06-02T00:00:00Z');
  for (const name of ['a-clip.mp4', 'b-small.mp4', 'c-other.mp4', 'IMG_0200.MOV'])
    ids.set(name, await user.upload(name, readFileSync(join(dir, name)), modified));
  ids.set(
    'IMG_0200.JPG',
    await user.upload('IMG_0200.JPG', readFileSync(join(PHOTOS, 'fig-bowl.jpg')), modified, { livePhotoVideoId: ids.get('IMG_0200.MOV')! }),
  );
  const copy = await sharp(join(PHOTOS, 'fig-bowl.jpg')).resize(800).jpeg({ quality: 85 }).toBuffer();
  ids.set('IMG_0200 copy.JPG', await user.upload('IMG_0200 copy.JPG', copy, modified));
  for (const [name, id] of ids) paths.set(id, name);
  // The server reads each clip (duration, thumbhash from its poster) in background jobs.
  const started = Date.now();
  for (;;) {
    const infos = await Promise.all([...ids.values()].map((id) => user.get<AssetInfo>(`/assets/${id}`)));
    const waiting = infos.filter(
      // A Live Photo's hidden MOV gets no thumbnail (nor thumbhash): the server never shows it.
      (i) =>
        (i.thumbhash === null && i.visibility !== 'hidden') ||
        (i.type === 'VIDEO' && !((i.duration ?? 0) > 0)) ||
        i.exifInfo?.fileSizeInByte == null,
    );
    if (waiting.length === 0) break;
    if (Date.now() - started > 120_000) {
      const state = waiting.map((i) => `${paths.get(i.id)} (thumbhash ${i.thumbhash !== null}, duration ${i.duration})`);
      throw new Error(`The server had not processed ${state.join(', ')} after 120 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

afterAll(async () => {
  if (user) await removeUser(user);
});

describe('video clips on a real Immich server', () => {
  it('links the Live Photo the way the app does: the MOV is hidden and the still points at it', async () => {
    const still = await user.get<AssetInfo>(`/assets/${ids.get('IMG_0200.JPG')}`);
    const motion = await user.get<AssetInfo>(`/assets/${ids.get('IMG_0200.MOV')}`);
    expect(still.livePhotoVideoId).toBe(ids.get('IMG_0200.MOV'));
    expect(motion.visibility).toBe('hidden');
  });

  it('groups a clip with its re-encode, tags and stacks them, and undoes it', async () => {
    const run = await runRealCli(user, [
      '--immich-cache-dir',
      cache,
      '--media-type',
      'video',
      '--tag-only',
      '--stack',
      '--min-group-size',
      '2',
      '--threads',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = await readReport(join(cache, 'reports', 'latest.json'));
    // Three clips: the Live Photo's MOV is hidden by the server and never listed as one.
    expect(report.summary.photos).toBe(3);
    expect(report.ungrouped).toEqual(['c-other.mp4']);
    expect(report.groups.map((g) => [g.kind, g.photos.map((p) => p.relativePath).sort()])).toEqual([
      ['duplicate', ['a-clip.mp4', 'b-small.mp4']],
    ]);
    expect(report.groups[0]!.best).toBe('a-clip.mp4');
    // The measurement behind "the poster decides a re-encode": poster dHashes and thumbhashes of the copies.
    const [pa, pb] = report.groups[0]!.photos.map((p) => hexToHash(p.dhash));
    const infos = await Promise.all(['a-clip.mp4', 'b-small.mp4', 'c-other.mp4'].map((n) => user.get<AssetInfo>(`/assets/${ids.get(n)}`)));
    const th = infos.map((i) => thumbFeatures(new Uint8Array(Buffer.from(i.thumbhash!, 'base64'))));
    console.log(
      `Real server posters: copies ${hamming(pa!, pb!)} bits apart; thumbhash likeness copies ${thumbLikeness(th[0]!, th[1]!).correlation.toFixed(3)}, ` +
        `other scene ${thumbLikeness(th[0]!, th[2]!).correlation.toFixed(3)}`,
    );
    const lib = { ids, paths };
    const state = await settled(user, lib);
    expect(tagsByPath(state)).toEqual({
      'a-clip.mp4': ['photo-organizer/best', 'photo-organizer/group-0001'],
      'b-small.mp4': ['photo-organizer/group-0001', 'photo-organizer/non-best'],
    });
    expect(state.stacks).toEqual([{ cover: 'a-clip.mp4', members: ['a-clip.mp4', 'b-small.mp4'] }]);

    const undone = await runRealCli(user, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    const after = await settled(user, lib);
    expect(tagsByPath(after)).toEqual({});
    expect(after.stacks).toEqual([]);
  });

  it('judges the Live Photo still as a photo with --media-type all, its MOV copied next to it', async () => {
    const out = join(cache, '..', 'Organized');
    const run = await runRealCli(user, [
      '--immich-cache-dir',
      join(cache, '..', 'all-cache'),
      '-o',
      out,
      '--media-type',
      'all',
      '--min-group-size',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.summary.photos).toBe(5);
    const stills = report.groups.find((g) => g.photos.some((p) => p.relativePath === 'IMG_0200.JPG'));
    expect(stills?.photos.map((p) => p.relativePath).sort()).toEqual(['IMG_0200 copy.JPG', 'IMG_0200.JPG']);
    expect(stills?.photos.find((p) => p.relativePath === 'IMG_0200.JPG')?.livePhotoVideoId).toBe(ids.get('IMG_0200.MOV'));
    // The stills are the server's previews (hence .jpg); the motion clip is its original.
    expect(readdirSync(join(out, stills!.folder!, 'originals')).sort()).toEqual(['IMG_0200 copy.jpg', 'IMG_0200.jpg', 'IMG_0200.mov']);
    expect(readFileSync(join(out, stills!.folder!, 'metadata.txt'), 'utf8')).toContain('live_photo_video: IMG_0200.mov');
  });

  it('plays a clip on the review page, relayed from /video/playback in byte ranges', async () => {
    const out = join(cache, '..', 'Organized');
    const review = await startReview(['-o', out, '--immich-cache-dir', join(cache, '..', 'all-cache')], { IMMICH_API_KEY: user.apiKey });
    try {
      const api = reviewApi(review);
      const groups = (await api('groups?limit=50')).body.cards as { number: number }[];
      const frames = (await Promise.all(groups.map(async (g) => (await api(`groups/${g.number}`)).body.frames))).flat();
      const clip = frames.find((f: { name: string }) => f.name === 'a-clip.mp4');
      const { origin, cookie } = reviewCookie(review);
      const get = (range: string) => fetch(`${origin}/clip/${clip.id}`, { headers: { cookie, range } });
      const head = await get('bytes=0-99');
      expect(head.status).toBe(206);
      expect(head.headers.get('content-type')).toBe('video/mp4');
      const size = Number(/^bytes 0-99\/(\d+)$/.exec(head.headers.get('content-range') ?? '')?.[1]);
      expect(size).toBeGreaterThan(100);
      // An MP4 opens with its `ftyp` box.
      expect(
        Buffer.from(await head.arrayBuffer())
          .subarray(4, 8)
          .toString('latin1'),
      ).toBe('ftyp');
      const tail = await get(`bytes=${size - 10}-`);
      expect(tail.status).toBe(206);
      expect((await tail.arrayBuffer()).byteLength).toBe(10);
      // Past the end: Immich answers 404 (its sendFile fails on send's 416); a HEAD finds the clip there.
      const beyond = await get(`bytes=${size}-`);
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
      expect(review.output()).not.toContain(user.apiKey);
    } finally {
      await stopReview(review.child);
    }
  });
});
