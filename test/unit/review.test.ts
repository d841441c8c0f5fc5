/**
 * The review layer's parts that need no browser: decisions in the catalog, the view-models,
 * the output diff behind "apply", and the thumbnail cache.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/catalog/database.js';
import { immichScope, LOCAL_SCOPE, loadDecisions, removeLastDecision, saveDecision } from '../../src/catalog/decisions.js';
import { applyDecisions, type NumberedGroup } from '../../src/core/decisions.js';
import type { FaceAnalysis, FaceRecord } from '../../src/core/faces.js';
import { asPhotoId, type Photo } from '../../src/core/types.js';
import { planOutput } from '../../src/output/plan.js';
import { diffOutput } from '../../src/output/changes.js';
import { plannedFiles } from '../../src/output/journal.js';
import { ThumbnailCache } from '../../src/review/thumbs.js';
import {
  captureOrder,
  duration,
  faceMarks,
  groupDetail,
  groupPage,
  offsetLabel,
  type ReviewPhoto,
  spanLabel,
} from '../../src/review/view.js';
import { decision } from '../support/ids.js';
import { photoMetadata } from '../support/records.js';

const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

describe('decisions in the catalog', () => {
  it('keeps a log per scope, member sets sorted, and undo removes the newest', () => {
    const db = openDatabase(join(tmp('po-decisions-'), 'catalog.db'));
    const a = saveDecision(db, LOCAL_SCOPE, decision({ kind: 'pick', group: [3, 1, 2], photo: 2 }), new Date('2024-05-01T10:00:00Z'));
    const b = saveDecision(db, LOCAL_SCOPE, decision({ kind: 'split', group: [1, 2, 3], part: [3] }), new Date());
    saveDecision(db, immichScope('https://photos.example.com/api'), decision({ kind: 'exclude', group: [1, 2], photo: 1 }), new Date());
    expect(loadDecisions(db, LOCAL_SCOPE).map((d) => [d.id, d.decision])).toEqual([
      [a, { kind: 'pick', group: [1, 2, 3], photo: 2 }],
      [b, { kind: 'split', group: [1, 2, 3], part: [3] }],
    ]);
    expect(removeLastDecision(db, LOCAL_SCOPE)?.id).toBe(b);
    expect(loadDecisions(db, LOCAL_SCOPE).map((d) => d.id)).toEqual([a]);
    expect(loadDecisions(db, immichScope('https://photos.example.com/api'))).toHaveLength(1);
    expect(removeLastDecision(db, LOCAL_SCOPE)?.id).toBe(a);
    expect(removeLastDecision(db, LOCAL_SCOPE)).toBeNull();
    db.close();
  });

  it('refuses a malformed row instead of replaying it', () => {
    const db = openDatabase(join(tmp('po-decisions-'), 'catalog.db'));
    db.prepare("INSERT INTO decisions (scope, kind, data, created_at) VALUES ('local', 'pick', '{\"group\":[1,2]}', 'now')").run();
    expect(() => loadDecisions(db, LOCAL_SCOPE)).toThrow(/malformed review decision \(row 1, pick\)/);
    db.close();
  });
});

const photo = (id: number, name: string, takenAtMs: number | null, hasFaces = false): ReviewPhoto => ({
  id: asPhotoId(id),
  name,
  relativePath: `2024/${name}`,
  takenAtMs,
  width: 4000,
  height: 3000,
  size: 1000 + id,
  format: 'jpeg',
  durationS: null,
  version: `v${id}`,
  hasFaces,
  camera: { exposureTime: 1 / 250, fNumber: 2.8, iso: 400, focalLength: 35 },
  quality: { sharpness: 100 * id, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
});

const T0 = Date.UTC(2024, 4, 1, 14, 3, 7);
const photos = new Map(
  [
    photo(1, 'IMG_1.JPG', T0),
    photo(2, 'IMG_2.JPG', T0 + 400, true),
    photo(3, 'IMG_3.JPG', T0 + 4200),
    photo(10, 'copy.jpg', null),
    photo(11, 'copy.png', null),
  ].map((p) => [p.id, p]),
);
const member = (photoId: number, isBest = false) => ({
  photoId: asPhotoId(photoId),
  score: isBest ? 0.9 : 0.5,
  reason: isBest ? 'sharpest' : 'blurred',
  isBest,
});
const ranked: NumberedGroup[] = [
  { number: 1, kind: 'burst', members: [member(1), member(2, true), member(3)] },
  { number: 2, kind: 'duplicate', members: [member(10, true), member(11)] },
];

const NO_MARKS_FILTER = { closeCalls: false, blinks: false, unreviewed: false };
/** Group 1 reviewed; nobody blinks. */
const MARKS = { reviewed: (g: { number: number }) => g.number === 1, blinks: () => false };

