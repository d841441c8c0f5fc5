/**
 * Picks the best clip of a group. Copies of one footage differ only by how they were saved: the
 * largest frame wins, then the higher bitrate, then the bigger file, then path order. Takes of a
 * scene are judged on their chosen key frames: sharpness (relative to the group's sharpest),
 * steadiness (how little consecutive frames change per second: a shaky take changes a lot) and
 * exposure; with faces analyzed on their key frames (core/clip-faces.ts), eyes and smiles too: a
 * take where someone's eyes are closed in a key frame loses half its score, as a blink does for
 * photos. Every clip gets a score in 0..1 and a short reason.
 */
import { judgeTakes, type TakeFaces, takeFacesWords } from './clip-faces.js';
import { hamming } from './dhash.js';
import type { FaceRecord } from './faces.js';
import { exposureScore, exposureWords } from './scoring.js';
import type { ClipFrame, Decision, GroupKind, ImageQuality, PhotoId, VideoFacts } from './types.js';

export interface ClipInput {
  readonly id: PhotoId;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly video: VideoFacts;
  readonly quality: ImageQuality;
  /** File name for reasons. */
  readonly name: string;
  /** Subject faces on each key frame of its face sheet; null: not analyzed; absent: faces are off. */
  readonly faces?: FaceRecord[][] | null;
}

/** Weights of a take's measures (they add up to 1). */
export const TAKE_WEIGHTS = { sharpness: 0.5, steadiness: 0.3, exposure: 0.2 } as const;
/** With faces: the image measures above, eyes open over the key frames, smiles (they add up to 1). */
export const FACE_TAKE_WEIGHTS = { image: 0.5, eyes: 0.3, smile: 0.2 } as const;
/** A take's score is multiplied by this when someone's eyes are closed in one of its key frames. */
export const BLINK_PENALTY = 0.5;

export function rankClips(kind: GroupKind, members: readonly ClipInput[]): Decision[] {
  if (members.length === 0) return [];
  return kind === 'duplicate' ? rankClipCopies(members) : rankTakes(members);
}

function rankClipCopies(members: readonly ClipInput[]): Decision[] {
  const pixels = (m: ClipInput): number => m.width * m.height;
  const maxPixels = Math.max(...members.map(pixels));
  const maxRate = Math.max(...members.map((m) => m.video.bitrate ?? 0));
  const order = members
    .map((m, index) => ({ m, index }))
    .sort(
      (p, q) =>
        pixels(q.m) - pixels(p.m) || (q.m.video.bitrate ?? 0) - (p.m.video.bitrate ?? 0) || q.m.size - p.m.size || p.index - q.index,
    );
  const best = order[0]!.index;
  return members.map((m, index) => {
    const score = 0.7 * (pixels(m) / maxPixels) + 0.3 * (maxRate > 0 ? (m.video.bitrate ?? 0) / maxRate : 1);
    const facts = `${m.width}x${m.height}, ${bitrateText(m.video.bitrate)}`;
    return {
      photoId: m.id,
      score: Math.round(score * 1000) / 1000,
      isBest: index === best,
      reason: index === best ? `best copy: largest frame and bitrate (${facts})` : `copy: ${facts}`,
    };
  });
}

/** Bits of dHash change per second between consecutive chosen frames: 0 for a still shot. */
export function changeRate(frames: readonly ClipFrame[]): number {
  let bits = 0;
  let seconds = 0;
  for (let i = 1; i < frames.length; i++) {
    bits += hamming(BigInt(`0x${frames[i]!.hash}`), BigInt(`0x${frames[i - 1]!.hash}`));
    seconds += Math.max(0.1, frames[i]!.t - frames[i - 1]!.t);
  }
  return seconds > 0 ? bits / seconds : 0;
}

function rankTakes(members: readonly ClipInput[]): Decision[] {
  const maxSharp = Math.max(...members.map((m) => m.quality.sharpness));
  const rates = members.map((m) => changeRate(m.video.frames));
  const maxRate = Math.max(...rates);
  const faces = members.every((m) => m.faces !== undefined) ? judgeTakes(members.map((m) => m.faces ?? null)) : null;
  const parts = members.map((m, index) => {
    const sharp = maxSharp > 0 ? m.quality.sharpness / maxSharp : 1;
    const steady = maxRate > 0 ? 1 - rates[index]! / maxRate / 2 : 1;
    const exposure = exposureScore(m.quality);
    const image = TAKE_WEIGHTS.sharpness * sharp + TAKE_WEIGHTS.steadiness * steady + TAKE_WEIGHTS.exposure * exposure;
    const seen = faces?.[index] ?? null;
    return { m, index, sharp, steady, exposure, seen, score: seen === null ? image : withFaces(image, seen) };
  });
  const order = [...parts].sort((p, q) => q.score - p.score || q.m.width * q.m.height - p.m.width * p.m.height || p.index - q.index);
  const best = order[0]!;
  const top = (key: 'sharp' | 'steady' | 'exposure'): boolean => parts.every((p) => p[key] <= best[key] + 1e-9);
  return parts.map((p) => {
    const words = [
      ...(p.seen === null ? [] : [takeFacesWords(p.seen)]),
      p === best && top('sharp') ? 'sharpest' : `sharpness ${Math.round(p.sharp * 100)}%`,
      p === best && top('steady') ? 'steadiest' : rates[p.index]! > 0 ? `${rates[p.index]!.toFixed(1)} bits/s of motion` : 'still',
      exposureWords(p.m.quality),
      `${p.m.width}x${p.m.height}, ${p.m.video.durationS.toFixed(1)} s`,
    ];
    return { photoId: p.m.id, score: Math.round(p.score * 1000) / 1000, isBest: p === best, reason: words.join(', ') };
  });
}

/** A take's score with its faces: eyes open over the key frames and smiles join the image measures. */
function withFaces(image: number, seen: TakeFaces): number {
  if (seen.faces === 0) return image;
  const eyes = seen.frames > 0 ? 1 - seen.blinking / seen.frames : 1;
  const score = FACE_TAKE_WEIGHTS.image * image + FACE_TAKE_WEIGHTS.eyes * eyes + FACE_TAKE_WEIGHTS.smile * seen.smile;
  return seen.blinking > 0 ? score * BLINK_PENALTY : score;
}

/** A bitrate as people read it: "4.2 Mb/s", "850 kb/s", or "bitrate unknown". */
export function bitrateText(bitsPerSecond: number | null): string {
  if (bitsPerSecond === null || bitsPerSecond <= 0) return 'bitrate unknown';
  return bitsPerSecond >= 1e6 ? `${(bitsPerSecond / 1e6).toFixed(1)} Mb/s` : `${Math.round(bitsPerSecond / 1000)} kb/s`;
}
