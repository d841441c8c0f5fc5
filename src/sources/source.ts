/**
 * The one interface every photo source implements: a folder of files, or an Immich server (with
 * or without a local copy of its library). The pipeline runs the same stages on any of them;
 * what differs — how items are listed, which deserve a close look, where a picture's bytes come
 * from, how an item is named — is answered here.
 */
import type { ItemEntry, PictureKind, StoredItem } from '../core/items.js';
import type { DownloadKind } from '../immich/client.js';
import type { ServerFace } from '../core/server-faces.js';
import type { FsPath, PhotoId } from '../core/types.js';

/** What a stage reports while it works (pipeline/progress.ts ProgressSink has this shape). */
export interface SourceSink {
  start(stage: 'discover', total: number | null): void;
  update(done: number, total?: number): void;
  finish(): void;
  note(kind: 'problem' | 'notice', line: string): void;
}

export interface Discovery {
  /** Every item found, in the order grouping depends on (the pipeline records them in the catalog). */
  readonly entries: readonly ItemEntry[];
  /** Items found but not readable as photos at all (a broken link, an unreadable folder). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** One grouping pass: all items, or one person's photos, or the server's duplicate groups. */
export interface Pass {
  /** Person mode: whose photos these are (tags and album names say it). */
  readonly person: string | null;
  /** The items the pass judges, in grouping order. */
  readonly ids: readonly PhotoId[];
  /** Those worth fingerprinting and grouping (a thumbhash prefilter can rule the others out). */
  readonly candidates: ReadonlySet<PhotoId>;
  /** Groups given by the source (server duplicates): no grouping, these are the groups. */
  readonly fixedGroups: readonly (readonly PhotoId[])[] | null;
}

/** A picture as a file on this machine, held (never evicted from a cache) until released. */
export interface Picture {
  readonly path: FsPath;
  readonly size: number;
  readonly mtimeMs: number;
  /** Where it came from: the file itself, a download cache, a local copy of a library, the network. */
  readonly from: 'file' | 'cache' | 'library' | 'download';
  /** A download: which picture the server had (a preview, else a thumbnail, else the original). */
  readonly downloaded?: DownloadKind;
}

export interface PassOptions {
  readonly threshold: number;
  readonly timeWindow: number;
  readonly minGroupSize: number;
}

export interface PhotoSource {
  /** `items.source` of this source's items. */
  readonly id: string;
  /** Scope of the review decisions made on its items. */
  readonly scope: string;
  /** What the report names as the source: a folder, or a server (and album). */
  readonly label: string;
  /** The picture fingerprints are made from. */
  readonly pixels: PictureKind;
  /**
   * Of the fingerprinted clips among the candidates, those worth a closer look (Immich clips whose
   * posters cannot decide): their ids, fingerprinted again from `pixelsOf`; absent or [] for none.
   */
  secondLook?(items: readonly StoredItem[], options: PassOptions, sink: SourceSink): PhotoId[];
  /** The picture one item's fingerprint is made from, when it is not `pixels` (a server clip read in full). */
  pixelsOf?(id: PhotoId): PictureKind;
  /** Whether a failed item is tried again on the next run (downloads), or only once it changes (files). */
  readonly retryFailed: boolean;
  /** Whether the metadata read from a picture is the item's (a file), or the listing's is (a preview). */
  readonly metadataFromPicture: boolean;
  /** Lists the items. */
  discover(sink: SourceSink): Promise<Discovery>;
  /** The grouping passes over the listed items (see Pass). */
  passes(items: readonly StoredItem[], options: PassOptions, sink: SourceSink): Promise<Pass[]>;
  /** The item's picture, held until `release` (throws a SourceError when it cannot be had). */
  open(item: StoredItem): Promise<Picture>;
  release(item: StoredItem): void;
  /** Called after a stage has released what it held (a cache may trim itself). */
  settle(): Promise<void>;
  /** How people see the item: a path relative to the folder, or a file name. */
  name(item: StoredItem): string;
  /** Items listed by an earlier run, to be named as that run named them (a review opens no listing). */
  learnNames(items: readonly StoredItem[]): void;
  /** Where the report points for an item: its file, or its page on the server. */
  link(item: StoredItem): string;
  /** A file that travels with the item's picture (a Live Photo's motion clip next to its still), or null. */
  companion?(item: StoredItem): Promise<Picture | null>;
  /** Faces the source itself found, when asked for (Immich's server faces), by item id; else null. */
  serverFaces(items: readonly StoredItem[]): Promise<ReadonlyMap<PhotoId, ServerFace[]> | null>;
  close(): Promise<void>;
}

/** A picture that cannot be had: a per-item failure, recorded and reported, never fatal. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}
