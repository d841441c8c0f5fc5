import { describe, expect, it } from 'vitest';
import type { FaceAnalysis, FaceRecord } from '../../src/core/faces.js';
import { MAX_POSE_DIFFERENCE, planFaceSwaps, type SwapFrame } from '../../src/core/face-swap-plan.js';

/** Person `n`'s descriptor: a shared offset plus a bump of their own (different people ≈ 0.6, same 1). */
function identity(n: number): Float32Array {
  const d = new Float32Array(16).fill(1);
  d[n]! += 4;
  return d;
}

interface FaceSpec {
  readonly eyes: number;
  readonly yaw?: number;
  readonly pitch?: number;
  readonly width?: number;
}

/** Person `n` at their own place across the frame (x = 0.1 + 0.3 n), with the given eyes and pose. */
function face(n: number, spec: FaceSpec): FaceRecord {
  const width = spec.width ?? 0.2;
  return {
    confidence: 0.9,
    box: { x: 0.1 + 0.3 * n, y: 0.2, width, height: width * 1.2 },
    yaw: spec.yaw ?? 0,
    pitch: spec.pitch ?? 0,
    leftEye: { aspect: spec.eyes, irisShown: 0.9 },
    rightEye: { aspect: spec.eyes, irisShown: 0.9 },
    happy: 0.1,
    smileShape: 0.1,
    smile: 0.1,
    sharpness: 1,
    descriptor: identity(n),
  };
}

function frame(...faces: FaceRecord[]): SwapFrame {
  const analysis: FaceAnalysis = { analyzer: 'test', width: 1600, height: 1200, faces, note: null };
  return { analysis };
}

describe('planFaceSwaps', () => {
  it('gives a blinker in the best frame the frame where their eyes are open', () => {
    const frames = [frame(face(0, { eyes: 0.34 })), frame(face(0, { eyes: 0.05 })), frame(face(0, { eyes: 0.2 }))];
    const plan = planFaceSwaps(frames, 1);
    expect(plan.refusals).toEqual([]);
    expect(plan.swaps).toHaveLength(1);
    expect(plan.swaps[0]).toMatchObject({ label: 'the person', donor: 0, state: 'closed', widest: 0.34, poseDifference: 0 });
  });

  it('counts half-closed eyes as the ranking does, relative to the person’s own widest opening', () => {
    // 0.17 of 0.34 is half: narrowed. The same 0.17 for someone whose widest is 0.2 is open.
    const narrowed = planFaceSwaps([frame(face(0, { eyes: 0.34 })), frame(face(0, { eyes: 0.17 }))], 1);
    expect(narrowed.swaps.map((s) => s.state)).toEqual(['narrowed']);
    const narrowEyes = planFaceSwaps([frame(face(0, { eyes: 0.2 })), frame(face(0, { eyes: 0.17 }))], 1);
    expect(narrowEyes).toEqual({ swaps: [], refusals: [] });
  });

  it('gives several blinkers each their own donor', () => {
    const frames = [
      frame(face(0, { eyes: 0.33 }), face(1, { eyes: 0.04 }), face(2, { eyes: 0.3 })),
      frame(face(0, { eyes: 0.03 }), face(1, { eyes: 0.03 }), face(2, { eyes: 0.04 })),
      frame(face(0, { eyes: 0.05 }), face(1, { eyes: 0.31 }), face(2, { eyes: 0.05 })),
    ];
    const plan = planFaceSwaps(frames, 1);
    expect(plan.refusals).toEqual([]);
    expect(plan.swaps.map((s) => [s.label, s.donor])).toEqual([
      ['the 1st person from the left', 0],
      ['the 2nd person from the left', 2],
      ['the 3rd person from the left', 0],
    ]);
  });

  it('prefers the donor whose head is turned most like the best frame’s', () => {
    const frames = [frame(face(0, { eyes: 0.35, yaw: 8 })), frame(face(0, { eyes: 0.3, yaw: 2 })), frame(face(0, { eyes: 0.04, yaw: 1 }))];
    expect(planFaceSwaps(frames, 2).swaps[0]).toMatchObject({ donor: 1, poseDifference: 1 });
  });

  it('refuses with a reason when the only open eyes are at another angle', () => {
    const turned = MAX_POSE_DIFFERENCE + 4;
    const frames = [frame(face(0, { eyes: 0.34, pitch: -turned })), frame(face(0, { eyes: 0.04 }))];
    expect(planFaceSwaps(frames, 1)).toEqual({
      swaps: [],
      refusals: [{ label: 'the person', reason: 'no frame with open eyes at a similar angle' }],
    });
  });

  it('refuses a donor whose face is much larger or smaller', () => {
    const frames = [frame(face(0, { eyes: 0.34, width: 0.4 })), frame(face(0, { eyes: 0.04, width: 0.2 }))];
    expect(planFaceSwaps(frames, 1).refusals).toEqual([{ label: 'the person', reason: 'no frame with open eyes at a similar size' }]);
  });

  it('says so when the eyes are closed in every frame, and plans nothing when nobody blinks', () => {
    const shut = [frame(face(0, { eyes: 0.05 })), frame(face(0, { eyes: 0.04 }))];
    expect(planFaceSwaps(shut, 0).refusals).toEqual([{ label: 'the person', reason: 'no frame with open eyes' }]);
    const open = [frame(face(0, { eyes: 0.33 })), frame(face(0, { eyes: 0.31 }))];
    expect(planFaceSwaps(open, 1)).toEqual({ swaps: [], refusals: [] });
  });

  it('plans nothing when the best frame was not analyzed or stands alone', () => {
    expect(planFaceSwaps([{ analysis: null }, frame(face(0, { eyes: 0.33 }))], 0)).toEqual({ swaps: [], refusals: [] });
    expect(planFaceSwaps([frame(face(0, { eyes: 0.04 }))], 0)).toEqual({ swaps: [], refusals: [] });
  });

  it('leaves out background faces, as the ranking does', () => {
    const tiny = { eyes: 0.02, width: 0.01 };
    const frames = [frame(face(0, { eyes: 0.33 }), face(1, { eyes: 0.3, width: 0.01 })), frame(face(0, { eyes: 0.32 }), face(1, tiny))];
    expect(planFaceSwaps(frames, 1)).toEqual({ swaps: [], refusals: [] });
  });
});
