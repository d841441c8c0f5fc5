/**
 * Which eyes a face swap should replace, and from which frame. Pure: reads the catalog's face
 * analyses of a group's frames. A person's eyes in the best frame are judged against their own
 * widest opening in the group, as the ranking does (face-scoring.ts); a donor is another frame
 * where the same person (descriptor and position, face-matching.ts) has open eyes and holds
 * their head about the same way, since eyes pasted from a turned head look wrong however well
 * they are blended. Each person gets their own donor.
 */
import type { FaceAnalysis, FaceRecord, RelativeBox } from './faces.js';
import { matchPeople } from './face-matching.js';
import { eyeState, isSubject, openness } from './face-scoring.js';

/**
 * Largest head-pose difference (yaw and pitch, degrees, as one distance) between the best frame
 * and a donor. The eye region is aligned by a 2D similarity transform, which cannot turn a head:
 * past ~10° the eyes look in another direction and the lids sit differently on the eyeball.
 */
export const MAX_POSE_DIFFERENCE = 10;

/**
 * Donor face size relative to the best frame's: outside this range the donor's eyes would be
 * scaled more than a resampling keeps sharp (enlarged) or detailed (shrunk by a lot).
 */
export const SIZE_RANGE = [0.67, 1.5] as const;

export interface SwapFrame {
  /** Null when the frame was not analyzed. */
  readonly analysis: FaceAnalysis | null;
}

export interface PlannedSwap {
  /** Names the person in messages: "the person", "the 2nd person from the left". */
  readonly label: string;
  /** The person's face in the best frame and in the donor frame, as the catalog has them. */
  readonly face: RelativeBox;
  readonly donor: number;
  readonly donorFace: RelativeBox;
  /** Closed or half-closed in the best frame. */
  readonly state: 'closed' | 'narrowed';
  /** The person's widest opening in the group (mean eye aspect): the self-check compares with it. */
  readonly widest: number;
  /** The best frame's head-pose difference to the donor, degrees. */
  readonly poseDifference: number;
}

export interface SwapRefusal {
  readonly label: string;
  readonly reason: string;
}

export interface SwapPlan {
  readonly swaps: readonly PlannedSwap[];
  readonly refusals: readonly SwapRefusal[];
}

const NONE: SwapPlan = { swaps: [], refusals: [] };

interface Seen {
  readonly frame: number;
  readonly face: FaceRecord;
}

/** The swaps the best frame (`best`, an index into `frames`) calls for. Empty without analyses or blinkers. */
export function planFaceSwaps(frames: readonly SwapFrame[], best: number): SwapPlan {
  const bestAnalysis = frames[best]?.analysis;
  if (!bestAnalysis || frames.length < 2) return NONE;
  const faces = frames.map((f) => (f.analysis ? f.analysis.faces.filter((face) => isSubject(face, f.analysis!)) : []));
  const people = matchPeople(faces);
  const byPerson = new Map<number, Seen[]>();
  faces.forEach((list, frame) => {
    list.forEach((face, i) => {
      const person = people[frame]![i]!;
      byPerson.set(person, [...(byPerson.get(person) ?? []), { frame, face }]);
    });
  });
  const inBest = faces[best]!;
  const labels = labelsByPosition(inBest);
  const swaps: PlannedSwap[] = [];
  const refusals: SwapRefusal[] = [];
  inBest.forEach((face, i) => {
    const seen = byPerson.get(people[best]![i]!)!;
    const widest = Math.max(...seen.map((s) => openness(s.face)));
    const state = eyeState(openness(face), widest, seen.length);
    if (state === 'open') return;
    const label = labels[i]!;
    const open = seen.filter((s) => s.frame !== best && eyeState(openness(s.face), widest, seen.length) === 'open');
    if (open.length === 0) {
      refusals.push({ label, reason: seen.length < 2 ? 'not found in another frame' : 'no frame with open eyes' });
      return;
    }
    const fitting = open
      .map((s) => ({ s, pose: poseDifference(face, s.face), size: s.face.box.width / face.box.width }))
      .filter((c) => c.pose <= MAX_POSE_DIFFERENCE && c.size >= SIZE_RANGE[0] && c.size <= SIZE_RANGE[1]);
    if (fitting.length === 0) {
      const sized = open.some((s) => poseDifference(face, s.face) <= MAX_POSE_DIFFERENCE);
      refusals.push({ label, reason: sized ? 'no frame with open eyes at a similar size' : 'no frame with open eyes at a similar angle' });
      return;
    }
    // Closest pose first; among poses within a degree, the wider-open eyes.
    fitting.sort((a, b) => Math.round(a.pose) - Math.round(b.pose) || openness(b.s.face) - openness(a.s.face) || a.s.frame - b.s.frame);
    const chosen = fitting[0]!;
    swaps.push({
      label,
      face: face.box,
      donor: chosen.s.frame,
      donorFace: chosen.s.face.box,
      state,
      widest,
      poseDifference: Math.round(chosen.pose * 10) / 10,
    });
  });
  return { swaps, refusals };
}

export function poseDifference(a: Pick<FaceRecord, 'yaw' | 'pitch'>, b: Pick<FaceRecord, 'yaw' | 'pitch'>): number {
  return Math.hypot(a.yaw - b.yaw, a.pitch - b.pitch);
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "the person" when alone, else "the Nth person from the left" by the face's centre. */
function labelsByPosition(faces: readonly FaceRecord[]): string[] {
  if (faces.length === 1) return ['the person'];
  const centre = (f: FaceRecord): number => f.box.x + f.box.width / 2;
  const order = faces.map((f, i) => ({ i, x: centre(f) })).sort((a, b) => a.x - b.x);
  const labels: string[] = [];
  order.forEach(({ i }, rank) => {
    labels[i] = `the ${ordinal(rank + 1)} person from the left`;
  });
  return labels;
}

/** One line for a report or a dry run: "the person: eyes from IMG_2.jpg". */
export function swapLine(swap: PlannedSwap, donorName: string): string {
  return `${swap.label}: ${swap.state === 'closed' ? 'closed' : 'half-closed'} eyes, open ones from ${donorName}`;
}
