/**
 * Ranks a group's photos when faces were found: closed eyes first (judged against the same
 * person's eyes in the other frames), then smiles and face sharpness, then the whole-image
 * measures of scoring.ts. Without faces the group is ranked by scoring.ts alone. Pure.
 *
 * score = (0.3 · smiles + 0.3 · face sharpness + 0.4 · whole image) × 0.5 per person with closed
 *         eyes × 0.8 per person with half-closed eyes × 0.8 per person not found in the frame
 * so one blink costs half the score: only a frame that is far worse in every other way (badly
 * blurred, say) can still beat a frame where someone blinks.
 *
 * Only the group's cast counts: the people seen in at least two frames and at least half of
 * them. A passer-by in one frame, or a dog's head taken for a face once, cannot make that frame
 * win or lose; without a cast the group is ranked as if it had no faces.
 */
import type { FaceAnalysis, FaceRecord } from './faces.js';
import { matchPeople } from './face-matching.js';
import { exposureWords, WEIGHTS as IMAGE_WEIGHTS, rankGroup, type ScoringInput, type WholeImageParts, wholeImageParts } from './scoring.js';
import type { Decision, GroupKind } from './types.js';

export interface FaceScoringInput extends ScoringInput {
  /** What face analysis found; null when the photo was not analyzed (--face-backend none). */
  readonly faces: FaceAnalysis | null;
}

const WEIGHTS = { smiles: 0.3, faceSharpness: 0.3, image: 0.4 } as const;
const PENALTY = { closed: 0.5, narrowed: 0.8, missing: 0.8 } as const;

/** Eyes below this share of the person's widest opening in the group are closed; below NARROWED, half-closed. */
export const CLOSED_RATIO = 0.4;
export const NARROWED_RATIO = 0.6;
/**
 * Eye aspect ratio under which eyes count as shut without any other frame to compare with.
 * Open eyes measure 0.19–0.47 on the fixtures (narrow ones included), so this only catches
 * clearly shut eyes.
 */
export const CLOSED_ASPECT = 0.08;
/** Faces smaller than this share of the frame's shorter side are background, not subjects. */
export const MIN_FACE_SHARE = 0.04;
/** Smile estimate from which a face reads as smiling. */
export const SMILING = 0.5;

type EyeState = 'open' | 'narrowed' | 'closed';

interface FrameFaces {
  readonly index: number;
  readonly faces: readonly FaceRecord[];
}

interface FrameVerdict {
  readonly faces: number;
  readonly closed: number;
  readonly narrowed: number;
  readonly missing: number;
  readonly smiling: number;
  /** Mean smile over the people expected in the frame (a missing one counts 0). */
  readonly smiles: number;
  /** Mean face sharpness relative to each person's sharpest frame, missing people count 0. */
  readonly faceSharpness: number;
  /** The same over the faces present only, for the reason text. */
  readonly presentSharpness: number;
  readonly failed: boolean;
}

interface Ranked {
  readonly image: WholeImageParts<FaceScoringInput>;
  readonly verdict: FrameVerdict;
  readonly score: number;
  readonly index: number;
}

/**
 * Whether a group's ranking looks at faces. Copies of one exposure (a duplicate group whose
 * members share one capture time, or have none) show the same eyes and smiles in each, so only
 * resolution and file quality can tell them apart. A "duplicate" with several capture times is a
 * burst from a tripod that looks identical to the sketches: a blink is exactly what differs.
 */
export function facesDecide(kind: GroupKind, takenAtMs: readonly (number | null)[]): boolean {
  if (kind !== 'duplicate') return true;
  return new Set(takenAtMs.filter((t): t is number => t !== null)).size > 1;
}

