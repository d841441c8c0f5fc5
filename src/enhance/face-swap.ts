/**
 * The face swap of one group: the best frame with each planned person's eye region taken from
 * their donor frame (core/face-swap-plan.ts chose them), done by core/eye-blend.ts on landmarks
 * found again here (the catalog keeps no mesh), then checked on the result itself: a person's
 * swap is kept only if their eyes now read open, the face still matches them and the seam
 * measure is low; a swap that fails goes back to the best frame's own pixels. A JPEG only when
 * at least one swap was kept, with the best frame's camera and capture time and a Software note.
 */
import { descriptorSimilarity, SAME_PERSON } from '../core/face-matching.js';
import { boxOverlap } from '../core/face-matching.js';
import type { RelativeBox } from '../core/faces.js';
import { eyeState, openness } from '../core/face-scoring.js';
import {
  blendEyes,
  colourRing,
  crop,
  eyeEllipse,
  eyeMasks,
  eyesRect,
  fitSimilarity,
  MAX_SEAM,
  matchColour,
  type Point,
  paste,
  type Rect,
  seamBand,
  seamRatio,
  warpOnto,
} from '../core/eye-blend.js';
import type { RgbImage } from '../core/pixels.js';
import type { FsPath } from '../core/types.js';
import type { MeshFace, MeshFinder } from '../faces/landmarks.js';
import { encodeJpeg } from '../media/decode.js';
import { loadPixels } from '../media/load.js';

/** A face found again must overlap the catalog's box this much (intersection over union). */
const SAME_FACE_IOU = 0.3;

/**
 * Mesh points that stay put when a person blinks: eye corners, the lower edge of the brows and
 * the bridge of the nose (MediaPipe indices). The lids are left out on purpose: they are what differs.
 */
const STABLE_POINTS = [33, 133, 130, 263, 362, 359, 46, 53, 52, 65, 55, 276, 283, 282, 295, 285, 168, 6, 197] as const;
const EYE_CORNERS = [
  [33, 133],
  [263, 362],
] as const;

export interface SwapTask {
  readonly label: string;
  /** The person's face in the best frame and the donor, as the catalog has it. */
  readonly face: RelativeBox;
  readonly donor: FsPath;
  readonly donorFace: RelativeBox;
  /** Widest opening of the person in the group (mean eye aspect). */
  readonly widest: number;
}

export interface SwapRequest {
  readonly best: FsPath;
  readonly swaps: readonly SwapTask[];
  /** Longest side worked at; larger frames are decoded smaller. */
  readonly maxSide: number;
  readonly make: string | null;
  readonly model: string | null;
  /** `YYYY:MM:DD HH:MM:SS` or null. */
  readonly takenAt: string | null;
}

export interface SwapOutcome {
  readonly label: string;
  readonly kept: boolean;
  /** Why it was not kept, or null. */
  readonly reason: string | null;
  /** Seam measure, null when the swap could not be made. */
  readonly seam: number | null;
}

export interface SwapResult {
  /** The swapped picture, or null when no swap was kept. */
  readonly jpeg: Buffer | null;
  readonly image: RgbImage;
  readonly outcomes: readonly SwapOutcome[];
  /** Where each kept swap may have changed pixels (nothing outside changed). */
  readonly regions: readonly Rect[];
}

interface Made {
  readonly task: SwapTask;
  readonly face: MeshFace;
  readonly rect: Rect;
  readonly patch: RgbImage;
  /** Where the swap changed pixels (see eyeMasks). */
  readonly keep: Float32Array;
  readonly seam: number;
}

const JPEG_QUALITY = 92;

export async function swapEyes(request: SwapRequest, finder: MeshFinder): Promise<SwapResult> {
  const best = await loadPixels(request.best, { maxSide: request.maxSide });
  const bestFaces = await finder.find(best);
  const donors = new Map<FsPath, { image: RgbImage; faces: MeshFace[] }>();
  const outcomes: SwapOutcome[] = [];
  const made: Made[] = [];
  let result: RgbImage = best;
  for (const task of request.swaps) {
    const face = foundAgain(bestFaces, task.face);
    let donor = donors.get(task.donor);
    if (donor === undefined) {
      const image = await loadPixels(task.donor, { maxSide: request.maxSide });
      donor = { image, faces: await finder.find(image) };
      donors.set(task.donor, donor);
    }
    const donorFace = foundAgain(donor.faces, task.donorFace);
    if (face === null || donorFace === null) {
      outcomes.push({ label: task.label, kept: false, reason: 'face not found again on the full picture', seam: null });
      continue;
    }
    const swap = swapOne(result, face, donor.image, donorFace);
    result = paste(result, swap.patch, swap.rect);
    made.push({ task, face, ...swap });
  }
  // The self-check: the result analysed again, each person on their own.
  const after = made.length > 0 ? await finder.find(result) : [];
  const regions: Rect[] = [];
  for (const m of made) {
    const reason = verdict(m, foundAgain(after, m.task.face));
    if (reason === null) regions.push(m.rect);
    else result = paste(result, restored(crop(result, m.rect), crop(best, m.rect), m.keep), m.rect);
    outcomes.push({ label: m.task.label, kept: reason === null, reason, seam: Math.round(m.seam * 100) / 100 });
  }
  const jpeg = regions.length > 0 ? await encode(result, request, outcomes) : null;
  return { jpeg, image: result, outcomes, regions };
}

