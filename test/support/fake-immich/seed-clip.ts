/**
 * A video clip as a fake Immich asset: the file as its original, and a poster frame picked the
 * way the v3 server picks it (media.service generateVideoThumbnails → utils/media.ts
 * ThumbnailConfig: 12 fps, the `thumbnail` filter over each second, the first scene change, the
 * second frame kept; -vsync is the npm ffmpeg's name for -fps_mode), from which the preview,
 * thumbnail and thumbhash are made as for stills.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import sharp from 'sharp';
import { encodeThumbhash } from '../../../src/core/thumbhash.js';
import { probeClip } from '../../../src/media/video.js';
import { ffmpegPath } from '../clips.js';
import { type SeedAsset, uuidFor } from './seed.js';

/** Immich's poster frame filter chain (v3.1.0), then the frame as PNG bytes. */
function posterFrame(file: string): Buffer {
  const filters = [
    'fps=12:start_time=0:eof_action=pass:round=down',
    'thumbnail=12',
    String.raw`select=gt(scene\,0.1)-eq(prev_selected_n\,n)+isnan(prev_selected_n)+gt(n\,20)`,
    'trim=end_frame=2',
    'reverse',
  ];
  return execFileSync(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-vf', filters.join(','), '-vsync', 'vfr', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}

export interface ClipSeedOptions {
  /** Capture instant (UTC ISO) as the server read it from the container; null: none. */
  readonly takenAt: string | null;
}

/** A seed asset for the clip at `file`, listed under `relativePath`. */
export async function seedClip(file: string, relativePath: string, options: ClipSeedOptions): Promise<SeedAsset> {
  const original = readFileSync(file);
  const probe = await probeClip(file);
  const poster = sharp(posterFrame(file));
  const { data, info } = await poster.clone().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const modified = new Date(Date.UTC(2025, 0, 1)).toISOString();
  const taken = options.takenAt ?? modified;
  return {
    id: uuidFor(relativePath),
    relativePath,
    originalFileName: basename(relativePath),
    mime: relativePath.toLowerCase().endsWith('.mov') ? 'video/quicktime' : 'video/mp4',
    original,
    preview: await poster.clone().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer(),
    thumbnail: await poster.clone().resize(250, 250, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer(),
    checksum: createHash('sha1').update(original).digest('base64'),
    thumbhash: Buffer.from(encodeThumbhash(info.width, info.height, new Uint8Array(data))).toString('base64'),
    width: probe.width,
    height: probe.height,
    // As for a still without a zone: the instant and the wall clock alike, and no zone.
    dateTimeOriginal: taken,
    localDateTime: taken,
    timeZone: options.takenAt === null ? null : 'UTC',
    fileCreatedAt: taken,
    fileModifiedAt: modified,
    camera: { make: null, model: null, exposureTime: null, fNumber: null, iso: null },
    durationMs: Math.round(probe.durationS * 1000),
  };
}

/**
 * A still JPEG as a fake asset (a Live Photo's still, say), taken at `takenAt` (UTC, no zone);
 * `scale` below 1 makes a resized copy of it.
 */
export async function seedStill(file: string, relativePath: string, takenAt: string, scale = 1): Promise<SeedAsset> {
  const source = sharp(readFileSync(file)).rotate();
  const { width = 0 } = await source.metadata();
  const original = await source
    .clone()
    .resize(Math.round(width * scale))
    .jpeg({ quality: 90 })
    .toBuffer();
  const pixels = sharp(original);
  const meta = await pixels.metadata();
  const { data, info } = await pixels.clone().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    id: uuidFor(relativePath),
    relativePath,
    originalFileName: basename(relativePath),
    mime: 'image/jpeg',
    original,
    preview: await pixels.clone().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer(),
    thumbnail: await pixels.clone().resize(250, 250, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer(),
    checksum: createHash('sha1').update(original).digest('base64'),
    thumbhash: Buffer.from(encodeThumbhash(info.width, info.height, new Uint8Array(data))).toString('base64'),
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    dateTimeOriginal: takenAt,
    localDateTime: takenAt,
    timeZone: 'UTC',
    fileCreatedAt: takenAt,
    fileModifiedAt: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    camera: { make: null, model: null, exposureTime: null, fNumber: null, iso: null },
  };
}
