/**
 * Where merged pictures (HDR) are kept between runs: in `enhanced/` next to the catalog, each
 * named by a hash of exactly what it was made from — the frames (path, size, mtime), in merge
 * order, and the settings. A re-run, a resumed run and the review page find the same file for
 * the same bracket, and a changed frame or setting gives another name, never a stale merge.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findBracket } from '../core/bracket.js';
import { pathBytes } from '../core/paths.js';
import type { FsPath, Photo } from '../core/types.js';
import type { ExtraFile } from './plan.js';

/** The merge's name in a group folder (the seed's). */
export const HDR_FILE_NAME = 'hdr_merged.jpg';

/** Bumped when the merge itself changes, so older merges are made again. */
const HDR_VERSION = 'hdr-fusion-1';

export interface FrameIdentity {
  readonly path: FsPath;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The cache file of the HDR merge of `frames` (in merge order) with this --hdr-gamma. */
export function hdrCacheFile(catalog: string, frames: readonly FrameIdentity[], gamma: number): string {
  const hash = createHash('sha256').update(`${HDR_VERSION}\n${gamma}\n`);
  for (const f of frames) hash.update(pathBytes(f.path)).update(`\n${f.size}\n${Math.round(f.mtimeMs)}\n`);
  return join(dirname(catalog), 'enhanced', `hdr-${hash.digest('hex').slice(0, 32)}.jpg`);
}

/** The HDR merge a group calls for: its bracket's frames, darkest first, and the cache file. */
export interface HdrPlan {
  readonly frames: readonly Photo[];
  /** Index in `frames` of the frame the others are aligned to. */
  readonly reference: number;
  readonly file: string;
}

/** The group's HDR merge, or null when the group is no exposure bracket. */
export function planHdr(
  catalog: string,
  members: readonly { readonly photo: Photo; readonly score: number }[],
  gamma: number,
): HdrPlan | null {
  const bracket = findBracket(
    members.map(({ photo, score }) => ({
      id: photo.id,
      exposureTime: photo.meta.exposureTime,
      fNumber: photo.meta.fNumber,
      iso: photo.meta.iso,
      score,
    })),
  );
  if (bracket === null) return null;
  const byId = new Map(members.map((m) => [m.photo.id, m.photo]));
  const frames = bracket.frames.map((f) => byId.get(f.id)!);
  return { frames, reference: bracket.frames.findIndex((f) => f.id === bracket.reference), file: hdrCacheFile(catalog, frames, gamma) };
}

/** The merge as a file to copy into the group folder, or null when it has not been made (yet). */
export function hdrExtra(plan: HdrPlan): ExtraFile | null {
  const st = statSync(plan.file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile() || st.size === 0) return null;
  return {
    name: HDR_FILE_NAME,
    from: plan.file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    label: `HDR merge of ${plan.frames.map((f) => f.relativePath).join(', ')}`,
  };
}

/** The merge made earlier for a group's bracket, as it is now; null when there is none (no bracket, or its frames changed). */
export function existingHdr(
  catalog: string,
  members: readonly { readonly photo: Photo; readonly score: number }[],
  gamma: number,
): ExtraFile | null {
  const plan = planHdr(catalog, members, gamma);
  return plan === null ? null : hdrExtra(plan);
}