describe('review view-models', () => {
  it('pages and filters the grid cards, cover = best', () => {
    const { groups } = applyDecisions(ranked, [{ id: 1, decision: decision({ kind: 'pick', group: [10, 11], photo: 11 }) }]);
    const all = groupPage(groups, photos, { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER }, MARKS, 0, 10);
    expect(all.total).toBe(2);
    expect(all.cards[0]).toMatchObject({
      number: 1,
      folder: 'group_0001',
      count: 3,
      cover: { id: 2 },
      time: '2024-05-01 14:03',
      duration: '4.2 s',
      hasFaces: true,
      changed: false,
    });
    expect(all.cards[1]).toMatchObject({ cover: { id: 11 }, span: 'no capture time', time: null, duration: null, changed: true });
    expect(
      groupPage(groups, photos, { kind: 'duplicate', faces: null, changed: false, ...NO_MARKS_FILTER }, MARKS, 0, 10).cards.map(
        (c) => c.number,
      ),
    ).toEqual([2]);
    expect(
      groupPage(groups, photos, { kind: null, faces: true, changed: false, ...NO_MARKS_FILTER }, MARKS, 0, 10).cards.map((c) => c.number),
    ).toEqual([1]);
    expect(
      groupPage(groups, photos, { kind: null, faces: false, changed: true, ...NO_MARKS_FILTER }, MARKS, 0, 10).cards.map((c) => c.number),
    ).toEqual([2]);
    expect(groupPage(groups, photos, { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER }, MARKS, 1, 10)).toMatchObject({
      total: 2,
      offset: 1,
      cards: [{ number: 2 }],
    });
  });

  it('filters close calls, blinks and groups not reviewed yet, and marks the cards', () => {
    const close = {
      number: 3,
      kind: 'burst' as const,
      members: [
        { ...member(21, true), score: 0.8 },
        { ...member(22), score: 0.78 },
      ],
    };
    const extra = new Map([...photos, ...[photo(21, 'A.JPG', T0), photo(22, 'B.JPG', T0 + 300)].map((p) => [p.id, p] as const)]);
    const { groups } = applyDecisions([...ranked, close], []);
    const marks = { reviewed: (g: { number: number }) => g.number === 1, blinks: (g: { number: number }) => g.number === 2 };
    const numbers = (f: Partial<typeof NO_MARKS_FILTER>): number[] =>
      groupPage(groups, extra, { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER, ...f }, marks, 0, 10).cards.map(
        (c) => c.number,
      );
    expect(numbers({ closeCalls: true })).toEqual([3]);
    expect(numbers({ blinks: true })).toEqual([2]);
    expect(numbers({ unreviewed: true })).toEqual([2, 3]);
    expect(numbers({ unreviewed: true, closeCalls: true })).toEqual([3]);
    const cards = groupPage(groups, extra, { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER }, marks, 0, 10).cards;
    expect(cards.map((c) => [c.number, c.reviewed, c.closeCall])).toEqual([
      [1, true, false],
      [2, false, false],
      [3, false, true],
    ]);
  });

  it('describes a group with its neighbours, times and history', () => {
    const log = [{ id: 7, decision: decision({ kind: 'exclude' as const, group: [1, 2, 3], photo: 3 }) }];
    const { groups } = applyDecisions([...ranked, { number: 3, kind: 'similar', members: [member(10), member(11, true)] }], log);
    const detail = groupDetail(groups[0]!, groups, photos, new Map(), log);
    expect(detail).toMatchObject({
      number: 1,
      index: 0,
      total: 3,
      previous: null,
      next: 2,
      changed: true,
      history: ['took IMG_3.JPG out of the group'],
    });
    expect(detail.frames.map((f) => [f.name, f.time, f.isBest])).toEqual([
      ['IMG_1.JPG', '14:03:07', false],
      ['IMG_2.JPG', '14:03:07.400', true],
    ]);
  });

  it('shows frames in capture order with their offsets, and splits by time', () => {
    // Ranked in name order; captured 3, 1, 2 (a camera whose counter wrapped), one without a time.
    const timed = new Map([
      ...photos,
      ...[photo(21, 'A.JPG', T0 + 550), photo(22, 'B.JPG', T0 + 1000), photo(23, 'C.JPG', T0), photo(24, 'D.JPG', null)].map(
        (p) => [p.id, p] as const,
      ),
    ]);
    const g = { number: 4, kind: 'burst' as const, members: [member(21), member(22, true), member(23), member(24)] };
    expect(captureOrder(g.members, timed).map((m) => m.photoId)).toEqual([23, 21, 22, 24]);
    const { groups } = applyDecisions([g], []);
    const detail = groupDetail(groups[0]!, groups, timed, new Map(), []);
    expect(detail.frames.map((f) => [f.name, f.offset])).toEqual([
      ['C.JPG', null],
      ['A.JPG', '+0.6 s'],
      ['B.JPG', '+1.0 s'],
      ['D.JPG', null],
    ]);
    expect(offsetLabel(95_000)).toBe('+1 min 35 s');
  });

  it("recomputes the best photo's lead once the runner-up it was compared with has left", () => {
    const scored = (photoId: number, score: number, reason: string, isBest = false) => ({
      photoId: asPhotoId(photoId),
      score,
      reason,
      isBest,
    });
    const g: NumberedGroup = {
      number: 1,
      kind: 'burst',
      members: [scored(1, 0.6, 'blurred'), scored(2, 0.95, 'sharpest, beats IMG_3.JPG on sharpness', true), scored(3, 0.9, 'sharp')],
    };
    const untouched = applyDecisions([g], []).groups[0]!;
    expect(groupDetail(untouched, [untouched], photos, new Map(), []).frames[1]!.reason).toBe('sharpest, beats IMG_3.JPG on sharpness');
    const log = [{ id: 1, decision: decision({ kind: 'exclude', group: [1, 2, 3], photo: 3 }) }];
    const after = applyDecisions([g], log).groups[0]!;
    expect(after.members.find((m) => m.isBest)!.reason).toBe('sharpest');
    const best = groupDetail(after, [after], photos, new Map(), log).frames.find((f) => f.isBest)!;
    expect(best.reason).toBe('sharpest, leads IMG_1.JPG by 0.350 in score');
    // A split leaves each part without the old comparison too.
    const split = applyDecisions([g], [{ id: 1, decision: decision({ kind: 'split', group: [1, 2, 3], part: [2] }) }]).groups;
    expect(split.flatMap((x) => x.members.map((m) => m.reason))).not.toContain('sharpest, beats IMG_3.JPG on sharpness');
  });

  it('judges eyes against the same person in the other frames', () => {
    const face = (x: number, aspect: number, smile = 0.1): FaceRecord => ({
      confidence: 0.9,
      box: { x, y: 0.2, width: 0.1, height: 0.15 },
      yaw: 0,
      pitch: 0,
      leftEye: { aspect, irisShown: null },
      rightEye: { aspect, irisShown: null },
      happy: smile,
      smileShape: smile,
      smile,
      sharpness: 1,
      descriptor: new Float32Array(),
    });
    const frame = (faces: FaceRecord[]): FaceAnalysis => ({ analyzer: 'test', width: 1600, height: 1200, faces, note: null });
    // Person A (left) blinks in the second frame; person B (right) has narrow eyes in both.
    const marks = faceMarks([frame([face(0.1, 0.32), face(0.6, 0.2, 0.8)]), frame([face(0.11, 0.05), face(0.61, 0.19)]), null]);
    expect(marks.map((f) => f.map((x) => [x.eyes, x.smiling]))).toEqual([
      [
        ['open', false],
        ['open', true],
      ],
      [
        ['closed', false],
        ['open', false],
      ],
      [],
    ]);
  });

  it('counts the clips of a group and gives each clip its length, whether its file or its server holds it', () => {
    const clip = (id: number, name: string, durationS: number, format = 'video'): ReviewPhoto => ({
      ...photo(id, name, T0 + id * 1000),
      format,
      durationS,
    });
    const clips = new Map([clip(20, 'a.mp4', 12.4), clip(21, 'b.mov', 3725), clip(22, 'c.mov', 4, 'picture')].map((p) => [p.id, p]));
    const group: NumberedGroup = { number: 5, kind: 'similar', members: [member(20, true), member(21), member(22)] };
    const { groups } = applyDecisions([group], []);
    const card = groupPage(groups, clips, { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER }, MARKS, 0, 10).cards[0]!;
    expect(card).toMatchObject({ count: 3, clips: 3, cover: { id: 20, length: '0:12' } });
    const frames = groupDetail(groups[0]!, groups, clips, new Map(), []).frames;
    expect(frames.map((f) => f.clip)).toEqual([{ length: '0:12' }, { length: '1:02:05' }, { length: '0:04' }]);
    const still = groupPage(
      applyDecisions(ranked, []).groups,
      photos,
      { kind: null, faces: null, changed: false, ...NO_MARKS_FILTER },
      MARKS,
      0,
      1,
    );
    expect(still.cards[0]).toMatchObject({ clips: 0, cover: { length: null } });
  });

  it('labels time spans', () => {
    expect(spanLabel([null, null])).toBe('no capture time');
    expect(spanLabel([T0])).toBe('2024-05-01 14:03:07');
    expect(spanLabel([T0 + 95_000, T0, null])).toBe('2024-05-01 14:03:07 · 1 min 35 s');
    expect([0, 400, 4200, 60_000, 7_500_000].map(duration)).toEqual(['same second', '0.4 s', '4.2 s', '1 min', '2 h 5 min']);
  });
});

