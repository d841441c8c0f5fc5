/**
 * Output planner: groups with their verdicts in, the exact list of files to produce out. Pure, so
 * `--dry-run` prints the same plan that `apply` would carry out.
 *
 * Tree (SPEC §6.1, without the seed's re-run `_1` copies and cache-dependent names):
 *   OUT/group_0001/originals/<file>   byte-identical copy of each member
 *   OUT/group_0001/metadata.txt
 *   OUT/group_0001/best_<file>        copy of the best member, named after its name in originals/
 *   OUT/group_0001/hdr_merged.jpg     with --enable-hdr, a bracket's merge (made beforehand, copied)
 */
import { isAbsolute, join, normalize } from 'node:path';
import { isClipName, mediaCount } from '../core/clips.js';
import { baseName, displayPath, joinPath, pathBytes } from '../core/paths.js';
import type { FsPath, GroupKind } from '../core/types.js';
import { renderMetadataText } from './metadata-text.js';
import type { LocalOffset, OutputPhoto } from './metadata-text.js';

export type { CompanionFile, LocalOffset, OutputPhoto } from './metadata-text.js';

export interface OutputGroup {
  /**
   * Folder number (group_0007 is 7); default the group's position, from 1. Review decisions
   * leave gaps (a merged group's number) and add numbers at the end (a split-off part).
   */
  readonly number?: number;
  /** For metadata.txt's header and the dry-run preview; left out when not given. */
  readonly kind?: GroupKind;
  /** Members in the order they appear in metadata.txt; this order also settles name clashes. */
  readonly photos: readonly OutputPhoto[];
  /** Files made for the group (an HDR merge), copied in after the best_ copy. */
  readonly extras?: readonly ExtraFile[];
}

/** A file made for a group beforehand, e.g. hdr_merged.jpg from the enhance stage's cache. */
export interface ExtraFile {
  /** Name in the group folder. */
  readonly name: string;
  readonly from: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** For messages: what it is. */
  readonly label: string;
}

export interface PlanInput {
  /** Absolute output directory. */
  readonly outputRoot: string;
  /** Groups in run order: the first becomes group_0001. */
  readonly groups: readonly OutputGroup[];
  /** For metadata.txt's modified_time; default the process time zone. */
  readonly localOffset?: LocalOffset;
}

export interface CopyOperation {
  readonly kind: 'copy';
  readonly role: 'original' | 'best' | 'keep' | 'extra';
  /** Absolute source path; only ever read. */
  readonly from: FsPath;
  /** Absolute destination directory (always inside the output root, always a string). */
  readonly dir: string;
  /** Destination file name; raw bytes when the source name is not UTF-8. */
  readonly name: FsPath;
  /** `dir` + `name`. */
  readonly to: FsPath;
  /** Source size in bytes as catalogued. */
  readonly size: number;
  /** Source mtime in ms, given to the copy like the seed's `shutil.copy2` did. */
  readonly mtimeMs: number;
  /** Source path relative to the source root, for messages. */
  readonly label: string;
}

export interface WriteOperation {
  readonly kind: 'write';
  readonly dir: string;
  readonly name: string;
  readonly to: string;
  /** UTF-8 text. */
  readonly content: string;
}

export type OutputOperation = CopyOperation | WriteOperation;

export interface PlannedGroup {
  /** `group_0001`, `group_0002`, … (wider past 9999). */
  readonly folder: string;
  /** Absolute path of the group folder. */
  readonly dir: string;
  /** Each member's file name inside originals/, in member order. */
  readonly originals: readonly FsPath[];
  /** Name of the best_ copy in the group folder. */
  readonly bestName: FsPath;
  /** Names of the extra files in the group folder. */
  readonly extras: readonly string[];
  readonly kind: GroupKind | null;
  /** The best photo's path relative to the source, for the dry-run preview. */
  readonly bestLabel: string;
}

export interface OutputPlan {
  readonly root: string;
  readonly groups: readonly PlannedGroup[];
  /** Per group: the originals, then metadata.txt, then the best_ copy, then the extras. */
  readonly operations: readonly OutputOperation[];
}

/** Thrown for input no correct caller produces (empty group, no single best, relative root). */
export class OutputPlanError extends Error {
  override readonly name = 'OutputPlanError';
}

/** Folder name of the n-th group (1-based): `group_0001`; widens past 9999 like `%04d`. */
export function groupFolderName(n: number): string {
  return `group_${String(n).padStart(4, '0')}`;
}

