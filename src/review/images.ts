/**
 * Pictures for the review page: a small one for the grid, a large one for the group view, and
 * the full resolution for zooming to 100 %. Made through media/ (any format the organizer reads,
 * oriented) and kept in the thumbnail cache; a full-size JPEG, PNG or WebP is the file itself,
 * which every browser shows (and orients) as it is.
 */
import { readFile } from 'node:fs/promises';
import type { FsPath } from '../core/types.js';
import { encodeJpeg } from '../media/decode.js';
import { loadPixels } from '../media/load.js';
import { posterFrame } from '../media/video.js';
import type { PlayClip } from './clip-stream.js';
import type { ThumbnailCache } from './thumbs.js';

export const IMAGE_VARIANTS = ['grid', 'view', 'full'] as const;
export type ImageVariant = (typeof IMAGE_VARIANTS)[number];

/** Long side in pixels and JPEG quality of each made variant. */
const MADE: Readonly<Record<ImageVariant, { readonly side: number; readonly quality: number }>> = {
  // Sharp on a 2x screen at the grid's ~240 px card width.
  grid: { side: 480, quality: 72 },
  view: { side: 1600, quality: 82 },
  full: { side: 16384, quality: 90 },
};

const BROWSER_FORMATS: Readonly<Record<string, string>> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

export interface ImageSource {
  /** Names the picture in the thumbnail cache (with the version). */
  readonly identity: string;
  /** PhotoMetadata.format; a format browsers show is served as it is at full size. */
  readonly format: string;
  /** Changes when the picture does. */
  readonly version: string;
  /** The file holding the pixels, kept until release() (a download cache must not evict it meanwhile). */
  open(): Promise<{ readonly file: FsPath; release(): void }>;
  /** A clip the page plays from elsewhere (an Immich server), not from the file open() gives. */
  readonly play?: PlayClip;
}

export interface Image {
  readonly bytes: Buffer;
  readonly type: string;
}

/** The picture of `source` in `variant`; throws MediaError when the file cannot be decoded. */
export async function photoImage(cache: ThumbnailCache, source: ImageSource, variant: ImageVariant): Promise<Image> {
  const native = BROWSER_FORMATS[source.format];
  if (variant === 'full' && native !== undefined) return { bytes: await withFile(source, (file) => readFile(file)), type: native };
  const { side, quality } = MADE[variant];
  const identity = `${source.identity}\n${source.version}\n${variant}`;
  const bytes = await cache.get(identity, () =>
    withFile(source, async (file) =>
      // A clip shows its poster frame (a key frame a third of the way in).
      encodeJpeg(source.format === 'video' ? await posterFrame(file, side) : await loadPixels(file, { maxSide: side }), quality),
    ),
  );
  return { bytes, type: 'image/jpeg' };
}

async function withFile<T>(source: ImageSource, use: (file: FsPath) => Promise<T>): Promise<T> {
  const { file, release } = await source.open();
  try {
    return await use(file);
  } finally {
    release();
  }
}
