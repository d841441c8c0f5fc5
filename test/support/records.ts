/** Builders for domain records in tests: sensible defaults, override what the test is about. */
import type { AssetFacts } from '../../src/core/immich.js';
import type { ScoringInput } from '../../src/core/scoring.js';
import { asPhotoId, type ImageQuality, type PhotoMetadata } from '../../src/core/types.js';
import { NO_EXIF } from '../../src/media/exif.js';

/** A 4000x3000 JPEG's metadata without any EXIF, unless told otherwise. */
export function photoMetadata(over: Partial<PhotoMetadata> = {}): PhotoMetadata {
  return { format: 'jpeg', width: 4000, height: 3000, orientation: 1, ...NO_EXIF, ...over };
}

/** Whole-image measures of a well exposed, sharp 12 MP frame, mutable so builders can adjust it. */
export function imageQuality(): { -readonly [K in keyof ImageQuality]: ImageQuality[K] } {
  return { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.45, megapixels: 12 };
}

/**
 * Fluent builder of one frame for the ranking tests: a well exposed, sharp 12 MP frame of 4 MB unless told
 * otherwise. Ranking tests with more to say (faces) extend it.
 */
export class FrameBuilder {
  readonly quality = imageQuality();
  fileSize = 4_000_000;
  constructor(readonly id: number) {}
  sharpness(v: number): this {
    this.quality.sharpness = v;
    return this;
  }
  clipped(v: number): this {
    this.quality.highlightsClipped = v;
    return this;
  }
  shadows(v: number): this {
    this.quality.shadowsClipped = v;
    return this;
  }
  luma(v: number): this {
    this.quality.meanLuma = v;
    return this;
  }
  mp(v: number): this {
    this.quality.megapixels = v;
    return this;
  }
  size(v: number): this {
    this.fileSize = v;
    return this;
  }
  scoringInput(): ScoringInput {
    return { id: asPhotoId(this.id), quality: { ...this.quality }, size: this.fileSize };
  }
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
