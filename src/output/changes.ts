/**
 * What redoing an output tree changes (after review decisions): the full plan of the groups
 * against the journal of files written so far, folder by folder. A folder whose planned files
 * (names and sizes) match what was written is left alone, so "apply" touches the changed groups
 * only — including a group an undo put back as it was. Pure.
 */
import { isClipName, mediaCount } from '../core/clips.js';
import { displayPath } from '../core/paths.js';
import type { FsPath } from '../core/types.js';
import { plannedFiles } from './journal.js';
import { type OutputPlan, pathKey } from './plan.js';
import { FACE_SWAP_FILE_NAME } from './face-swapped.js';

export interface FolderChange {
  /** `group_0007`. */
  readonly folder: string;
  readonly status: 'new' | 'changed' | 'removed';
  /** One line for the confirmation, e.g. "best IMG_0101.JPG → IMG_0103.JPG, 1 photo fewer (IMG_0105.JPG)". */
  readonly text: string;
}

export interface OutputDiff {
  readonly changes: readonly FolderChange[];
  /** The plan restricted to the changed folders. */
  readonly plan: OutputPlan;
  /** Written files of the changed or removed folders that the plan no longer has. */
  readonly stale: readonly FsPath[];
}

interface FolderFiles {
  /** pathKey → size. */
  readonly sizes: Map<string, number>;
  readonly originals: Set<string>;
  /** Files made for the group (hdr_merged.jpg, face_swapped.jpg). */
  readonly extras: Set<string>;
  best: string | null;
}

/** Compares `plan` (every adjusted group) with `written` (the outputs journal). */
export function diffOutput(plan: OutputPlan, written: readonly { readonly path: FsPath; readonly size: number }[]): OutputDiff {
  const planned = new Map<string, FolderFiles>();
  for (const f of plannedFiles(plan)) note(planned, plan.root, f.path, f.size);
  const onDisk = new Map<string, FolderFiles>();
  for (const w of written) note(onDisk, plan.root, w.path, w.size);

  const changes: FolderChange[] = [];
  const changed = new Set<string>();
  for (const [folder, want] of planned) {
    const have = onDisk.get(folder);
    if (have === undefined) {
      changes.push({ folder, status: 'new', text: `new folder: ${count(want.originals)}, best ${want.best ?? '?'}` });
      changed.add(folder);
    } else if (!sameFiles(want, have)) {
      changes.push({ folder, status: 'changed', text: describe(have, want) });
      changed.add(folder);
    }
  }
  for (const [folder, have] of onDisk) {
    if (planned.has(folder)) continue;
    changes.push({ folder, status: 'removed', text: `folder removed (${count(have.originals)}: now in another group or in none)` });
    changed.add(folder);
  }
  changes.sort((a, b) => folderOrder(a.folder) - folderOrder(b.folder));

  const inChanged = (path: FsPath): boolean => {
    const f = folderOf(plan.root, path);
    return f !== null && changed.has(f);
  };
  const keep = new Set(plan.operations.map((op) => pathKey(op.to)));
  return {
    changes,
    plan: {
      root: plan.root,
      groups: plan.groups.filter((g) => changed.has(g.folder)),
      operations: plan.operations.filter((op) => inChanged(op.to)),
    },
    stale: written.filter((w) => inChanged(w.path) && !keep.has(pathKey(w.path))).map((w) => w.path),
  };
}

function note(map: Map<string, FolderFiles>, root: string, path: FsPath, size: number): void {
  const rel = relative(root, path);
  if (rel === null) return;
  const [folder, ...rest] = rel.split('/');
  if (folder === undefined || !/^group_\d{4,}$/.test(folder)) return;
  let files = map.get(folder);
  if (files === undefined) {
    files = { sizes: new Map(), originals: new Set(), extras: new Set(), best: null };
    map.set(folder, files);
  }
  files.sizes.set(pathKey(path), size);
  if (rest.length === 2 && rest[0] === 'originals') files.originals.add(rest[1]!);
  else if (rest.length === 1 && rest[0]!.startsWith('best_')) files.best = rest[0]!.slice('best_'.length);
  else if (rest.length === 1 && rest[0] !== 'metadata.txt') files.extras.add(rest[0]!);
}

function sameFiles(a: FolderFiles, b: FolderFiles): boolean {
  if (a.sizes.size !== b.sizes.size) return false;
  for (const [key, size] of a.sizes) if (b.sizes.get(key) !== size) return false;
  return true;
}

function describe(have: FolderFiles, want: FolderFiles): string {
  const bits: string[] = [];
  if (have.best !== want.best) bits.push(`best ${have.best ?? '?'} → ${want.best ?? '?'}`);
  const added = [...want.originals].filter((n) => !have.originals.has(n));
  const removed = [...have.originals].filter((n) => !want.originals.has(n));
  if (added.length > 0) bits.push(`${count(added)} more (${list(added)})`);
  if (removed.length > 0) bits.push(`${count(removed)} fewer (${list(removed)})`);
  for (const name of want.extras) if (!have.extras.has(name)) bits.push(`${name} added`);
  // Merging is the organizer's work: the review only keeps a merge whose frames did not change.
  for (const name of have.extras)
    if (!want.extras.has(name))
      bits.push(
        `${name} removed (${name === FACE_SWAP_FILE_NAME ? 'its photos changed: the next run of the organizer swaps them again' : 'its frames changed: the next run of the organizer merges them again'})`,
      );
  if (bits.length === 0) bits.push('metadata.txt rewritten (scores or reasons)');
  return bits.join(', ');
}

/**
 * "3 photos", "2 clips", "1 photo and 1 clip" for file names of originals/. A Live Photo's motion
 * clip is named after its still (same stem) and is not a member of its own: not counted.
 */
const count = (names: Iterable<string>): string => {
  const all = [...names];
  const stem = (n: string): string => (n.lastIndexOf('.') > 0 ? n.slice(0, n.lastIndexOf('.')) : n);
  const stills = new Set(all.filter((n) => !isClipName(n)).map(stem));
  const members = all.filter((n) => !isClipName(n) || !stills.has(stem(n)));
  const clips = members.filter(isClipName).length;
  return mediaCount(members.length - clips, clips);
};
const list = (names: readonly string[]): string => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, …`);

/** `group_0007/originals/a.jpg` for a path under `root`, as display text; null outside. */
function relative(root: string, path: FsPath): string | null {
  const shown = displayPath(path);
  return shown.startsWith(`${root}/`) ? shown.slice(root.length + 1) : null;
}

function folderOf(root: string, path: FsPath): string | null {
  return relative(root, path)?.split('/')[0] ?? null;
}

function folderOrder(folder: string): number {
  return Number(folder.slice('group_'.length));
}
