/**
 * Redoing an output tree for the groups that changed only (after review decisions): the full
 * plan of the groups against the outputs journal (changes.ts); the folders that differ are
 * rewritten — journalled before any byte is written, as a run does, so a killed apply leaves
 * only known files — and what they no longer hold is removed.
 */
import type { Db } from '../catalog/database.js';
import { loadOutputs } from '../catalog/runs.js';
import type { ApplyResult } from './apply.js';
import { diffOutput, type OutputDiff } from './changes.js';
import { applyJournalled } from './journal.js';
import type { OutputPlan } from './plan.js';

/** What redoing `full` (the plan of every group) would change. */
export function previewRedo(db: Db, full: OutputPlan): OutputDiff {
  return diffOutput(full, [...loadOutputs(db).values()]);
}

/** Rewrites the changed folders of `full`, recording the files for run `runId`. */
export async function redoChangedFolders(
  db: Db,
  runId: number,
  full: OutputPlan,
): Promise<{ readonly diff: OutputDiff; readonly applied: ApplyResult }> {
  const diff = previewRedo(db, full);
  const applied = await applyJournalled(db, runId, diff.plan, diff.stale);
  return { diff, applied };
}
