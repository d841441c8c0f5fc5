/**
 * Group + select stages: read the run's fingerprints from the catalog, group them (pure core),
 * rank each group's members, and store groups and decisions for the output and report stages.
 */
import type { Db } from '../../catalog/database.js';
import { type StoredPhoto, loadPhotos, sketchReader } from '../../catalog/photos.js';
import { type StoredGroup, saveGroups } from '../../catalog/runs.js';
import { groupPhotos, type GroupingStats } from '../../core/grouping.js';
import { rankGroup } from '../../core/scoring.js';
import { prepareSketch } from '../../core/similarity.js';
import { lruCache } from '../lru.js';
import type { RunOptions } from '../options.js';
import type { ProgressSink } from '../progress.js';

export interface GroupStageResult {
  readonly photos: readonly StoredPhoto[];
  readonly groups: readonly StoredGroup[];
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

  sink.start('select', result.groups.length);
  const groups: StoredGroup[] = result.groups.map((g, n) => {
    const members = g.members.map((i) => photos[i]!);
    const decisions = rankGroup(members.map((p) => ({ id: p.id, quality: p.quality, size: p.size })));
    sink.update(n + 1);
    return {
      number: n + 1,
      kind: g.kind,
      members: decisions.map((d) => ({ photoId: d.photoId, score: d.score, reason: d.reason, isBest: d.isBest })),
    };
  });
  saveGroups(db, runId, groups);
  sink.finish();
  return { photos, groups, stats: result.stats };
}
