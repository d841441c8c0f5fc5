/**
 * Items: the photos of any source as the pipeline sees them — a file of a folder, keyed by its
 * path, or an asset of an Immich server, keyed by its id — with what the catalog caches for them.
 * Pure data.
 */
import type { AssetFacts } from './immich.js';
import type { FsPath, ImageQuality, PhotoId, PhotoMetadata } from './types.js';

/*
 * How items are told apart and known to have changed: the `source` (a folder run's files, or one
 * Immich server's assets) and a `version` per item, whose change drops everything cached for it
 * (fingerprint, face analysis).
 */
/** `items.source` of folder photos; an Immich asset's source is its server's API URL. */
export const LOCAL_SOURCE = 'local';

export const itemVersion = {
  /** A file is the same file while its size and modification time are. */
  local: (size: number, mtimeMs: number): string => `${size}:${mtimeMs}`,
  /** An asset is the same picture while its checksum (SHA-1 of the original) is. */
  asset: (checksum: string): string => checksum,
};

/** Which picture a fingerprint (and a face analysis) was made from. */
export type PictureKind = 'preview' | 'original';

/** An item as a source lists it. */
export interface ItemEntry {
  /** A file's path, or an asset's id. */
  readonly key: FsPath;
  /** See itemVersion: a new version drops what was cached. */
  readonly version: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** What the server's listing says (Immich assets). */
  readonly facts?: AssetFacts;
  /** Metadata known without decoding (from the listing); files get theirs when fingerprinted. */
  readonly meta?: PhotoMetadata;
}

export interface SyncResult {
  /** Row ids of the entries, in the order given. */
  readonly ids: PhotoId[];
  readonly added: number;
  readonly changed: number;
  readonly unchanged: number;
}

/** An item as stored. */
export interface StoredItem {
  readonly id: PhotoId;
  readonly source: string;
  readonly key: FsPath;
  readonly version: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly facts: AssetFacts | null;
  readonly meta: PhotoMetadata | null;
  readonly pixels: PictureKind | null;
  readonly dhash: bigint | null;
  readonly quality: ImageQuality | null;
  readonly errorStage: string | null;
  readonly error: string | null;
}

/** A fingerprinted item: what grouping, ranking, output and report work with. */
export interface StoredPhoto extends StoredItem {
  readonly meta: PhotoMetadata;
  readonly dhash: bigint;
  readonly quality: ImageQuality;
}

/** Whether an item has been fingerprinted (and so can be grouped). */
export function isPhoto(item: StoredItem): item is StoredPhoto {
  return item.dhash !== null && item.quality !== null && item.meta !== null;
}
