/** Builders for domain records in tests: sensible defaults, override what the test is about. */
import type { PhotoMetadata } from '../../src/core/types.js';
import { NO_EXIF } from '../../src/media/exif.js';

/** A 4000x3000 JPEG's metadata without any EXIF, unless told otherwise. */
export function photoMetadata(over: Partial<PhotoMetadata> = {}): PhotoMetadata {
  return { format: 'jpeg', width: 4000, height: 3000, orientation: 1, ...NO_EXIF, ...over };
}
