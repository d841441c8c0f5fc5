/**
 * Faces on a clip's key frames, pure. A few of the clip's chosen frames are laid out in one sheet
 * (two to a row) and analyzed as one picture, so a clip's faces are cached like a photo's; here
 * the sheet's faces are split back into their frames, the people matched across every frame of
 * every take, and each take judged: eyes closed in any key frame, and smiles.
 */
import type { FaceAnalysis, FaceRecord } from './faces.js';
import { matchPeople } from './face-matching.js';
import { eyeState, isSubject, openness, SMILING } from './face-scoring.js';
import type { ClipFrame } from './types.js';

/** Key frames of a clip looked at for faces, at most; two to a row of the sheet. */
export const SHEET_FRAMES = 4;
const SHEET_COLUMNS = 2;

/** The times (s) of the frames a clip's sheet shows: up to SHEET_FRAMES of its chosen frames, spread evenly. */
export function sheetTimes(frames: readonly ClipFrame[]): number[] {
  const n = frames.length;
  if (n <= SHEET_FRAMES) return frames.map((f) => f.t);
  return Array.from({ length: SHEET_FRAMES }, (_, k) => frames[Math.round((k * (n - 1)) / (SHEET_FRAMES - 1))]!.t);
}

/** Columns and rows of the sheet of `count` frames. */
export function sheetGrid(count: number): { readonly columns: number; readonly rows: number } {
  const columns = Math.min(SHEET_COLUMNS, Math.max(1, count));
  return { columns, rows: Math.max(1, Math.ceil(count / columns)) };
}

/** The subject faces of each frame of a sheet, boxes made relative to their own frame. */
export function facesPerFrame(analysis: FaceAnalysis, count: number): FaceRecord[][] {
  const { columns, rows } = sheetGrid(count);
  const frames: FaceRecord[][] = Array.from({ length: count }, () => []);
  const tile: FaceAnalysis = { ...analysis, width: analysis.width / columns, height: analysis.height / rows };
  for (const face of analysis.faces) {
    const col = Math.min(columns - 1, Math.floor((face.box.x + face.box.width / 2) * columns));
    const row = Math.min(rows - 1, Math.floor((face.box.y + face.box.height / 2) * rows));
    const index = row * columns + col;
    if (index >= count) continue;
    const box = {
      x: face.box.x * columns - col,
      y: face.box.y * rows - row,
      width: face.box.width * columns,
      height: face.box.height * rows,
    };
    const own = { ...face, box };
    if (isSubject(own, tile)) frames[index]!.push(own);
  }
  return frames;
}

/** What the faces say of one take. */
export interface TakeFaces {
  /** Key frames looked at, and those where someone of the cast has eyes closed. */
  readonly frames: number;
  readonly blinking: number;
  /** Faces of the cast seen over the key frames, and the share of them smiling. */
  readonly faces: number;
  readonly smiling: number;
  /** Mean smile estimate over the faces seen, 0..1. */
  readonly smile: number;
}

/**
 * Judges each take on its key frames' faces, people matched across all takes' frames and eyes
 * judged against the same person's widest opening anywhere (core/face-scoring.ts eyeState).
 * Null when a take was not analyzed or nobody is seen in two key frames: faces then do not decide.
 */
export function judgeTakes(takes: readonly (readonly FaceRecord[][] | null)[]): TakeFaces[] | null {
  if (takes.length === 0 || takes.some((t) => t === null)) return null;
  const frames = (takes as FaceRecord[][][]).flat();
  const people = matchPeople(frames);
  const widest = new Map<number, { open: number; seen: number }>();
  frames.forEach((faces, f) => {
    faces.forEach((face, i) => {
      const p = people[f]![i]!;
      const w = widest.get(p) ?? { open: 0, seen: 0 };
      widest.set(p, { open: Math.max(w.open, openness(face)), seen: w.seen + 1 });
    });
  });
  const cast = new Set([...widest].filter(([, w]) => w.seen >= 2).map(([p]) => p));
  if (cast.size === 0) return null;
  let at = 0;
  return (takes as FaceRecord[][][]).map((take) => {
    let blinking = 0;
    let faces = 0;
    let smiling = 0;
    let smile = 0;
    for (const frame of take) {
      const f = at++;
      let closed = false;
      frame.forEach((face, i) => {
        const p = people[f]![i]!;
        if (!cast.has(p)) return;
        const w = widest.get(p)!;
        if (eyeState(openness(face), w.open, w.seen) === 'closed') closed = true;
        faces++;
        smile += face.smile;
        if (face.smile >= SMILING) smiling++;
      });
      if (closed) blinking++;
    }
    return { frames: take.length, blinking, faces, smiling, smile: faces > 0 ? smile / faces : 0 };
  });
}

/** "eyes open in all key frames, smiling" / "eyes closed in 1 of 4 key frames". */
export function takeFacesWords(t: TakeFaces): string {
  if (t.faces === 0) return 'no faces in the key frames';
  const eyes =
    t.blinking === 0 ? 'eyes open in all key frames' : `eyes closed in ${t.blinking} of ${t.frames} key frame${t.frames === 1 ? '' : 's'}`;
  return t.smiling > 0 ? `${eyes}, smiling` : eyes;
}
