/**
 * Group stage: each pass's fingerprinted candidates are grouped (pure core) on their hashes,
 * times and sketches, or the pass's fixed groups are taken as they are. Grouping needs a hash and
 * a time per item; full records (with EXIF) are loaded for the grouped items only, so memory
 * follows the groups, not the library. Ranking comes after face analysis (stages/select.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../../catalog/database.js';
import { itemIdsSeen, loadPhotoKeys, loadPhotos, type StoredPhoto, sketchReader } from '../../catalog/items.js';
import { loadGroups, runBefore, type StoredGroup } from '../../catalog/runs.js';
import { groupClips } from '../../core/clips.js';
import { hexToHash } from '../../core/dhash.js';
import { type GroupingResult, groupPhotos } from '../../core/grouping.js';
import { regroupPhotos } from '../../core/regroup.js';
import { prepareSketch } from '../../core/similarity.js';
import type { GroupKind, PhotoId } from '../../core/types.js';
import type { Pass, PassOptions } from '../../sources/source.js';
import { lruCache } from '../lru.js';
import type { RunOptions } from '../options.js';
import type { ProgressSink } from '../progress.js';

/** A group before ranking: its members in grouping order, and whose photos it is about. */
export interface FoundGroup {
  readonly kind: GroupKind;
  readonly person: string | null;
  readonly members: readonly StoredPhoto[];
}

/** Prepared sketches kept in memory at once; grouping visits items roughly in order. */
const SKETCH_CACHE = 4096;

export interface GroupStageResult {
  readonly groups: FoundGroup[];
  /** Groups smaller than --min-group-size that were dropped: size -> count. */
  readonly leftOut: ReadonlyMap<number, number>;
}

/**
 * The grouping a watch cycle starts from: the groups of the run just before (its automatic ones,
 * before review decisions) and the items changed since: without a fingerprint at this run's start
 * (new, changed) or not listed by the run before (moved back in).
 */
export interface EarlierRun {
  readonly groups: readonly StoredGroup[];
  readonly changed: ReadonlySet<PhotoId>;
}

/** Options a watch cycle may change without changing what the grouping sees. */
const CYCLE_ONLY: readonly string[] = ['forceFresh', 'resume'];

/**
 * The earlier run a --watch cycle may regroup from, or null for a full grouping: the run just
 * before must have finished (an interrupted one may have fingerprinted items it never grouped)
 * with the same options, so its groups are what a full grouping would have started from.
 */
export function earlierRun(db: Db, runId: number, options: RunOptions, changed: readonly PhotoId[]): EarlierRun | null {
  if (!options.watch || options.forceFresh) return null;
  const before = runBefore(db, runId);
  if (before?.stage !== 'done') return null;
  const comparable = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !CYCLE_ONLY.includes(k)));
  const then = JSON.parse(before.options) as Record<string, unknown>;
  const now = JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  if (!isDeepStrictEqual(comparable(then), comparable(now))) return null;
  return { groups: loadGroups(db, before.id), changed: new Set(changed) };
}

/** Items of `source` the run before `runId` listed; to be read before this run lists its own. */
export function itemsSeenBefore(db: Db, runId: number, source: string): Set<PhotoId> {
  const before = runBefore(db, runId);
  return new Set(before === null ? [] : itemIdsSeen(db, source, before.id));
}

export function groupStage(
  db: Db,
  passes: readonly Pass[],
  options: PassOptions,
  sink: ProgressSink,
  earlier: EarlierRun | null = null,
): GroupStageResult {
  sink.start('group', null);
  const read = sketchReader(db);
  const found: { kind: GroupKind; person: string | null; ids: PhotoId[] }[] = [];
  const leftOut = new Map<number, number>();
  for (const pass of passes) {
    if (pass.fixedGroups !== null) {
      for (const ids of pass.fixedGroups) found.push({ kind: 'duplicate', person: pass.person, ids: [...ids] });
      continue;
    }
    const all = loadPhotoKeys(
      db,
      pass.ids.filter((id) => pass.candidates.has(id)),
    );
    // Clips are grouped apart, on their key frames (core/clips.ts); photos on hashes and sketches.
    const clips = groupClipItems(
      loadPhotos(
        db,
        all.filter((k) => k.clip).map((k) => k.id),
      ),
      options,
    );
    for (const [size, count] of clips.leftOut) leftOut.set(size, (leftOut.get(size) ?? 0) + count);
    const keys = all.filter((k) => !k.clip);
    const sketchOf = lruCache(SKETCH_CACHE, (index: number) => {
      const s = read(keys[index]!.id);
      return s ? prepareSketch(s.sketch, s.color) : null;
    });
    const items = keys.map((k) => ({ dhash: k.dhash, takenAtMs: k.takenAtMs }));
    const grouping = { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize };
    const progress = (done: number, total: number): void => sink.update(done, total);
    const result: GroupingResult =
      earlier === null
        ? groupPhotos(items, grouping, sketchOf, progress)
        : regroupPhotos(items, grouping, sketchOf, earlierIn(earlier, pass.person, keys), progress);
    for (const [size, count] of result.stats.leftOut) leftOut.set(size, (leftOut.get(size) ?? 0) + count);
    for (const g of result.groups) found.push({ kind: g.kind, person: pass.person, ids: g.members.map((i) => keys[i]!.id) });
    // A pass's clip groups follow its photo groups.
    for (const g of clips.groups) found.push({ kind: g.kind, person: pass.person, ids: g.ids });
  }
  sink.finish();
  const full = new Map(loadPhotos(db, [...new Set(found.flatMap((g) => g.ids))]).map((p) => [p.id, p]));
  const minSize = Math.max(2, options.minGroupSize);
  const groups = found
    .map((g) => ({ kind: g.kind, person: g.person, members: g.ids.flatMap((id) => full.get(id) ?? []) }))
    .filter((g) => g.members.length >= minSize);
  return { groups, leftOut };
}

/** The earlier groups of a pass's person in the indices of its photos (members gone or now clips left out). */
function earlierIn(earlier: EarlierRun, person: string | null, keys: readonly { id: PhotoId }[]) {
  const index = new Map(keys.map((k, i) => [k.id, i]));
  const changed = new Set(keys.flatMap((k, i) => (earlier.changed.has(k.id) ? [i] : [])));
  const groups = earlier.groups
    .filter((g) => g.person === person)
    .map((g) => ({ kind: g.kind, members: g.members.flatMap((m) => index.get(m.photoId) ?? []) }));
  return { groups, changed };
}

/** Groups the clips among a pass's items; the sizes of the groups --min-group-size dropped are counted. */
function groupClipItems(
  clips: readonly StoredPhoto[],
  options: PassOptions,
): { groups: { kind: GroupKind; ids: PhotoId[] }[]; leftOut: Map<number, number> } {
  const keys = clips.map((c) => ({
    durationS: c.meta.video?.durationS ?? 0,
    takenAtMs: c.meta.takenAt?.wallClockMs ?? null,
    frames: (c.meta.video?.frames ?? []).map((f) => ({ t: f.t, dhash: hexToHash(f.hash) })),
  }));
  const found = groupClips(keys, { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: 2 });
  const leftOut = new Map<number, number>();
  const groups: { kind: GroupKind; ids: PhotoId[] }[] = [];
  for (const g of found) {
    if (g.members.length < options.minGroupSize) leftOut.set(g.members.length, (leftOut.get(g.members.length) ?? 0) + 1);
    else groups.push({ kind: g.kind, ids: g.members.map((i) => clips[i]!.id) });
  }
  return { groups, leftOut };
}