/** Decisions for a group's members, in the order given (path order). */
export function rankGroupWithFaces(members: readonly FaceScoringInput[]): Decision[] {
  if (members.length === 0) return [];
  const frames = members.map((m, index): FrameFaces | null =>
    m.faces ? { index, faces: m.faces.faces.filter((f) => isSubject(f, m.faces!)) } : null,
  );
  if (frames.some((f) => f === null)) return rankGroup(members);
  const verdicts = judgeFrames(frames as FrameFaces[], members);
  if (verdicts === null) return rankGroup(members);
  const image = wholeImageParts(members);
  const ranked: Ranked[] = members.map((_, index) => {
    const v = verdicts[index]!;
    const base = WEIGHTS.smiles * v.smiles + WEIGHTS.faceSharpness * v.faceSharpness + WEIGHTS.image * image[index]!.score;
    const factor = PENALTY.closed ** v.closed * PENALTY.narrowed ** v.narrowed * PENALTY.missing ** v.missing;
    return { image: image[index]!, verdict: v, score: base * factor, index };
  });
  const order = [...ranked].sort(
    (p, q) =>
      q.score - p.score ||
      p.verdict.closed - q.verdict.closed ||
      p.verdict.missing - q.verdict.missing ||
      q.image.m.quality.megapixels - p.image.m.quality.megapixels ||
      q.image.m.size - p.image.m.size ||
      p.index - q.index,
  );
  const best = order[0]!;
  const runnerUp = order[1];
  const sharpest = Math.max(...ranked.map((r) => r.verdict.presentSharpness));
  return ranked.map((r) => {
    const isBest = r === best;
    const own = frameReason(r, sharpest);
    return {
      photoId: r.image.m.id,
      score: Math.round(r.score * 1000) / 1000,
      isBest,
      reason: isBest && runnerUp ? `${own} — beats ${runnerUp.image.m.name ?? 'the runner-up'}: ${margin(r, runnerUp)}` : own,
    };
  });
}

export function isSubject(face: FaceRecord, analysis: FaceAnalysis): boolean {
  const side = Math.sqrt(face.box.width * analysis.width * face.box.height * analysis.height);
  return side >= MIN_FACE_SHARE * Math.min(analysis.width, analysis.height);
}

/** Mean aspect of both eyes. */
export const openness = (f: Pick<FaceRecord, 'leftEye' | 'rightEye'>): number => (f.leftEye.aspect + f.rightEye.aspect) / 2;

/**
 * Matches people across frames and states each frame's eyes, smiles and face sharpness for the
 * cast; null when the group has no cast.
 */
function judgeFrames(frames: readonly FrameFaces[], members: readonly FaceScoringInput[]): FrameVerdict[] | null {
  const people = matchPeople(frames.map((f) => f.faces));
  const byPerson = new Map<number, FaceRecord[]>();
  frames.forEach((f, frame) => {
    f.faces.forEach((face, i) => {
      const person = people[frame]![i]!;
      byPerson.set(person, [...(byPerson.get(person) ?? []), face]);
    });
  });
  const cast = new Map<number, { open: number; sharp: number; seen: number }>();
  for (const [person, seen] of byPerson) {
    if (seen.length < 2 || seen.length * 2 < frames.length) continue;
    cast.set(person, {
      open: Math.max(...seen.map(openness)),
      sharp: Math.max(...seen.map((f) => f.sharpness)),
      seen: seen.length,
    });
  }
  if (cast.size === 0) return null;

  return frames.map((f, frame) => {
    let closed = 0;
    let narrowed = 0;
    let smiling = 0;
    let smileSum = 0;
    let sharpSum = 0;
    const present = new Set<number>();
    f.faces.forEach((face, i) => {
      const person = people[frame]![i]!;
      const r = cast.get(person);
      if (!r) return;
      present.add(person);
      const state = eyeState(openness(face), r.open, r.seen);
      if (state === 'closed') closed++;
      else if (state === 'narrowed') narrowed++;
      if (face.smile >= SMILING) smiling++;
      smileSum += face.smile;
      sharpSum += r.sharp > 0 ? face.sharpness / r.sharp : 1;
    });
    // A member of the cast absent here was probably blurred beyond detection or turned away.
    const missing = cast.size - present.size;
    return {
      faces: present.size,
      closed,
      narrowed,
      missing,
      smiling,
      smiles: smileSum / cast.size,
      faceSharpness: sharpSum / cast.size,
      presentSharpness: present.size > 0 ? sharpSum / present.size : 0,
      failed: members[f.index]!.faces?.note != null,
    };
  });
}

