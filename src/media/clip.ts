/**
 * One video clip in, its metadata and fingerprint out — the clip counterpart of load.ts. The
 * frames the strategy chooses are kept in the metadata (time, hash, quality); the item's own
 * fingerprint is its middle chosen frame's, with quality averaged over all chosen frames.
 */
import { chooseFrames, type VideoStrategy } from '../core/clips.js';
import { hashToHex } from '../core/dhash.js';
import type { Fingerprint, FsPath, PhotoMetadata } from '../core/types.js';
import { MediaError } from './contract.js';
import { NO_EXIF } from './exif.js';
import { keyFrames, probeClip } from './video.js';

export interface ClipLoadOptions {
  readonly strategy: VideoStrategy;
  readonly maxFrames: number;
}

/** The string stored with a clip's frames saying how they were chosen. */
export function clipChoice(options: ClipLoadOptions): string {
  return `${options.strategy}/${options.maxFrames}`;
}

export interface LoadedClip {
  readonly meta: PhotoMetadata;
  readonly fingerprint: Fingerprint;
}

export async function loadClip(path: FsPath, options: ClipLoadOptions): Promise<LoadedClip> {
  const probe = await probeClip(path);
  const all = await keyFrames(path, probe);
  const chosen = chooseFrames(
    all.map((f) => ({ t: f.t, dhash: f.fingerprint.dhash, fingerprint: f.fingerprint })),
    options.strategy,
    options.maxFrames,
    probe.durationS,
  );
  const middle = chosen[Math.floor((chosen.length - 1) / 2)];
  if (middle === undefined) throw new MediaError('corrupt', 'undecodable video: no frame could be decoded');
  const mean = (pick: (f: Fingerprint) => number): number => chosen.reduce((sum, f) => sum + pick(f.fingerprint), 0) / chosen.length;
  const fingerprint: Fingerprint = {
    ...middle.fingerprint,
    quality: {
      sharpness: mean((f) => f.quality.sharpness),
      highlightsClipped: mean((f) => f.quality.highlightsClipped),
      shadowsClipped: mean((f) => f.quality.shadowsClipped),
      meanLuma: mean((f) => f.quality.meanLuma),
      megapixels: (probe.width * probe.height) / 1e6,
    },
  };
  const meta: PhotoMetadata = {
    format: 'video',
    width: probe.width,
    height: probe.height,
    orientation: 1,
    ...NO_EXIF,
    takenAt: probe.takenAt,
    make: probe.make,
    model: probe.model,
    video: {
      durationS: probe.durationS,
      codec: probe.codec,
      fps: probe.fps,
      bitrate: probe.bitrate,
      rotation: probe.rotation,
      contentId: probe.contentId,
      choice: clipChoice(options),
      frames: chosen.map((f) => ({
        t: Math.round(f.t * 1000) / 1000,
        hash: hashToHex(f.dhash),
        sharpness: f.fingerprint.quality.sharpness,
        meanLuma: f.fingerprint.quality.meanLuma,
        highlightsClipped: f.fingerprint.quality.highlightsClipped,
        shadowsClipped: f.fingerprint.quality.shadowsClipped,
      })),
    },
  };
  return { meta, fingerprint };
}
