/**
 * Select stage: rank each group's members (with their faces when they were analyzed) and store
 * groups and decisions for the output and report stages. Face records are read from the
 * catalog one group at a time, so memory does not grow with the number of groups.
 */
import type { Db } from '../../catalog/database.js';
import { LOCAL_SCOPE, loadDecisions } from '../../catalog/decisions.js';
import { loadFaceAnalyses } from '../../catalog/faces.js';
import { type StoredGroup, saveGroups } from '../../catalog/runs.js';
import { rankCopies } from '../../core/copies.js';
import { type AdjustedGroup, applyDecisions } from '../../core/decisions.js';
import { rankGroupWithFaces } from '../../core/face-scoring.js';
import { baseName, displayPath } from '../../core/paths.js';
import type { ProgressSink } from '../progress.js';
import { ranksOnFaces } from './analyze.js';
import type { FoundGroup } from './group.js';

/**
 * Ranks and stores the groups, numbered from 1 in the order given, and returns them with the
 * review decisions applied (numbers kept; see core/decisions.ts). `analyzer` names the face
 * analyses to use (null: rank on whole-image measures only).
 */
export function selectStage(db: Db, runId: number, groups: readonly FoundGroup[], analyzer: string | null, sink: ProgressSink): readonly AdjustedGroup[] {
  sink.start('select', groups.length);
  const ranked: StoredGroup[] = groups.map((g, n) => {
    const faces = analyzer === null || !ranksOnFaces(g) ? null : loadFaceAnalyses(db, g.members.map((p) => p.id), analyzer);
    const name = (p: FoundGroup['members'][number]): string => displayPath(baseName(p.path));
    // Copies of one picture (same capture time, or none) differ only by how they were saved.
    const decisions =
      g.kind === 'duplicate' && !ranksOnFaces(g)
        ? rankCopies(
            g.members.map((p) => ({
              id: p.id,
              megapixels: p.quality.megapixels,
              hasCameraMetadata: p.meta.takenAt !== null || p.meta.make !== null || p.meta.model !== null,
              size: p.size,
              name: name(p),
            })),
          )
        : rankGroupWithFaces(
            g.members.map((p) => ({ id: p.id, quality: p.quality, size: p.size, name: name(p), faces: faces?.get(p.id) ?? null })),
          );
    sink.update(n + 1);
    return {
      number: n + 1,
      kind: g.kind,
      members: decisions.map((d) => ({ photoId: d.photoId, score: d.score, reason: d.reason, isBest: d.isBest })),
      person: null,
    };
  });
  saveGroups(db, runId, ranked);
  sink.finish();
  // The catalog keeps the automatic ranking; the user's review decisions (picks, exclusions,
  // splits, merges) are replayed on top of it for the output and the report.
  return applyDecisions(ranked, loadDecisions(db, LOCAL_SCOPE)).groups;
}
