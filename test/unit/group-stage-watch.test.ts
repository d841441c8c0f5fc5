/**
 * The group stage of a --watch cycle on a real temporary catalog: it starts from the groups of the
 * run before (when that run finished with the same options) and regroups only around the photos
 * fingerprinted in this cycle.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { saveFingerprints, syncItems } from '../../src/catalog/items.js';
import { beginRun, finishRun, saveGroups } from '../../src/catalog/runs.js';
import type { PhotoId } from '../../src/core/types.js';
import { DEFAULT_OPTIONS, type RunOptions, runOptionsSchema } from '../../src/pipeline/options.js';
import { silentProgress } from '../../src/pipeline/progress.js';
import { earlierRun, groupStage, itemsSeenBefore } from '../../src/pipeline/stages/group.js';
import { imageQuality, photoMetadata } from '../support/records.js';
import { sceneFrame } from '../support/sketch-scenes.js';

const options = (changes: Record<string, unknown> = {}): RunOptions =>
  runOptionsSchema.parse({ ...DEFAULT_OPTIONS, source: '/photos', output: '/organized', watch: true, ...changes });

/** Three frames of scene 1, two of scene 2, and two unrelated pictures (scenes 3 and 4). */
const FRAMES = [
  sceneFrame(1, 0),
  sceneFrame(1, 1),
  sceneFrame(1, 2),
  sceneFrame(2, 0),
  sceneFrame(2, 1),
  sceneFrame(3, 0),
  sceneFrame(4, 0),
];

interface Catalog {
  readonly db: Db;
  readonly ids: PhotoId[];
  /** Lists and fingerprints items `indexes` in a new run; returns the run's id. */
  run(runOptions: RunOptions, indexes: readonly number[]): number;
}

function catalog(): Catalog {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-regroup-')), 'catalog.db'));
  const ids: PhotoId[] = [];
  return {
    db,
    ids,
    run(runOptions, indexes) {
      const run = beginRun(db, JSON.stringify(runOptions), new Date()).id;
      const entries = indexes.map((i) => ({ key: `IMG_${i}.JPG`, version: 'v1', size: 1000, mtimeMs: 1 }));
      const listed = syncItems(db, 'local', run, entries).ids;
      indexes.forEach((i, k) => {
        ids[i] = listed[k]!;
      });
      saveFingerprints(
        db,
        indexes.map((i) => ({
          id: ids[i]!,
          pixels: 'original' as const,
          meta: photoMetadata({ takenAt: null }),
          fingerprint: { dhash: FRAMES[i]!.dhash, sketch: FRAMES[i]!.luma, color: FRAMES[i]!.color, quality: imageQuality() },
        })),
      );
      return run;
    },
  };
}

const pass = (ids: readonly PhotoId[]) => [{ person: null, ids, candidates: new Set(ids), fixedGroups: null }];
const membersOf = (c: Catalog, groups: { members: readonly { id: PhotoId }[] }[]): number[][] =>
  groups.map((g) => g.members.map((m) => c.ids.indexOf(m.id)).sort()).sort();

/**
 * The run before grouped frames 0 and 1, frames 3 and 4, and — as a different grouping could
 * have — the unrelated pictures 5 and 6; frame 2 of scene 1 arrives now.
 */
function watched(before: RunOptions, now: RunOptions, finished = true): { c: Catalog; run: number } {
  const c = catalog();
  const first = c.run(before, [0, 1, 3, 4, 5, 6]);
  const member = (i: number) => ({ photoId: c.ids[i]!, score: 0, reason: '', isBest: false });
  saveGroups(c.db, first, [
    { number: 1, kind: 'burst', members: [member(0), member(1)] },
    { number: 2, kind: 'similar', members: [member(5), member(6)] },
    { number: 3, kind: 'burst', members: [member(3), member(4)] },
  ]);
  if (finished) finishRun(c.db, first, new Date());
  return { c, run: c.run(now, [0, 1, 2, 3, 4, 5, 6]) };
}

const passOptions = { threshold: 5, timeWindow: 300, minGroupSize: 2 };

describe('the group stage in a watch cycle', () => {
  it('adds the new frame to its burst and keeps every other group exactly', () => {
    const { c, run } = watched(options(), options({ forceFresh: false }));
    const earlier = earlierRun(c.db, run, options(), [c.ids[2]!]);
    expect(earlier).not.toBeNull();
    const { groups } = groupStage(c.db, pass(c.ids), passOptions, silentProgress, earlier);
    expect(membersOf(c, groups)).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
    // A full grouping would not have kept the unrelated pair: the cycle really started from the run before.
    expect(membersOf(c, groupStage(c.db, pass(c.ids), passOptions, silentProgress).groups)).not.toContainEqual([5, 6]);
  });

  it('groups everything when the run is no watch cycle, the run before did not finish, or its options differ', () => {
    const plain = watched(options({ watch: false }), options({ watch: false }));
    expect(earlierRun(plain.c.db, plain.run, options({ watch: false }), [plain.c.ids[2]!])).toBeNull();
    const broken = watched(options(), options(), false);
    expect(earlierRun(broken.c.db, broken.run, options(), [broken.c.ids[2]!])).toBeNull();
    const stricter = watched(options(), options({ threshold: 3 }));
    expect(earlierRun(stricter.c.db, stricter.run, options({ threshold: 3 }), [stricter.c.ids[2]!])).toBeNull();
    const fresh = watched(options(), options({ forceFresh: true }));
    expect(earlierRun(fresh.c.db, fresh.run, options({ forceFresh: true }), [fresh.c.ids[2]!])).toBeNull();
  });

  it('counts a photo back in the folder as changed: the run before did not list it', () => {
    const c = catalog();
    c.run(options(), [0, 1, 2, 3]);
    c.run(options(), [0, 1, 2]);
    const third = beginRun(c.db, JSON.stringify(options()), new Date()).id;
    expect([...itemsSeenBefore(c.db, third, 'local')].sort()).toEqual([c.ids[0], c.ids[1], c.ids[2]].sort());
  });
});
