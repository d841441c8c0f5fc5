/**
 * Face swaps kept between runs, like HDR merges (enhanced.ts): in `enhanced/` next to the
 * catalog, named by a hash of what the swap is made from — the best frame and each donor (path,
 * size, mtime), the faces swapped and the swap's version. Next to the picture, a small record of
 * each person's outcome, also written when no swap was kept, so a re-run neither swaps nor
 * re-checks a group twice and still reports why a swap was refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { FaceAnalysis } from '../core/faces.js';
import { type PlannedSwap, planFaceSwaps, type SwapRefusal } from '../core/face-swap-plan.js';
import { pathBytes } from '../core/paths.js';
import type { Decision, Photo, PhotoId } from '../core/types.js';
import type { ExtraFile } from './plan.js';

/** The swap's name in a group folder (the seed's). */
export const FACE_SWAP_FILE_NAME = 'face_swapped.jpg';

/** Bumped when the swap itself changes, so older swaps are made again. */
const SWAP_VERSION = 'eye-swap-2';

export interface SwapJob {
  readonly best: Photo;
  /** The planned swaps with their donor frames. */
  readonly swaps: readonly { readonly plan: PlannedSwap; readonly donor: Photo }[];
  /** The picture (when a swap was kept) and the outcome record. */
  readonly file: string;
  readonly record: string;
}

export interface GroupSwap {
  /** Null when nothing is to be swapped. */
  readonly job: SwapJob | null;
  /** People with closed eyes for whom no donor fits. */
  readonly refusals: readonly SwapRefusal[];
}

/** The swap a group calls for, from the catalog's face analyses of its members. */
export function planGroupSwap(
  catalog: string,
  members: readonly { readonly photo: Photo; readonly decision: Decision }[],
  analyses: ReadonlyMap<PhotoId, FaceAnalysis>,
): GroupSwap {
  const best = members.findIndex((m) => m.decision.isBest);
  if (best < 0) return { job: null, refusals: [] };
  const plan = planFaceSwaps(
    members.map((m) => ({ analysis: analyses.get(m.photo.id) ?? null })),
    best,
  );
  if (plan.swaps.length === 0) return { job: null, refusals: plan.refusals };
  const swaps = plan.swaps.map((p) => ({ plan: p, donor: members[p.donor]!.photo }));
  const hash = createHash('sha256').update(`${SWAP_VERSION}\n`);
  const identify = (p: Photo): void => {
    hash.update(pathBytes(p.path)).update(`\n${p.size}\n${Math.round(p.mtimeMs)}\n`);
  };
  identify(members[best]!.photo);
  for (const s of swaps) {
    identify(s.donor);
    hash.update(JSON.stringify([s.plan.face, s.plan.donorFace, s.plan.widest]));
  }
  const stem = join(dirname(catalog), 'enhanced', `swap-${hash.digest('hex').slice(0, 32)}`);
  return { job: { best: members[best]!.photo, swaps, file: `${stem}.jpg`, record: `${stem}.json` }, refusals: plan.refusals };
}

const outcomeSchema = z.object({
  label: z.string(),
  kept: z.boolean(),
  reason: z.string().nullable(),
  seam: z.number().nullable(),
  region: z.enum(['eyes', 'face']).nullable(),
});
const recordSchema = z.object({ version: z.literal(SWAP_VERSION), outcomes: z.array(outcomeSchema) });
export type StoredOutcome = z.infer<typeof outcomeSchema>;

/** The record's text for `outcomes`. */
export function swapRecord(outcomes: readonly StoredOutcome[]): string {
  return `${JSON.stringify({ version: SWAP_VERSION, outcomes }, null, 1)}\n`;
}

/** The outcomes an earlier run recorded, or null when it has not been tried (or the record is unreadable). */
export function recordedOutcomes(job: SwapJob): StoredOutcome[] | null {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(job.record, 'utf8')));
    return parsed.success ? parsed.data.outcomes : null;
  } catch {
    return null;
  }
}

/** The swap made earlier for a group as it is now; null when it calls for none, or its frames or faces changed. */
export function existingSwap(
  catalog: string,
  members: readonly { readonly photo: Photo; readonly decision: Decision }[],
  analyses: ReadonlyMap<PhotoId, FaceAnalysis>,
): ExtraFile | null {
  const { job } = planGroupSwap(catalog, members, analyses);
  return job === null ? null : swapExtra(job);
}

/** The swap as a file to copy into the group folder, or null when no swap was kept (or none made yet). */
export function swapExtra(job: SwapJob): ExtraFile | null {
  const st = statSync(job.file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile() || st.size === 0) return null;
  return {
    name: FACE_SWAP_FILE_NAME,
    from: job.file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    label: `${job.best.relativePath} with open eyes from ${[...new Set(job.swaps.map((s) => s.donor.relativePath))].join(', ')}`,
  };
}
