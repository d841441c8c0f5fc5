/**
 * Select stage: rank each group's members — copies of one picture by how they were saved, the
 * others on sharpness and exposure and, when analyzed, their faces (or the faces the server
 * found, when asked for) — store the automatic ranking, and return the groups with the user's
 * review decisions replayed on top (numbers kept; see core/decisions.ts). Face records are read
 * from the catalog one group at a time, so memory does not grow with the number of groups.
 */
import type { Db } from '../../catalog/database.js';
import { loadDecisions } from '../../catalog/decisions.js';
import { loadFaceAnalyses } from '../../catalog/faces.js';
import type { StoredPhoto } from '../../catalog/items.js';
import { previousGroups, type StoredGroup, saveGroups } from '../../catalog/runs.js';
import { facesPerFrame, sheetTimes } from '../../core/clip-faces.js';
import { rankClips } from '../../core/clip-scoring.js';
import type { FaceRecord } from '../../core/faces.js';
import { rankCopies } from '../../core/copies.js';
import { applyDecisions } from '../../core/decisions.js';
import { rankGroupWithFaces } from '../../core/face-scoring.js';
import { keepNumbers } from '../../core/numbering.js';
import { baseName, displayPath } from '../../core/paths.js';
import { rankGroup } from '../../core/scoring.js';
import { rankWithServerFaces, type ServerFace } from '../../core/server-faces.js';
import type { Decision, GroupKind, PhotoId } from '../../core/types.js';
import type { PhotoSource } from '../../sources/source.js';
import type { ProgressSink } from '../progress.js';
import { ranksOnFaces } from './analyze.js';
import type { FoundGroup } from './group.js';

/** A ranked group with its number (group_0001 is 1), as the sinks take it. */
export interface SelectedGroup {
  readonly number: number;
  readonly kind: GroupKind;
  readonly person: string | null;
  readonly members: readonly { readonly photo: StoredPhoto; readonly decision: Decision }[];
}

export interface SelectContext {
  readonly db: Db;
  readonly runId: number;
  readonly source: PhotoSource;
  /** Whose face analyses to use; null: none. */
  readonly analyzer: string | null;
  /** Faces the server found (--immich-use-server-faces), by item; null: not asked for. */
  readonly serverFaces: ReadonlyMap<PhotoId, ServerFace[]> | null;
  readonly sink: ProgressSink;
}

export function selectStage(ctx: SelectContext, groups: readonly FoundGroup[]): SelectedGroup[] {
  const { db, sink } = ctx;
  sink.start('select', groups.length);
  // Groups that were there before keep their numbers (folders, tags and albums stay put).
  const previous = previousGroups(db, ctx.runId, ctx.source.id).map((g) => ({ ...g, members: g.members.map((m) => m.photoId) }));
  const numbers = keepNumbers(
    previous,
    groups.map((g) => ({ person: g.person, members: g.members.map((p) => p.id) })),
  );
  const ranked: StoredGroup[] = groups.map((g, n) => {
    sink.update(n + 1);
    return {
      number: numbers[n]!,
      kind: g.kind,
      person: g.person,
      members: rank(ctx, g).map((d) => ({ photoId: d.photoId, score: d.score, reason: d.reason, isBest: d.isBest })),
    };
  });
  saveGroups(db, ctx.runId, ranked);
  sink.finish();
  const photos = new Map(groups.flatMap((g) => g.members.map((p) => [p.id, p] as const)));
  const personOf = new Map(ranked.map((g) => [g.number, g.person]));
  // The catalog keeps the automatic ranking; the user's decisions (picks, exclusions, splits,
  // merges) are replayed on it. A part split off keeps the person of the group it came from.
  return applyDecisions(ranked, loadDecisions(db, ctx.source.scope)).groups.map((g) => ({
    number: g.number,
    kind: g.kind,
    person: personOf.get(g.order) ?? null,
    members: g.members.map((m) => ({ photo: photos.get(m.photoId)!, decision: m })),
  }));
}

function rank(ctx: SelectContext, g: FoundGroup): Decision[] {
  const onFaces = ranksOnFaces(g);
  const name = (p: StoredPhoto): string => displayPath(baseName(ctx.source.name(p)));
  const clips = g.members.flatMap((p) => (p.meta.video === undefined ? [] : [{ ...p, ...p.meta, video: p.meta.video, name: name(p) }]));
  // Loaded only when the ranking looks at faces (and not for the server's faces).
  const analyses =
    ctx.analyzer === null || !onFaces || ctx.serverFaces !== null
      ? null
      : loadFaceAnalyses(
          ctx.db,
          g.members.map((p) => p.id),
          ctx.analyzer,
        );
  if (clips.length === g.members.length) {
    const frames = (c: (typeof clips)[number]): { faces?: FaceRecord[][] | null } => {
      if (analyses === null) return {};
      const analysis = analyses.get(c.id);
      return { faces: analysis === undefined ? null : facesPerFrame(analysis, sheetTimes(c.video.frames).length) };
    };
    return rankClips(
      g.kind,
      clips.map((c) => ({ ...c, ...frames(c) })),
    );
  }
  // Copies of one picture (same capture time, or none) differ only by how they were saved.
  if (g.kind === 'duplicate' && !onFaces) {
    return rankCopies(
      g.members.map((p) => ({
        id: p.id,
        megapixels: p.quality.megapixels,
        hasCameraMetadata: p.meta.takenAt !== null || p.meta.make !== null || p.meta.model !== null,
        size: p.size,
        name: name(p),
      })),
    );
  }
  const inputs = g.members.map((p) => ({ id: p.id, quality: p.quality, size: p.size, name: name(p) }));
  if (ctx.serverFaces !== null)
    return rankWithServerFaces(
      rankGroup(inputs),
      g.members.map((p) => ctx.serverFaces!.get(p.id) ?? null),
    );
  return rankGroupWithFaces(inputs.map((x) => ({ ...x, faces: analyses?.get(x.id) ?? null })));
}
