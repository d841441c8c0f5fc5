/**
 * Video clips made at test time from the fixture photographs with the npm ffmpeg, so every test
 * knows its truth: a slow pan over a photo (one "scene"), the same clip re-encoded smaller or at a
 * lower bitrate, a trimmed copy, another take of the scene (another pan, later), another scene.
 * Clips are tiny (320x240, a few seconds, a key frame every half second) so tests stay fast.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
export const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos');

/** The npm ffmpeg, for tests that shape a clip their own way. */
export function ffmpegPath(): string {
  return ffmpeg;
}

export interface PanClip {
  /** Fixture photo name without .jpg. */
  readonly photo: string;
  readonly seconds: number;
  /** Horizontal pan speed in source pixels per second (the photo is first scaled to 640 wide). */
  readonly speed?: number;
  /** Where the pan starts, in source pixels. */
  readonly startX?: number;
  readonly size?: readonly [number, number];
  /** Container creation_time (UTC, ISO). */
  readonly creationTime?: string;
  /** QuickTime com.apple.quicktime.creationdate and content identifier (written to a .mov). */
  readonly appleDate?: string;
  readonly contentId?: string;
  /** Encoder quality: x264 CRF (lower = higher bitrate). */
  readonly crf?: number;
  /** Brightness offset (-1..1) via eq, and gaussian blur sigma: a worse take. */
  readonly brightness?: number;
  readonly blur?: number;
}

/** Writes a pan clip over a fixture photo to `out` (.mp4, .mov, .mkv, .webm… by its extension). */
export function panClip(out: string, clip: PanClip): string {
  const [w, h] = clip.size ?? [320, 240];
  const speed = clip.speed ?? 40;
  const x0 = clip.startX ?? 0;
  const filters = [`scale=640:-2`, `crop=320:240:x='${x0}+t*${speed}':y=20`, `scale=${w}:${h}`];
  if (clip.brightness !== undefined) filters.push(`eq=brightness=${clip.brightness}`);
  if (clip.blur !== undefined) filters.push(`gblur=sigma=${clip.blur}`);
  filters.push('format=yuv420p');
  const webm = out.endsWith('.webm');
  const codec = webm
    ? ['-c:v', 'libvpx-vp9', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8']
    : ['-c:v', 'libx264', '-preset', 'ultrafast'];
  const meta = [
    ...(clip.creationTime === undefined ? [] : ['-metadata', `creation_time=${clip.creationTime}`]),
    ...(clip.appleDate === undefined ? [] : ['-metadata', `com.apple.quicktime.creationdate=${clip.appleDate}`]),
    ...(clip.contentId === undefined ? [] : ['-metadata', `com.apple.quicktime.content.identifier=${clip.contentId}`]),
    ...(clip.appleDate !== undefined || clip.contentId !== undefined ? ['-movflags', 'use_metadata_tags'] : []),
  ];
  execFileSync(ffmpeg, [
    ...['-v', 'error', '-y', '-loop', '1', '-i', join(PHOTOS, `${clip.photo}.jpg`)],
    ...['-vf', filters.join(','), '-t', String(clip.seconds), '-r', '15', '-g', '8'],
    ...codec,
    ...(webm ? [] : ['-crf', String(clip.crf ?? 23)]),
    ...meta,
    out,
  ]);
  return out;
}

/** Re-encodes `input` to `out`: another size, quality, or a trim (start, length in seconds). */
export function reencode(
  input: string,
  out: string,
  options: {
    readonly size?: readonly [number, number];
    readonly crf?: number;
    readonly start?: number;
    readonly seconds?: number;
    readonly gop?: number;
  },
): string {
  execFileSync(ffmpeg, [
    ...['-v', 'error', '-y', ...(options.start === undefined ? [] : ['-ss', String(options.start)]), '-i', input],
    ...(options.seconds === undefined ? [] : ['-t', String(options.seconds)]),
    ...(options.size === undefined ? [] : ['-vf', `scale=${options.size[0]}:${options.size[1]}`]),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', String(options.crf ?? 23), '-g', String(options.gop ?? 11)],
    '-map_metadata',
    '0',
    out,
  ]);
  return out;
}

/** Real footage: a clip of consecutive video stills from test/fixtures/video (`cap12` or `cap13`), at `fps`. */
export function stillsClip(out: string, prefix: 'cap12' | 'cap13', fps: number, creationTime: string): string {
  execFileSync(ffmpeg, [
    ...['-v', 'error', '-y', '-framerate', String(fps), '-pattern_type', 'glob', '-i', join(PHOTOS, '..', 'video', `${prefix}-*.jpg`)],
    ...['-vf', 'format=yuv420p', '-r', '10', '-g', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20'],
    ...['-metadata', `creation_time=${creationTime}`, out],
  ]);
  return out;
}
