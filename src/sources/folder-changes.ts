/**
 * What changed in a photo folder, for --watch: file events from chokidar, each reported only once
 * the file stopped growing (a photo still being copied is not read half-written), gathered until
 * the folder has been quiet a moment (a card copied in gives one cycle, not hundreds). Events can
 * be missed (network shares, a watcher limit reached), so every `rescanEvery` polls the folder is
 * listed again and compared with the last listing.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { ChangeFeed, Clock } from '../pipeline/watch.js';
import { discoverPhotos } from './local.js';

export interface FolderChangesOptions {
  /** The photo folder (absolute). */
  readonly root: string;
  /** Folders inside it that are ours (the output folder, the catalog's): their changes are not news. */
  readonly exclude: readonly string[];
  readonly clock: Clock;
  /** How long a file's size must stay put before it counts as arrived, ms. */
  readonly stableMs: number;
  /** How long the folder must be quiet after the last event before a cycle, ms. */
  readonly settleMs: number;
  /** Polls between two listings of the whole folder; 0: never. */
  readonly rescanEvery: number;
}

export class FolderChanges implements ChangeFeed {
  private seen = 0;
  private lastEventAt = 0;
  private polls = 0;
  /** Wakes a waiting next() when an event arrives. */
  private wake: (() => void) | null = null;

  private constructor(
    private readonly options: FolderChangesOptions,
    private readonly watcher: FSWatcher,
    private listing: string,
  ) {}

  /** Starts watching (resolves once the watcher is ready) and takes the first listing. */
  static async open(options: FolderChangesOptions): Promise<FolderChanges> {
    const ignored = (path: string): boolean => {
      if (options.exclude.some((dir) => path === dir || path.startsWith(`${dir}${sep}`))) return true;
      const rel = relative(options.root, path);
      // Hidden files and folders are skipped by discovery too (macOS ._ files included).
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep).some((part) => part.startsWith('.'));
    };
    const watcher = watch(options.root, {
      ignoreInitial: true,
      ignored,
      followSymlinks: true,
      awaitWriteFinish: { stabilityThreshold: options.stableMs, pollInterval: Math.max(50, Math.round(options.stableMs / 8)) },
    });
    const ready = new Promise<void>((resolve, reject) => {
      watcher.once('ready', () => resolve());
      watcher.once('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
    });
    try {
      await ready;
    } catch (error) {
      await watcher.close();
      throw error;
    }
    const feed = new FolderChanges(options, watcher, await listingOf(options));
    watcher.on('all', () => feed.event());
    // A watcher error (a folder that cannot be read) is no reason to stop: the rescan still sees it.
    watcher.on('error', () => undefined);
    return feed;
  }

  private event(): void {
    this.seen++;
    this.lastEventAt = this.options.clock.now();
    this.wake?.();
  }

  async next(ms: number, signal: AbortSignal): Promise<number> {
    const { clock, settleMs } = this.options;
    const deadline = clock.now() + ms;
    while (!signal.aborted) {
      const now = clock.now();
      if (this.seen > 0 && now - this.lastEventAt >= settleMs) break;
      if (this.seen === 0 && now >= deadline) break;
      const wait = this.seen > 0 ? settleMs - (now - this.lastEventAt) : deadline - now;
      const woken = new AbortController();
      const onAbort = (): void => woken.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => woken.abort();
      try {
        await clock.sleep(wait, woken.signal);
      } finally {
        this.wake = null;
        signal.removeEventListener('abort', onAbort);
      }
    }
    let changes = this.seen;
    this.seen = 0;
    this.polls++;
    if (this.options.rescanEvery > 0 && this.polls % this.options.rescanEvery === 0 && !signal.aborted) {
      const listing = await listingOf(this.options);
      if (listing !== this.listing && changes === 0) changes = 1;
      this.listing = listing;
    }
    return changes;
  }

  async close(): Promise<void> {
    await this.watcher.close();
  }
}

/** A digest of every photo file's path, size and time: equal listings, unchanged folder. */
async function listingOf(options: FolderChangesOptions): Promise<string> {
  const found = await discoverPhotos(options.root, { exclude: options.exclude });
  const hash = createHash('sha256');
  for (const f of found.files)
    hash.update(typeof f.path === 'string' ? f.path : f.path.toString('hex')).update(`\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex');
}