/** Builds the deterministic operation list for a run's groups. */
export function planOutput(input: PlanInput): OutputPlan {
  if (!isAbsolute(input.outputRoot)) {
    throw new OutputPlanError(`Expected an absolute output directory but received "${input.outputRoot}"`);
  }
  const root = stripTrailingSlash(normalize(input.outputRoot));
  const groups: PlannedGroup[] = [];
  const operations: OutputOperation[] = [];
  input.groups.forEach((group, index) => {
    const folder = groupFolderName(group.number ?? index + 1);
    const best = group.photos.filter((p) => p.decision.isBest);
    if (group.photos.length === 0 || best.length !== 1) {
      throw new OutputPlanError(
        `Expected a non-empty group with exactly one best photo for ${folder} but received ` +
          `${group.photos.length} photos and ${best.length} best`,
      );
    }
    const dir = join(root, folder);
    const originalsDir = `${dir}/originals`;
    const names = uniqueNames(group.photos.map((p) => baseName(p.photo.path)));
    let bestOp: CopyOperation | undefined;
    let bestMotion: CopyOperation | null = null;
    const keepOps: CopyOperation[] = [];
    for (const [i, member] of group.photos.entries()) {
      const name = names[i]!;
      const { photo } = member;
      const common = {
        from: photo.path,
        size: photo.size,
        mtimeMs: photo.mtimeMs,
        label: photo.relativePath,
      };
      const to = joinPath(originalsDir, name);
      operations.push({ kind: 'copy', role: 'original', ...common, dir: originalsDir, name, to });
      const motion = member.companion;
      const motionCopy = (folder: string, role: 'original' | 'best', named: FsPath): CopyOperation | null => {
        if (motion === undefined) return null;
        const motionName = withExtensionOf(named, motion.path);
        const from = { from: motion.path, size: motion.size, mtimeMs: motion.mtimeMs, label: `${photo.relativePath} (Live Photo video)` };
        return { kind: 'copy', role, ...from, dir: folder, name: motionName, to: joinPath(folder, motionName) };
      };
      const motionOriginal = motionCopy(originalsDir, 'original', name);
      if (motionOriginal !== null) operations.push(motionOriginal);
      if (member.decision.isBest) {
        const bestName = prefixName('best_', name);
        bestOp = { kind: 'copy', role: 'best', ...common, dir, name: bestName, to: joinPath(dir, bestName) };
        bestMotion = motionCopy(dir, 'best', bestName);
      } else if (member.decision.keep === true) {
        // A keeper marked in review sits beside the best, as keep_<name>.
        const keepName = prefixName('keep_', name);
        keepOps.push({ kind: 'copy', role: 'keep', ...common, dir, name: keepName, to: joinPath(dir, keepName) });
      }
    }
    if (bestOp === undefined) throw new OutputPlanError(`No best photo in ${folder}`); // checked above
    const content = renderMetadataText(group.photos, {
      ...(input.localOffset === undefined ? {} : { localOffset: input.localOffset }),
      ...(group.kind === undefined ? {} : { kind: group.kind }),
    });
    operations.push({ kind: 'write', dir, name: 'metadata.txt', to: `${dir}/metadata.txt`, content });
    operations.push(bestOp);
    if (bestMotion !== null) operations.push(bestMotion);
    operations.push(...keepOps);
    const extras = group.extras ?? [];
    for (const e of extras) {
      operations.push({
        kind: 'copy',
        role: 'extra',
        from: e.from,
        size: e.size,
        mtimeMs: e.mtimeMs,
        label: e.label,
        dir,
        name: e.name,
        to: `${dir}/${e.name}`,
      });
    }
    groups.push({
      folder,
      dir,
      originals: names,
      bestName: bestOp.name,
      extras: extras.map((e) => e.name),
      kind: group.kind ?? null,
      bestLabel: bestOp.label,
    });
  });
  return { root, groups, operations };
}

/**
 * Gives each name a unique slot in one folder: a clash becomes `<stem>_1<ext>`, `<stem>_2<ext>`, …
 * (the seed's scheme), first come first served in member order. Names compare with ASCII case
 * folded, because an output on a case-insensitive disk (exFAT, macOS) would otherwise let
 * `IMG.JPG` silently replace `img.jpg`.
 */