/**
 * Eyes judged against the same person's widest opening in the group, so naturally narrow eyes
 * are never taken for a blink; the absolute floor only decides when there is nothing to
 * compare with, or when the eyes are shut in every frame.
 */
export function eyeState(open: number, widest: number, framesSeen: number): EyeState {
  if (widest < CLOSED_ASPECT) return 'closed';
  if (framesSeen < 2) return open < CLOSED_ASPECT ? 'closed' : 'open';
  const ratio = open / widest;
  if (ratio < CLOSED_RATIO) return 'closed';
  return ratio < NARROWED_RATIO ? 'narrowed' : 'open';
}

function frameReason(r: Ranked, sharpest: number): string {
  const v = r.verdict;
  const bits: string[] = [];
  if (v.failed) bits.push('face analysis failed');
  else bits.push(v.faces === 0 ? 'no faces found' : `${v.faces} ${v.faces === 1 ? 'face' : 'faces'}`);
  const one = v.faces === 1;
  if (v.faces > 0 && v.closed + v.narrowed === 0) bits.push(one ? 'eyes open' : 'all eyes open');
  if (v.closed > 0) bits.push(one ? 'eyes closed' : `${v.closed} blinking`);
  if (v.narrowed > 0) bits.push(one ? 'eyes half-closed' : `${v.narrowed} with eyes half-closed`);
  if (v.missing > 0) bits.push(`${v.missing} ${v.missing === 1 ? 'face' : 'faces'} not found`);
  if (v.faces > 0) bits.push(one ? (v.smiling > 0 ? 'smiling' : 'not smiling') : v.smiling > 0 ? `${v.smiling} smiling` : 'nobody smiling');
  if (v.faces > 0) bits.push(v.presentSharpness >= sharpest * 0.999 ? 'sharpest' : `faces ${pct(v.presentSharpness / sharpest)} as sharp`);
  else bits.push(r.image.sharp >= 0.999 ? 'sharpest' : `${pct(r.image.sharp)} as sharp`);
  const exposure = exposureWords(r.image.m.quality);
  if (exposure !== 'well exposed') bits.push(exposure);
  return bits.join(', ');
}

/** Why the best beat the runner-up, in a few words. */
function margin(best: Ranked, next: Ranked): string {
  const b = best.verdict;
  const n = next.verdict;
  if (n.closed > b.closed)
    return b.closed === 0 ? `${n.closed === 1 && n.faces === 1 ? 'eyes closed' : `${n.closed} blinking`} there` : 'fewer closed eyes';
  if (n.missing > b.missing) return `${n.missing - b.missing === 1 ? 'a face' : `${n.missing - b.missing} faces`} not found there`;
  if (n.narrowed > b.narrowed) return 'fewer half-closed eyes';
  const gains = [
    { name: 'more smiles', gain: WEIGHTS.smiles * (b.smiles - n.smiles) },
    { name: 'sharper faces', gain: WEIGHTS.faceSharpness * (b.faceSharpness - n.faceSharpness) },
    { name: 'sharper overall', gain: WEIGHTS.image * IMAGE_WEIGHTS.sharpness * (best.image.sharp - next.image.sharp) },
    { name: 'better exposed', gain: WEIGHTS.image * IMAGE_WEIGHTS.exposure * (best.image.exposure - next.image.exposure) },
    { name: 'higher resolution', gain: WEIGHTS.image * IMAGE_WEIGHTS.resolution * (best.image.resolution - next.image.resolution) },
  ].sort((x, y) => y.gain - x.gain);
  return gains[0]!.gain > 0.0005 ? gains[0]!.name : 'a tie (kept the larger or first file)';
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
