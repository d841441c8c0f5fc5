import type { PhotoMetadata } from '../core/types.js';

/** Oriented RGB pixels (3 channels, row-major, 8 bits) of a downscaled decode. */
export interface DecodedImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/** What `loadPhoto` returns: header facts plus pixels for fingerprinting and scoring. */
export interface LoadedPhoto {
  readonly meta: PhotoMetadata;
  readonly image: DecodedImage;
}

export type MediaErrorCode = 'empty' | 'not-image' | 'truncated' | 'too-large' | 'unreadable' | 'unsupported' | 'corrupt';

/** A file that cannot be turned into pixels. `message` is one line fit for a person. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}
