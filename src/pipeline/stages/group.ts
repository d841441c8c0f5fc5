/**
 * Group stage: read the run's fingerprints from the catalog and group them (pure core). The
 * groups are ranked and stored by the select stage, after face analysis (stages/select.ts).
 */
import type { Db } from '../../catalog/database.js';
import { type StoredPhoto, loadPhotos, sketchReader } from '../../catalog/photos.js';
import { groupPhotos, type GroupingStats } from '../../core/grouping.js';
import type { GroupKind } from '../../core/types.js';
import { prepareSketch } from '../../core/similarity.js';
import { lruCache } from '../lru.js';
import type { RunOptions } from '../options.js';
import type { ProgressSink } from '../progress.js';

/** A group before ranking: its members as photos, in path order. */
export interface FoundGroup {
  readonly kind: GroupKind;
  readonly members: readonly StoredPhoto[];
}

export interface GroupStageResult {
  readonly photos: readonly StoredPhoto[];
  readonly groups: readonly FoundGroup[];
  readonly stats: GroupingStats;
}

/** Prepared sketches kept in memory at once; grouping visits photos roughly in order. */
const SKETCH_CACHE = 4096;

export function groupStage(db: Db, runId: number, options: RunOptions, sink: ProgressSink): GroupStageResult {
  const photos = loadPhotos(db, runId);
  const read = sketchReader(db);
  const sketchOf = lruCache(SKETCH_CACHE, (index: number) => {
    const s = read(photos[index]!.id);
    return s ? prepareSketch(s.sketch, s.color) : null;
  });
  sink.start('group', null);
  const result = groupPhotos(
    photos.map((p) => ({ dhash: p.dhash, takenAtMs: p.meta.takenAt?.wallClockMs ?? null })),
    { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize },
    sketchOf,
    (done, total) => sink.update(done, total),
  );
  sink.finish();
  const groups = result.groups.map((g) => ({ kind: g.kind, members: g.members.map((i) => photos[i]!) }));
  return { photos, groups, stats: result.stats };
}
