/** Builders for domain records in tests: sensible defaults, override what the test is about. */
import type { AssetFacts } from '../../src/core/immich.js';
import type { ImageQuality, PhotoMetadata } from '../../src/core/types.js';
import { NO_EXIF } from '../../src/media/exif.js';

/** A 4000x3000 JPEG's metadata without any EXIF, unless told otherwise. */
export function photoMetadata(over: Partial<PhotoMetadata> = {}): PhotoMetadata {
  return { format: 'jpeg', width: 4000, height: 3000, orientation: 1, ...NO_EXIF, ...over };
}

/** Whole-image measures of a well exposed, sharp 12 MP frame, mutable so builders can adjust it. */
export function imageQuality(): { -readonly [K in keyof ImageQuality]: ImageQuality[K] } {
  return { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.45, megapixels: 12 };
}

/** What an Immich listing says of a 12 MP JPEG without EXIF, unless told otherwise. */
export function assetFacts(over: Partial<AssetFacts> = {}): AssetFacts {
  return {
    fileName: 'IMG_0001.JPG',
    mime: 'image/jpeg',
    createdAt: '2024-05-18T07:12:03.000Z',
    modifiedMs: 0,
    takenAt: null,
    width: 4000,
    height: 3000,
    size: 1234,
    isFavorite: false,
    visibility: 'timeline',
    make: null,
    model: null,
    lens: null,
    fNumber: null,
    focalLength: null,
    iso: null,
    exposureTime: null,
    gps: null,
    thumbhash: null,
    people: [],
    ...over,
  };
}
