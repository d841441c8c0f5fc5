/**
 * Picks the best of several copies of one picture. Between copies, sharpness and clipping differ
 * only by compression noise, so they must not decide: the largest picture wins, then the one that
 * kept the camera's metadata (originals keep it, exports and conversions often drop it), then the
 * bigger file (less compression), then path order.
 */
import type { Decision, PhotoId } from './types.js';

export interface CopyInput {
  readonly id: PhotoId;
  readonly megapixels: number;
  /** The file carries a capture time or camera make/model. */
  readonly hasCameraMetadata: boolean;
  /** File size in bytes. */
  readonly size: number;
  /** File name, for the best copy's reason. */
  readonly name: string;
}

/** Megapixel differences below this share are crops of a few pixels, not a smaller copy. */
const SAME_SIZE = 0.03;

export function rankCopies(members: readonly CopyInput[]): Decision[] {
  if (members.length === 0) return [];
  const maxMp = Math.max(...members.map((m) => m.megapixels));
  const maxSize = Math.max(...members.map((m) => m.size));
  const tier = (m: CopyInput): number => (m.megapixels >= maxMp * (1 - SAME_SIZE) ? 1 : m.megapixels / maxMp);
  const order = members
    .map((m, index) => ({ m, index }))
    .sort(
      (p, q) =>
        tier(q.m) - tier(p.m) || Number(q.m.hasCameraMetadata) - Number(p.m.hasCameraMetadata) || q.m.size - p.m.size || p.index - q.index,
    );
  const best = order[0]!;
  const runnerUp = order[1];
  return members.map((m, index) => {
    const isBest = index === best.index;
    // Shown for comparison only; the order above is what decides.
    const score = 0.6 * tier(m) + 0.2 * Number(m.hasCameraMetadata) + 0.2 * (maxSize > 0 ? m.size / maxSize : 1);
    const facts = describe(m);
    return {
      photoId: m.id,
      score: Math.round(score * 1000) / 1000,
      isBest,
      reason: isBest && runnerUp ? `best copy: ${facts} — beats ${runnerUp.m.name}: ${why(m, runnerUp.m, tier)}` : `copy: ${facts}`,
    };
  });
}

function describe(m: CopyInput): string {
  return `${m.megapixels.toFixed(1)} MP, ${m.hasCameraMetadata ? 'camera metadata kept' : 'no camera metadata'}, ${formatBytes(m.size)}`;
}

function why(best: CopyInput, next: CopyInput, tier: (m: CopyInput) => number): string {
  if (tier(best) > tier(next)) return `smaller picture (${next.megapixels.toFixed(1)} MP)`;
  if (best.hasCameraMetadata && !next.hasCameraMetadata) return 'lost the camera metadata';
  if (best.size > next.size) return `more compressed (${formatBytes(next.size)})`;
  return 'identical, kept the first in path order';
}

function formatBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} B`;
}
