/**
 * Group stage: read the run's fingerprints from the catalog and group them (pure core). The
 * groups are ranked and stored by the select stage, after face analysis (stages/select.ts).
 * Grouping needs a hash, a time and a path per photo; full records (with EXIF) are loaded for
 * the grouped photos only, so memory follows the groups, not the library.
 */
import type { Db } from '../../catalog/database.js';
import { loadPhotoKeys, loadPhotosById, type PhotoKey, type StoredPhoto, sketchReader } from '../../catalog/photos.js';
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
  /** Every fingerprinted photo of the run, in path order. */
  readonly photos: readonly PhotoKey[];
  readonly groups: readonly FoundGroup[];
  readonly stats: GroupingStats;
}

/** Prepared sketches kept in memory at once; grouping visits photos roughly in order. */
const SKETCH_CACHE = 4096;

export function groupStage(db: Db, runId: number, options: RunOptions, sink: ProgressSink): GroupStageResult {
  const photos = loadPhotoKeys(db, runId);
  const read = sketchReader(db);
  const sketchOf = lruCache(SKETCH_CACHE, (index: number) => {
    const s = read(photos[index]!.id);
    return s ? prepareSketch(s.sketch, s.color) : null;
  });
  sink.start('group', null);
  const result = groupPhotos(
    photos.map((p) => ({ dhash: p.dhash, takenAtMs: p.takenAtMs })),
    { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize },
    sketchOf,
    (done, total) => sink.update(done, total),
  );
  sink.finish();
  const full = new Map(loadPhotosById(db, result.groups.flatMap((g) => g.members.map((i) => photos[i]!.id))).map((p) => [p.id, p]));
  const groups = result.groups.map((g) => ({ kind: g.kind, members: g.members.map((i) => full.get(photos[i]!.id)!) }));
  return { photos, groups, stats: result.stats };
}
