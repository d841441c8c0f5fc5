/**
 * The face swap of one group: the best frame with each planned person's eye region (or whole
 * inner face, when the eyes alone cannot blend) taken from their donor frame (core/face-swap-plan.ts
 * chose them), done by swap-regions.ts on landmarks found again here (the catalog keeps no mesh),
 * then checked on the result itself (swap-check.ts: eyes open, same person, same head pose and
 * shape, low seam measure); a swap that fails goes back to the best frame's own pixels. A JPEG only when
 * at least one swap was kept, with the best frame's camera and capture time and a Software note.
 */
import { boxOverlap } from '../core/face-matching.js';
import type { RelativeBox } from '../core/faces.js';
import { crop, paste, type Rect } from '../core/eye-blend.js';
import type { RgbImage } from '../core/pixels.js';
import type { FsPath } from '../core/types.js';
import type { MeshFace, MeshFinder } from '../faces/landmarks.js';
import { verdict } from './swap-check.js';
import { type Attempt, replaced, type SwapRegion, swapOne } from './swap-regions.js';
import { encodeJpeg } from '../media/decode.js';
import { loadPixels } from '../media/load.js';

/** A face found again must overlap the catalog's box this much (intersection over union). */
const SAME_FACE_IOU = 0.3;

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
  /** What was swapped: the eyes, or the whole inner face when the eyes alone could not blend; null when nothing was made. */
  readonly region: SwapRegion | null;
}

export interface SwapResult {
  /** The swapped picture, or null when no swap was kept. */
  readonly jpeg: Buffer | null;
  readonly image: RgbImage;
  readonly outcomes: readonly SwapOutcome[];
  /** Where each kept swap may have changed pixels (nothing outside changed). */
  readonly regions: readonly Rect[];
}

interface Made extends Attempt {
  readonly task: SwapTask;
  readonly face: MeshFace;
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
      outcomes.push({ label: task.label, kept: false, reason: 'face not found again on the full picture', seam: null, region: null });
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
    const reason = verdict(
      { before: m.face, widest: m.task.widest, seam: m.seam, replaced: (p) => replaced(m, p) },
      foundAgain(after, m.task.face),
    );
    if (reason === null) regions.push(m.rect);
    else result = paste(result, restored(crop(result, m.rect), crop(best, m.rect), m.keep), m.rect);
    outcomes.push({ label: m.task.label, kept: reason === null, reason, seam: Math.round(m.seam * 100) / 100, region: m.region });
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

/** `current` with the original's pixels back wherever this swap touched them (another person's swap nearby stays). */
function restored(current: RgbImage, original: RgbImage, keep: Float32Array): RgbImage {
  const data = Uint8Array.from(current.data);
  keep.forEach((k, i) => {
    if (k > 0) data.set(original.data.subarray(i * 3, i * 3 + 3), i * 3);
  });
  return { data, width: current.width, height: current.height };
}

async function encode(image: RgbImage, request: SwapRequest, outcomes: readonly SwapOutcome[]): Promise<Buffer> {
  const kept = outcomes.filter((o) => o.kept);
  const part = (region: SwapRegion, what: string): string[] => {
    const who = kept.filter((o) => o.region === region).map((o) => o.label);
    return who.length > 0 ? [`${what} of ${who.join(', ')}`] : [];
  };
  // No parentheses: libvips reads "text (more)" as text plus its own annotation and drops the rest.
  const ifd0: Record<string, string> = {
    Software: 'photo-organizer face swap',
    ImageDescription: `Edited by photo-organizer: ${[...part('eyes', 'eyes'), ...part('face', 'face')].join('; ')} taken from another frame of the burst`,
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