/** The face of `faces` where the catalog saw it, or null. */
function foundAgain(faces: readonly MeshFace[], box: RelativeBox): MeshFace | null {
  let found: MeshFace | null = null;
  let overlap = SAME_FACE_IOU;
  for (const f of faces) {
    const o = boxOverlap(f.box, box);
    if (o >= overlap) {
      found = f;
      overlap = o;
    }
  }
  return found;
}

const at = (face: MeshFace, index: number): Point => {
  const p = face.mesh[index]!;
  return [p[0], p[1]];
};

/** One person's eye region from the donor, aligned, colour-matched and blended, as a patch of the frame. */
function swapOne(
  frame: RgbImage,
  face: MeshFace,
  donor: RgbImage,
  donorFace: MeshFace,
): { rect: Rect; patch: RgbImage; keep: Float32Array; seam: number } {
  const toDonor = fitSimilarity(
    STABLE_POINTS.map((i) => at(face, i)),
    STABLE_POINTS.map((i) => at(donorFace, i)),
  );
  const eyes = EYE_CORNERS.map(([outer, inner]) => eyeEllipse(at(face, outer), at(face, inner)));
  const rect = eyesRect(eyes, frame.width, frame.height);
  const masks = eyeMasks(eyes, rect);
  const original = crop(frame, rect);
  const warped = matchColour(warpOnto(donor, toDonor, rect), original, colourRing(masks));
  const patch = blendEyes(frame, warped, rect, masks);
  return { rect, patch, keep: masks.keep, seam: seamRatio(patch, original, seamBand(masks)) };
}

/** `current` with the original's pixels back wherever this swap touched them (another person's swap nearby stays). */
function restored(current: RgbImage, original: RgbImage, keep: Float32Array): RgbImage {
  const data = Uint8Array.from(current.data);
  keep.forEach((k, i) => {
    if (k > 0) data.set(original.data.subarray(i * 3, i * 3 + 3), i * 3);
  });
  return { data, width: current.width, height: current.height };
}

/** Why a made swap is not kept, or null to keep it. */
function verdict(m: Made, after: MeshFace | null): string | null {
  if (after === null) return 'the face is no longer found after the swap';
  // Two sightings: the swap's result is judged against the widest opening, as the ranking would.
  if (eyeState(openness(after), m.task.widest, 2) !== 'open') return 'the eyes still read closed after the swap';
  if (descriptorSimilarity(after.descriptor, m.face.descriptor) < SAME_PERSON)
    return 'the face no longer matches the person after the swap';
  if (m.seam > MAX_SEAM) return `the seam would show (measure ${m.seam.toFixed(2)}, limit ${MAX_SEAM})`;
  return null;
}

async function encode(image: RgbImage, request: SwapRequest, outcomes: readonly SwapOutcome[]): Promise<Buffer> {
  const who = outcomes.filter((o) => o.kept).map((o) => o.label);
  // No parentheses: libvips reads "text (more)" as text plus its own annotation and drops the rest.
  const ifd0: Record<string, string> = {
    Software: 'photo-organizer face swap',
    ImageDescription: `Edited by photo-organizer: eyes of ${who.join(', ')} taken from another frame of the burst`,
  };
  if (request.make !== null) ifd0.Make = request.make;
  if (request.model !== null) ifd0.Model = request.model;
  if (request.takenAt !== null) ifd0.DateTime = request.takenAt;
  const ifd2: Record<string, string> = request.takenAt === null ? {} : { DateTimeOriginal: request.takenAt };
  return encodeJpeg(
    { data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height },
    JPEG_QUALITY,
    { IFD0: ifd0, IFD2: ifd2 },
  );
}
