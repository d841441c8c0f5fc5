/**
 * Discovers the photos under a local folder: recursive, names sorted byte-wise at every level
 * (so the order never depends on the file system), hidden entries, the output folder and any
 * earlier output tree of this tool (a folder holding `.photo-organizer/`) skipped, symlinked folders followed once (loops are cut), the same file reached twice kept once.
 * Names are read as raw bytes so that non-UTF-8 names survive.
 */
import { type Dirent, promises as fs } from 'node:fs';
import { displayPath, joinPath, pathFromBytes, relativeDisplay } from '../core/paths.js';
import { VIDEO_EXTENSIONS } from '../core/clips.js';
import type { FsPath } from '../core/types.js';

/** Extensions the tool reads, lower-case, compared case-insensitively. */
export const PHOTO_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.heic',
  '.heif',
  '.webp',
  '.tif',
  '.tiff',
  '.cr2',
  '.nef',
  '.arw',
  '.dng',
];

/** Video clip extensions: see core/clips.ts (output and review tell clips by name too). */
export { VIDEO_EXTENSIONS };

export interface DiscoveredFile {
  readonly path: FsPath;
  /** Path relative to the root, for display (invalid UTF-8 shown as \xNN). */
  readonly relativePath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface DiscoveryProblem {
  readonly path: string;
  readonly message: string;
}

export interface DiscoveryOptions {
  /** Folders never entered (typically the output folder), compared by device + inode. */
  readonly exclude?: readonly string[];
  /** Stop after this many photos (0 or absent = all). */
  readonly limit?: number;
  readonly onFound?: (count: number) => void;
  /** Extensions listed (default PHOTO_EXTENSIONS), lower-case with the dot. */
  readonly extensions?: readonly string[];
}

export interface DiscoveryResult {
  readonly files: DiscoveredFile[];
  readonly problems: DiscoveryProblem[];
  /** Folders skipped because they are excluded (e.g. the output folder inside the source). */
  readonly skippedExcluded: string[];
  /**
   * Folders skipped because they are an output tree of this tool (they hold `.photo-organizer/`):
   * its copies and best_ files would otherwise be grouped with their own originals.
   */
  readonly skippedOutputTrees: string[];
}

/** The folder every output tree of this tool holds (catalog, HDR merges). */
export const OUTPUT_MARKER = '.photo-organizer';

export async function discoverPhotos(root: string, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const limit = options.limit && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
  const extensions = options.extensions ?? PHOTO_EXTENSIONS;
  const excluded = new Set<string>();
  for (const dir of options.exclude ?? []) {
    const st = await fs.stat(dir).catch(() => null);
    if (st) excluded.add(`${st.dev}:${st.ino}`);
  }
  const files: DiscoveredFile[] = [];
  const problems: DiscoveryProblem[] = [];
  const skippedExcluded: string[] = [];
  const skippedOutputTrees: string[] = [];
  const visitedDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const walk = async (dir: FsPath): Promise<void> => {
    const st = await fs.stat(dir);
    const key = `${st.dev}:${st.ino}`;
    if (excluded.has(key)) {
      skippedExcluded.push(displayPath(dir));
      return;
    }
    if (visitedDirs.has(key)) return; // a symlink loop or a second link to a folder already walked
    visitedDirs.add(key);
    let entries: Dirent<Buffer>[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      problems.push({ path: displayPath(dir), message: `cannot list folder: ${reason(error)}` });
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    // The source itself may be an output tree on purpose; a tree found inside it is an earlier run's.
    if (dir !== root && entries.some((e) => e.name.equals(MARKER_BYTES) && e.isDirectory())) {
      skippedOutputTrees.push(displayPath(dir));
      return;
    }
    for (const entry of entries) {
      if (files.length >= limit) return;
      if (entry.name[0] === 0x2e) continue; // hidden ('.'), includes AppleDouble '._x.jpg'
      const path = joinPath(dir, pathFromBytes(entry.name));
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await fs.stat(path).catch(() => null);
        if (!target) {
          problems.push({ path: displayPath(path), message: 'broken symbolic link' });
          continue;
        }
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) {
        try {
          await walk(path);
        } catch (error) {
          problems.push({ path: displayPath(path), message: `cannot open folder: ${reason(error)}` });
        }
      } else if (isFile && hasExtension(entry.name, extensions)) {
        try {
          const fst = await fs.stat(path);
          const fileKey = `${fst.dev}:${fst.ino}`;
          if (seenFiles.has(fileKey)) continue; // the same file through a second link
          seenFiles.add(fileKey);
          files.push({ path, relativePath: relativeDisplay(root, path), size: fst.size, mtimeMs: fst.mtimeMs });
          options.onFound?.(files.length);
        } catch (error) {
          problems.push({ path: displayPath(path), message: `cannot read file information: ${reason(error)}` });
        }
      }
    }
  };

  await walk(root);
  return { files, problems, skippedExcluded, skippedOutputTrees };
}

const MARKER_BYTES = Buffer.from(OUTPUT_MARKER);

export function hasPhotoExtension(name: FsPath): boolean {
  return hasExtension(name, PHOTO_EXTENSIONS);
}

/** Whether the name ends in one of `extensions` (lower-case, with the dot), case-insensitively. */
export function hasExtension(name: FsPath, extensions: readonly string[]): boolean {
  const bytes = typeof name === 'string' ? Buffer.from(name) : name;
  const dot = bytes.lastIndexOf(0x2e);
  if (dot <= 0) return false;
  const ext = bytes.subarray(dot).toString('latin1').toLowerCase();
  return extensions.includes(ext);
}

/** Extensions of the motion half of a Live Photo (an iPhone's MOV; some exports make it MP4). */
export const MOTION_EXTENSIONS: readonly string[] = ['.mov', '.mp4'];

/** A name's stem, ASCII case folded: IMG_0001.HEIC and IMG_0001.MOV share `img_0001`. */
export function stemKey(name: Buffer): string {
  const dot = name.lastIndexOf(0x2e);
  return (dot <= 0 ? name : name.subarray(0, dot)).toString('latin1').toLowerCase();
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no longer exists';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return error instanceof Error ? error.message : String(error);
}
