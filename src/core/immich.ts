/**
 * Domain records of the Immich integration, shared by the source (listing), the catalog (cache
 * and journal) and the action planner. Pure data.
 */
import type { CaptureTime, GpsPosition } from './types.js';

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
