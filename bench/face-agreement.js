/**
 * The face bench's accuracy check: do the face analysis's judgements stay those of a reference
 * run? On bursts of real frames (the bench's 12 MP copies of the fixture group photos and
 * portraits, and the video stills of one man talking), every face's eyes are judged open / half /
 * closed per eye against the same person's widest opening in the burst (core/face-scoring.ts's
 * rule), and people are matched across the burst's frames (core/face-matching.ts). The reference
 * is saved from one run (bench/face-reference.json) and later runs are compared with it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { boxOverlap, matchPeople } from '../dist/core/face-matching.js';
import { eyeState } from '../dist/core/face-scoring.js';

/** Two faces in one frame are the same face when their boxes overlap this much. */
const SAME_FACE_IOU = 0.5;

/**
 * What a burst's analyses say: per frame, per face, its box, both eyes' states and its person
 * number. `analyses` are FaceAnalysis objects in frame order.
 */
export function judgeBurst(analyses) {
  const frames = analyses.map((a) => a.faces);
  const people = matchPeople(frames);
  const widest = new Map();
  const seen = new Map();
  frames.forEach((faces, f) => {
    faces.forEach((face, i) => {
      const p = people[f][i];
      const w = widest.get(p) ?? { left: 0, right: 0 };
      widest.set(p, { left: Math.max(w.left, face.leftEye.aspect), right: Math.max(w.right, face.rightEye.aspect) });
      seen.set(p, (seen.get(p) ?? 0) + 1);
    });
  });
  return frames.map((faces, f) =>
    faces.map((face, i) => {
      const p = people[f][i];
      return {
        box: face.box,
        person: p,
        left: eyeState(face.leftEye.aspect, widest.get(p).left, seen.get(p)),
        right: eyeState(face.rightEye.aspect, widest.get(p).right, seen.get(p)),
        // The openness itself, so a drift too small to change a state still shows.
        aspects: [face.leftEye.aspect, face.rightEye.aspect],
      };
    }),
  );
}

/** The face of `faces` that is `face` (same place), or null. */
function sameFace(face, faces) {
  let best = null;
  let bestOverlap = SAME_FACE_IOU;
  for (const other of faces) {
    const o = boxOverlap(face.box, other.box);
    if (o >= bestOverlap) {
      best = other;
      bestOverlap = o;
    }
  }
  return best;
}

/**
 * Agreement of `now` with `reference` (both judgeBurst results of the same frames): eyes judged
 * the same (a reference face not found now counts as both eyes wrong), and pairs of reference
 * faces in different frames that are the same person in both or different people in both.
 */
export function compareBurst(reference, now) {
  const out = { faces: 0, found: 0, extra: 0, eyes: 0, eyesAgree: 0, aspectDrift: 0, pairs: 0, pairsAgree: 0 };
  const found = reference.map((faces, f) => faces.map((face) => sameFace(face, now[f] ?? [])));
  reference.forEach((faces, f) => {
    out.extra += (now[f] ?? []).filter((face) => sameFace(face, faces) === null).length;
    faces.forEach((face, i) => {
      out.faces++;
      out.eyes += 2;
      const match = found[f][i];
      if (match === null) return;
      out.found++;
      out.eyesAgree += (match.left === face.left ? 1 : 0) + (match.right === face.right ? 1 : 0);
      for (const e of [0, 1]) out.aspectDrift += Math.abs(match.aspects[e] - face.aspects[e]) / Math.max(face.aspects[e], 0.01);
    });
  });
  const all = reference.flatMap((faces, f) => faces.map((face, i) => ({ f, face, match: found[f][i] })));
  for (let a = 0; a < all.length; a++) {
    for (let b = a + 1; b < all.length; b++) {
      if (all[a].f === all[b].f) continue;
      out.pairs++;
      const { match: ma } = all[a];
      const { match: mb } = all[b];
      if (ma === null || mb === null) continue;
      if ((all[a].face.person === all[b].face.person) === (ma.person === mb.person)) out.pairsAgree++;
    }
  }
  return out;
}

/** Sums compareBurst results. */
export function total(results) {
  const sum = { faces: 0, found: 0, extra: 0, eyes: 0, eyesAgree: 0, aspectDrift: 0, pairs: 0, pairsAgree: 0 };
  for (const r of results) for (const k of Object.keys(sum)) sum[k] += r[k];
  return sum;
}

export function readReference(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** `bursts`: { name: judgeBurst result }. Boxes rounded: the file is compared, not reproduced. */
export function writeReference(file, analyzer, bursts) {
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const slim = Object.fromEntries(
    Object.entries(bursts).map(([name, frames]) => [
      name,
      frames.map((faces) =>
        faces.map((f) => ({
          ...f,
          box: { x: round(f.box.x), y: round(f.box.y), width: round(f.box.width), height: round(f.box.height) },
          aspects: f.aspects.map(round),
        })),
      ),
    ]),
  );
  writeFileSync(file, `${JSON.stringify({ analyzer, bursts: slim })}\n`);
}