describe('the output diff behind apply', () => {
  const stored = (id: number, name: string): Photo => ({
    id: asPhotoId(id),
    path: `/photos/${name}`,
    relativePath: name,
    size: 100 * id,
    mtimeMs: 1_700_000_000_000,
    meta: photoMetadata(),
    dhash: 0n,
    quality: { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
  });
  const all = new Map([1, 2, 3, 10, 11].map((id) => [id, stored(id, `IMG_${id}.JPG`)]));
  const plan = (groups: readonly NumberedGroup[]) =>
    planOutput({
      outputRoot: '/out',
      localOffset: () => 0,
      groups: groups.map((g) => ({ number: g.number, photos: g.members.map((x) => ({ photo: all.get(x.photoId)!, decision: x })) })),
    });
  const written = (groups: readonly NumberedGroup[]) => plannedFiles(plan(groups));

  it('finds nothing to do when the folders hold what the groups call for', () => {
    const diff = diffOutput(plan(ranked), written(ranked));
    expect(diff.changes).toEqual([]);
    expect(diff.plan.operations).toEqual([]);
    expect(diff.stale).toEqual([]);
  });

  it('redoes only the changed folders: a new best, a split-off part, a merged-away group', () => {
    const { groups } = applyDecisions(ranked, [
      { id: 1, decision: decision({ kind: 'pick', group: [1, 2, 3], photo: 1 }) },
      { id: 2, decision: decision({ kind: 'split', group: [1, 2, 3], part: [3] }) },
    ]);
    // Group 1 lost photo 3 to a group of one, which is dropped.
    const diff = diffOutput(plan(groups), written(ranked));
    expect(diff.changes).toEqual([
      { folder: 'group_0001', status: 'changed', text: 'best IMG_2.JPG → IMG_1.JPG, 1 photo fewer (IMG_3.JPG)' },
    ]);
    expect(diff.plan.operations.every((op) => op.dir.startsWith('/out/group_0001'))).toBe(true);
    expect(diff.stale).toEqual(['/out/group_0001/originals/IMG_3.JPG', '/out/group_0001/best_IMG_2.JPG']);

    const merged = applyDecisions(ranked, [{ id: 3, decision: decision({ kind: 'merge', group: [10, 11], other: [1, 2, 3] }) }]).groups;
    expect(diffOutput(plan(merged), written(ranked)).changes).toEqual([
      { folder: 'group_0001', status: 'removed', text: 'folder removed (3 photos: now in another group or in none)' },
      { folder: 'group_0002', status: 'changed', text: '3 photos more (IMG_1.JPG, IMG_2.JPG, IMG_3.JPG)' },
    ]);

    const split = applyDecisions(
      [{ number: 1, kind: 'burst', members: [member(1), member(2, true), member(3), member(10)] }],
      [{ id: 5, decision: decision({ kind: 'split', group: [1, 2, 3, 10], part: [3, 10] }) }],
    ).groups;
    expect(diffOutput(plan(split), []).changes.map((c) => [c.folder, c.status, c.text])).toEqual([
      ['group_0001', 'new', 'new folder: 2 photos, best IMG_2.JPG'],
      ['group_0002', 'new', 'new folder: 2 photos, best IMG_3.JPG'],
    ]);
  });

  it('says when a group folder loses or gains its HDR merge', () => {
    const hdr = { name: 'hdr_merged.jpg', from: '/cat/enhanced/hdr-1.jpg', size: 500, mtimeMs: 1, label: 'HDR merge' };
    const withHdr = planOutput({
      outputRoot: '/out',
      localOffset: () => 0,
      groups: ranked.map((g, i) => ({
        number: g.number,
        photos: g.members.map((x) => ({ photo: all.get(x.photoId)!, decision: x })),
        extras: i === 0 ? [hdr] : [],
      })),
    });
    const writtenWithHdr = plannedFiles(withHdr);
    expect(diffOutput(withHdr, writtenWithHdr).changes).toEqual([]);
    const lost = diffOutput(plan(ranked), writtenWithHdr);
    expect(lost.changes).toEqual([
      {
        folder: 'group_0001',
        status: 'changed',
        text: 'hdr_merged.jpg removed (its frames changed: the next run of the organizer merges them again)',
      },
    ]);
    expect(lost.stale).toEqual(['/out/group_0001/hdr_merged.jpg']);
    expect(diffOutput(withHdr, written(ranked)).changes.map((c) => c.text)).toEqual(['hdr_merged.jpg added']);
  });
});

describe('ThumbnailCache', () => {
  it('makes an image once, shares concurrent asks, and evicts the least recently used past the cap', async () => {
    const dir = tmp('po-thumbs-');
    const cache = await ThumbnailCache.open(dir, 250, 1);
    let made = 0;
    const make = (fill: number) => async () => {
      made++;
      return Buffer.alloc(100, fill);
    };
    const [a1, a2] = await Promise.all([cache.get('a', make(1)), cache.get('a', make(9))]);
    expect(a1).toEqual(a2);
    expect(made).toBe(1);
    await cache.get('b', make(2));
    await cache.get('a', make(1)); // a is now the most recently used
    await cache.get('c', make(3)); // over 250 bytes: b goes
    expect(made).toBe(3);
    expect(cache.stats).toEqual({ files: 2, bytes: 200 });
    expect((await cache.get('a', make(7)))[0]).toBe(1);
    expect(made).toBe(3);
    await cache.get('b', make(2));
    expect(made).toBe(4);

    // A restart finds the files again, oldest use first.
    const again = await ThumbnailCache.open(dir, 250, 1);
    expect(again.stats).toEqual({ files: 2, bytes: 200 });
    const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.jpg'));
    expect(files).toHaveLength(2);
  });
});
