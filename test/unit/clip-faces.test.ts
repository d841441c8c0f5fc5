import { describe, expect, it } from 'vitest';
import { facesPerFrame, judgeTakes, sheetGrid, sheetTimes, takeFacesWords } from '../../src/core/clip-faces.js';
import type { FaceRecord } from '../../src/core/faces.js';
import type { ClipFrame } from '../../src/core/types.js';

const frame = (t: number): ClipFrame => ({
  t,
  hash: '0000000000000000',
  sharpness: 1,
  meanLuma: 0.5,
  highlightsClipped: 0,
  shadowsClipped: 0,
});

/** A face of the same man (one descriptor) at `x, y` of the frame, its eyes open to `eyes`. */
const face = (x: number, y: number, eyes: number, size = 0.2): FaceRecord => ({
  confidence: 0.9,
  box: { x, y, width: size, height: size },
  yaw: 0,
  pitch: 0,
  leftEye: { aspect: eyes, irisShown: null },
  rightEye: { aspect: eyes, irisShown: null },
  happy: 0.2,
  smileShape: 0.2,
  smile: 0.2,
  sharpness: 1,
  descriptor: new Float32Array(0),
});

describe('faces on the key frames of a clip', () => {
  it('shows at most four of the chosen frames, evenly, two to a row', () => {
    expect(sheetTimes([0, 1, 2].map(frame))).toEqual([0, 1, 2]);
    expect(sheetTimes([0, 1, 2, 3, 4, 5, 6].map(frame))).toEqual([0, 2, 4, 6]);
    expect([1, 2, 3, 4].map(sheetGrid)).toEqual([
      { columns: 1, rows: 1 },
      { columns: 2, rows: 1 },
      { columns: 2, rows: 2 },
      { columns: 2, rows: 2 },
    ]);
  });

  it("puts each face of the sheet back on its frame, its box made the frame's own", () => {
    const analysis = { analyzer: 'a', width: 800, height: 600, note: null, faces: [face(0.6, 0.1, 0.3, 0.1), face(0.1, 0.6, 0.3, 0.1)] };
    const frames = facesPerFrame(analysis, 3);
    expect(frames.map((f) => f.length)).toEqual([0, 1, 1]);
    expect(frames[1]![0]!.box).toEqual({ x: expect.closeTo(0.2, 9), y: expect.closeTo(0.2, 9), width: 0.2, height: 0.2 });
  });

  it('finds the take where he blinks in a key frame, and says so', () => {
    const open = [[face(0.4, 0.3, 0.3)], [face(0.4, 0.3, 0.32)]];
    const blink = [[face(0.4, 0.3, 0.3)], [face(0.4, 0.3, 0.02)]];
    const takes = judgeTakes([open, blink])!;
    expect(takes.map((t) => t.blinking)).toEqual([0, 1]);
    expect(takes.map(takeFacesWords)).toEqual(['eyes open in all key frames', 'eyes closed in 1 of 2 key frames']);
    expect(judgeTakes([open, null])).toBeNull();
  });
});
