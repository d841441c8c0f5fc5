/**
 * The domain records every stage passes around. Pure data: no I/O, no classes.
 */

/**
 * A path as the file system stores it. Almost always a string; a Buffer only for names that are
 * not valid UTF-8, which a JS string cannot carry without losing bytes. Every `fs` call accepts both.
 */
export type FsPath = string | Buffer;

/**
 * Catalog row id of an item (a photo of a folder or an asset of a server). Stable for a given
 * path or asset while the catalog lives. Branded so a group number, a run id or a position can
 * never be passed where an item is meant.
 */
export type PhotoId = number & { readonly __brand: 'PhotoId' };

/** The one place a number becomes an item id: the catalog's row ids, and requests already validated. */
export function asPhotoId(id: number): PhotoId {
  return id as PhotoId;
}

/** Capture time as the camera recorded it. */
export interface CaptureTime {
  /** The camera's wall-clock time read as if it were UTC, in ms: comparable across one library. */
  readonly wallClockMs: number;
  /** Offset from UTC in minutes when the file records it (OffsetTimeOriginal), else null. */
  readonly offsetMinutes: number | null;
  /** Which EXIF field (or video container tag) it came from. */
  readonly source: 'DateTimeOriginal' | 'CreateDate' | 'QuickTimeCreationDate' | 'CreationTime';
}

export interface GpsPosition {
  readonly latitude: number;
  readonly longitude: number;
  readonly altitude: number | null;
}

/** What a photo's header says: read once per file identity, cached in the catalog. */
export interface PhotoMetadata {
  /** Container format as sniffed from the bytes: jpeg, png, webp, tiff, heif, raw. */
  readonly format: string;
  /** Pixel size after EXIF orientation is applied (what a viewer shows). */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1..8 (1 when absent). */
  readonly orientation: number;
  readonly takenAt: CaptureTime | null;
  readonly make: string | null;
  readonly model: string | null;
  readonly lens: string | null;
  /** Seconds. */
  readonly exposureTime: number | null;
  readonly fNumber: number | null;
  readonly iso: number | null;
  /** Millimetres. */
  readonly focalLength: number | null;
  readonly gps: GpsPosition | null;
  /** Selected raw EXIF entries, in a stable order, for metadata.txt (`exif_<name>: <value>`). */
  readonly exif: readonly (readonly [name: string, value: string])[];
  /** A video clip's stream facts and key frames (format 'video'); absent for photos. */
  readonly video?: VideoFacts;
  /** A Live Photo still's content identifier (Apple MakerNote), shared with its MOV; absent when none. */
  readonly contentId?: string;
  /** An Immich Live Photo still: the id of its motion part (a VIDEO asset the server hides). */
  readonly livePhotoVideoId?: string;
}

/** One key frame of a clip, as fingerprinted (decoded at about 192 px). */
export interface ClipFrame {
  /** Presentation time in seconds from the start of the clip. */
  readonly t: number;
  /** 64-bit dHash as 16 hex digits (JSON cannot carry a bigint). */
  readonly hash: string;
  readonly sharpness: number;
  readonly meanLuma: number;
  readonly highlightsClipped: number;
  readonly shadowsClipped: number;
}

/** What a clip's container and stream say, plus the key frames its fingerprint was made from. */
export interface VideoFacts {
  readonly durationS: number;
  /** Codec name as ffprobe gives it: h264, hevc, vp9… */
  readonly codec: string;
  /** Average frame rate, frames per second; null when the container does not say. */
  readonly fps: number | null;
  /** Bits per second of the video stream (else of the whole file); null when unknown. */
  readonly bitrate: number | null;
  /** Display rotation in degrees (0, 90, 180, 270), already applied to width and height. */
  readonly rotation: number;
  /** Apple's content identifier, shared by a Live Photo's still and its MOV. */
  readonly contentId: string | null;
  /** Which choice made `frames`, e.g. "scene_change/10" (another --video-strategy or --video-max-frames fingerprints again). */
  readonly choice: string;
  /** The frames the --video-strategy chose, in time order (at most --video-max-frames). */
  readonly frames: readonly ClipFrame[];
}

/**
 * Whole-image quality measures, computed on a decode whose long side is QUALITY_SIDE (440 px).
 * A photo's fingerprint first carries them measured on its smaller grouping decode, marked
 * `coarse` (too soft to tell slight blur apart); the photos that end up in a group are measured
 * again at full size before they are ranked (pipeline/stages/quality.ts).
 */
export interface ImageQuality {
  /** Variance of the Laplacian of luma (0..255 scale) on the normalized-size image. Higher = sharper. */
  readonly sharpness: number;
  /** Fraction of pixels with luma >= 250. */
  readonly highlightsClipped: number;
  /** Fraction of pixels with luma <= 5. */
  readonly shadowsClipped: number;
  /** Mean luma, 0..1. */
  readonly meanLuma: number;
  /** Megapixels of the original (oriented) image. */
  readonly megapixels: number;
  /** Measured on the small grouping decode: good for exposure, not for ranking on sharpness. */
  readonly coarse?: true;
}

/** Side of the square luma sketch used to verify candidate pairs. */
export const SKETCH_SIZE = 32;
/** Side of the square colour sketch. */
export const COLOR_SIZE = 8;

/** Visual fingerprint of one photo. */
export interface Fingerprint {
  /** Seed-compatible 64-bit dHash (9x8 luma, bit = right neighbour brighter, row-major, MSB first). */
  readonly dhash: bigint;
  /** SKETCH_SIZE x SKETCH_SIZE luma, row-major, 0..255, aspect ignored (stretched to square). */
  readonly sketch: Uint8Array;
  /** COLOR_SIZE x COLOR_SIZE RGB, row-major, interleaved, 0..255. */
  readonly color: Uint8Array;
  readonly quality: ImageQuality;
}

/**
 * A photo as the grouping, selection, output and report stages see it. The sketches are not
 * here: they are the bulk of a fingerprint and are read from the catalog only when compared.
 */
export interface Photo {
  readonly id: PhotoId;
  /** Absolute path, for I/O. */
  readonly path: FsPath;
  /** Path relative to the source root, for display and reports (invalid UTF-8 bytes shown as \xNN). */
  readonly relativePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly meta: PhotoMetadata;
  readonly dhash: bigint;
  readonly quality: ImageQuality;
}

export type GroupKind = 'duplicate' | 'burst' | 'similar';

/** A set of photos that show the same moment or scene. Members sorted by relative path. */
export interface Group {
  readonly kind: GroupKind;
  readonly members: readonly PhotoId[];
}

/** Per-photo verdict inside a group. */
export interface Decision {
  readonly photoId: PhotoId;
  /** 0..1, higher is better; comparable within one group only. */
  readonly score: number;
  /** Short human-readable reason, e.g. "sharpest, well exposed, 12.0 MP". */
  readonly reason: string;
  readonly isBest: boolean;
  /** Kept besides the best (a keeper marked in review): copied as keep_…, favourited on Immich. */
  readonly keep?: boolean;
}

/** A per-file failure: data, not an exception. */
export interface PhotoError {
  readonly path: string;
  readonly stage: 'discover' | 'inspect' | 'fingerprint' | 'enhance' | 'output';
  readonly message: string;
}