export function uniqueNames(names: readonly FsPath[]): FsPath[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let k = 1; taken.has(clashKey(candidate)); k += 1) candidate = numberedName(name, k);
    taken.add(clashKey(candidate));
    return candidate;
  });
}

/** `IMG.jpg` + 2 → `IMG_2.jpg`; the extension is what Python's `Path.suffix` calls one. */
function numberedName(name: FsPath, k: number): FsPath {
  const bytes = pathBytes(name);
  const dot = bytes.lastIndexOf(0x2e);
  const hasExt = dot > 0 && dot < bytes.length - 1;
  const stem = hasExt ? bytes.subarray(0, dot) : bytes;
  const ext = hasExt ? bytes.subarray(dot) : Buffer.alloc(0);
  const out = Buffer.concat([stem, Buffer.from(`_${k}`), ext]);
  return typeof name === 'string' ? out.toString('utf8') : out;
}

/** `name` with the extension of `other` in place of its own: IMG_1.HEIC and x/IMG.MOV give IMG_1.MOV. */
function withExtensionOf(name: FsPath, other: FsPath): FsPath {
  const bytes = pathBytes(name);
  const dot = bytes.lastIndexOf(0x2e);
  const stem = dot > 0 ? bytes.subarray(0, dot) : bytes;
  const otherName = pathBytes(baseName(other));
  const otherDot = otherName.lastIndexOf(0x2e);
  const out = Buffer.concat([stem, otherDot > 0 ? otherName.subarray(otherDot) : Buffer.alloc(0)]);
  return typeof name === 'string' ? out.toString('utf8') : out;
}

function prefixName(prefix: string, name: FsPath): FsPath {
  return typeof name === 'string' ? prefix + name : Buffer.concat([Buffer.from(prefix), name]);
}

function clashKey(name: FsPath): string {
  return pathBytes(name)
    .toString('latin1')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Every destination of the plan, e.g. for the catalog's record of files this tool wrote. */
export function plannedPaths(plan: OutputPlan): FsPath[] {
  return plan.operations.map((op) => op.to);
}

/**
 * Paths written by an earlier run that this plan no longer produces: the caller passes them to
 * `applyPlan` as `stale`. Byte-exact comparison, order of `previous` kept.
 */
export function staleOutputs(previous: readonly FsPath[], plan: OutputPlan): FsPath[] {
  const planned = new Set(plan.operations.map((op) => pathKey(op.to)));
  return previous.filter((p) => !planned.has(pathKey(p)));
}

/** Identity of a path as bytes, for sets and maps. */
export function pathKey(path: FsPath): string {
  return pathBytes(path).toString('latin1');
}

/** Human lines for `--dry-run`: `copy 2024/IMG_0001.JPG → group_0001/originals/IMG_0001.JPG`. */
export function renderPlan(plan: OutputPlan): string[] {
  return plan.operations.map((op) => {
    const target = relativeToRoot(plan.root, op.to);
    return op.kind === 'copy' ? `copy ${op.label} → ${target}` : `write ${target}`;
  });
}

/**
 * The dry-run preview: one line per group (kind, size, the best photo, extra files) and a total,
 * instead of one line per file (renderPlan, shown with --verbose).
 */
export function renderPlanPreview(plan: OutputPlan): string[] {
  const lines = plan.groups.map((g) => {
    const clips = g.originals.filter((name) => isClipName(displayPath(name))).length;
    const count = mediaCount(g.originals.length - clips, clips);
    const extras = g.extras.length > 0 ? `; also ${g.extras.join(', ')}` : '';
    return `${g.folder}: ${g.kind === null ? count : `${g.kind}, ${count}`}; best ${g.bestLabel}${extras}`;
  });
  const copies = plan.operations.filter((op): op is CopyOperation => op.kind === 'copy');
  const bytes = copies.reduce((n, op) => n + op.size, 0);
  if (plan.groups.length > 0) {
    lines.push(
      `${plan.groups.length} group folder${plan.groups.length === 1 ? '' : 's'} with ${plan.operations.length} files (${copies.length} copies, ${(bytes / 1e6).toFixed(1)} MB) would be written to ${plan.root}.`,
    );
  }
  return lines;
}

/** A destination shown relative to the output root (`group_0001/metadata.txt`). */
export function relativeToRoot(root: string, path: FsPath): string {
  const shown = displayPath(path);
  return shown.startsWith(`${root}/`) ? shown.slice(root.length + 1) : shown;
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
