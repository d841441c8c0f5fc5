/**
 * Writing a plan with the outputs journal kept: every destination is recorded before any byte is
 * written, so the files of a killed run are known as ours, and the stale files removed are
 * forgotten once the apply went through. Folder runs, Immich trees and review's apply share it.
 */
import type { Db } from '../catalog/database.js';
import { forgetOutputs, recordOutputs } from '../catalog/runs.js';
import type { FsPath } from '../core/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import type { OutputPlan } from './plan.js';

/** The files a plan produces, with the size each will have: what the journal records. */
export function plannedFiles(plan: OutputPlan): { path: FsPath; size: number }[] {
  return plan.operations.map((op) => ({ path: op.to, size: op.kind === 'copy' ? op.size : Buffer.byteLength(op.content) }));
}

/** Journals `plan`, applies it (removing `stale`), and forgets the removed files unless stopped. */
export async function applyJournalled(
  db: Db,
  runId: number,
  plan: OutputPlan,
  stale: readonly FsPath[],
  options: Pick<ApplyOptions, 'onProgress' | 'signal'> = {},
): Promise<ApplyResult> {
  recordOutputs(db, runId, plannedFiles(plan));
  // Our copies carry the source mtime: size + mtime equal means done, as rsync judges it.
  const result = await applyPlan(plan, { ...options, stale, trustMtime: true });
  if (!result.aborted) forgetOutputs(db, stale);
  return result;
}
