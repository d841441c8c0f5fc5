/**
 * Domain records of the Immich integration, shared by the source (listing), the catalog (cache
 * and journal) and the action planner. Pure data.
 */
import type { PictureKind, StoredItem } from './items.js';
import type { CaptureTime, GpsPosition, ImageQuality, PhotoId, PhotoMetadata } from './types.js';

/** What the listing says about an asset, stored as JSON. */
export interface AssetFacts {
  readonly fileName: string;
  /** The original's path on the server (absent in catalogs written before it was kept). */
  readonly originalPath?: string | null;
  readonly mime: string | null;
  /** fileCreatedAt, ISO. */
  readonly createdAt: string;
  /** fileModifiedAt in ms. */
  readonly modifiedMs: number;
  readonly takenAt: CaptureTime | null;
  /** Pixel size of the original (0 when the server does not know it yet). */
  readonly width: number;
  readonly height: number;
  /** Size of the original in bytes (0 when unknown). */
  readonly size: number;
  readonly isFavorite: boolean;
  readonly visibility: string;
  readonly make: string | null;
  readonly model: string | null;
  readonly lens: string | null;
  readonly fNumber: number | null;
  readonly focalLength: number | null;
  readonly iso: number | null;
  readonly exposureTime: string | null;
  readonly gps: GpsPosition | null;
  /** Base64 thumbhash, null when the server has none yet. */
  readonly thumbhash: string | null;
  /** Names of the people the server recognised in it (when the listing asked for them). */
  readonly people: readonly string[];
  /** A VIDEO asset's length in seconds (0 before the server read it); absent for stills. */
  readonly durationS?: number;
  /** A Live Photo still's motion part (a VIDEO asset the server hides); absent otherwise. */
  readonly livePhotoVideoId?: string;
}

/** Whether the listing says the asset is a video clip. */
export function isVideoAsset(f: AssetFacts): boolean {
  return f.durationS !== undefined;
}

export interface ListedAsset {
  readonly assetId: string;
  readonly checksum: string;
  readonly facts: AssetFacts;
}

/** Every kind of change this tool makes on a server, and its inverse for undo. */
export type JournalOp =
  | 'create-tag'
  | 'delete-tag'
  | 'add-tag'
  | 'remove-tag'
  | 'create-album'
  | 'delete-album'
  | 'add-album'
  | 'remove-album'
  | 'favorite'
  | 'unfavorite'
  | 'archive'
  | 'unarchive'
  | 'create-stack'
  | 'delete-stack';

export type JournalState = 'pending' | 'done' | 'failed';

export interface JournalEntry {
  readonly id: number;
  readonly runId: number;
  readonly op: JournalOp;
  /** Tag value, album name, stack cover asset id; '' for favourite and archive. */
  readonly target: string;
  /** Server id of the tag, album or stack, once known. */
  readonly entityId: string | null;
  readonly assets: readonly string[];
  readonly state: JournalState;
  readonly message: string | null;
}

export interface JournalStart {
  readonly op: JournalOp;
  readonly target: string;
  readonly entityId: string | null;
  readonly assets: readonly string[];
}

/** Metadata of an asset from the listing (EXIF as the server read it from the original). */
export function metadataFromFacts(f: AssetFacts): PhotoMetadata {
  const exif: [string, string][] = [];
  if (f.createdAt) exif.push(['FileCreatedAt', f.createdAt]);
  return {
    // 'video' marks a clip for grouping (catalog loadPhotoKeys) before any picture of it is read.
    format: isVideoAsset(f) ? 'video' : formatOf(f.mime, f.fileName),
    width: f.width,
    height: f.height,
    orientation: 1,
    takenAt: f.takenAt,
    make: f.make,
    model: f.model,
    lens: f.lens,
    exposureTime: seconds(f.exposureTime),
    fNumber: f.fNumber,
    iso: f.iso,
    focalLength: f.focalLength,
    gps: f.gps,
    exif,
    ...(f.livePhotoVideoId === undefined ? {} : { livePhotoVideoId: f.livePhotoVideoId }),
  };
}

function formatOf(mime: string | null, fileName: string): string {
  const m = (mime ?? '').toLowerCase();
  if (m.includes('jpeg')) return 'jpeg';
  if (m.includes('png')) return 'png';
  if (m.includes('webp')) return 'webp';
  if (m.includes('heic') || m.includes('heif') || m.includes('avif')) return 'heif';
  if (m.includes('tiff')) return 'tiff';
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'heic' || ext === 'heif') return 'heif';
  return ext !== '' && ext.length <= 5 ? ext : 'image';
}

/** `1/250` or `0.004` → seconds. */
function seconds(text: string | null): number | null {
  if (text === null) return null;
  const frac = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (frac) return Number(frac[2]) > 0 ? Number(frac[1]) / Number(frac[2]) : null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** An item of an Immich source in the server's terms: its asset id, checksum and listing facts. */
export interface StoredAsset extends ListedAsset {
  /** The catalog's item id (the PhotoId of groups and reports). */
  readonly id: PhotoId;
  readonly pixels: PictureKind | null;
  readonly dhash: bigint | null;
  readonly quality: ImageQuality | null;
  readonly error: string | null;
}

/** An Immich item seen as an asset (its key is the asset id, its version the checksum). */
export function assetOf(item: StoredItem): StoredAsset {
  if (item.facts === null) throw new Error(`Item ${item.id} is not an Immich asset (it has no listing facts)`);
  return {
    id: item.id,
    assetId: typeof item.key === 'string' ? item.key : item.key.toString('utf8'),
    checksum: item.version,
    facts: item.facts,
    pixels: item.pixels,
    dhash: item.dhash,
    quality: item.quality,
    error: item.error,
  };
}
