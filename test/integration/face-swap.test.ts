/**
 * The face swap on a real blink (test/fixtures/blink: three webcam frames of one man, the last in
 * the middle of a blink): the plan finds the blink and a donor from the analyses the backend
 * makes, the swap's result reads open-eyed to the same face models, no pixel outside the mask
 * changes, and a donor at another angle or a donor with closed eyes leaves no file and a reason.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEAM } from '../../src/core/eye-blend.js';
import { eyeState, openness } from '../../src/core/face-scoring.js';
import { planFaceSwaps, type SwapFrame } from '../../src/core/face-swap-plan.js';
import type { FaceAnalysis } from '../../src/core/faces.js';
import { swapEyes, type SwapRequest } from '../../src/enhance/face-swap.js';
import { type FaceBackend, loadFaceBackend } from '../../src/faces/backend.js';
import { loadMeshFinder, type MeshFinder } from '../../src/faces/landmarks.js';
import { loadPixels } from '../../src/media/load.js';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);
const OPEN = [fixture('blink/cap13-03400.jpg'), fixture('blink/cap13-03600.jpg')];
const BLINK = fixture('blink/cap13-03960.jpg');
/** The same man in the other video, head tilted back (pitch about −18° against −4°). */
const TILTED = fixture('video/cap12-24500.jpg');

describe('face swap on a real blink', () => {
  let backend: FaceBackend;
  let finder: MeshFinder;
  const analyses = new Map<string, FaceAnalysis>();

  const frame = async (path: string): Promise<SwapFrame> => {
    let analysis = analyses.get(path);
    if (analysis === undefined) {
      const image = await loadPixels(path, { maxSide: 1600 });
      analysis = { analyzer: backend.analyzer, width: image.width, height: image.height, faces: await backend.detect(image), note: null };
      analyses.set(path, analysis);
    }
    return { analysis };
  };

  const request = (best: string, swaps: SwapRequest['swaps']): SwapRequest => ({
    best,
    swaps,
    maxSide: 6000,
    make: 'Webcam',
    model: null,
    takenAt: '2017:01:02 03:04:05',
  });

  beforeAll(async () => {
    [backend, finder] = await Promise.all([loadFaceBackend('human'), loadMeshFinder()]);
  });
  afterAll(async () => {
    await backend?.close();
    await finder?.close();
  });

  it('plans a swap for the blink from an open-eyed frame, and none for an open-eyed best frame', async () => {
    const frames = [await frame(OPEN[0]!), await frame(OPEN[1]!), await frame(BLINK)];
    const plan = planFaceSwaps(frames, 2);
    expect(plan.refusals).toEqual([]);
    expect(plan.swaps).toHaveLength(1);
    expect(plan.swaps[0]).toMatchObject({ label: 'the person', state: 'closed' });
    expect([0, 1]).toContain(plan.swaps[0]!.donor);
    expect(planFaceSwaps(frames, 1)).toEqual({ swaps: [], refusals: [] });
  });

  it('swaps the eyes open, leaves every pixel outside the mask as it was, and keeps the EXIF', async () => {
    const frames = [await frame(OPEN[0]!), await frame(OPEN[1]!), await frame(BLINK)];
    const [swap] = planFaceSwaps(frames, 2).swaps;
    const result = await swapEyes(
      request(BLINK, [
        { label: swap!.label, face: swap!.face, donor: OPEN[swap!.donor]!, donorFace: swap!.donorFace, widest: swap!.widest },
      ]),
      finder,
    );
    expect(result.outcomes).toEqual([{ label: 'the person', kept: true, reason: null, seam: expect.any(Number), region: 'eyes' }]);
    expect(result.outcomes[0]!.seam!).toBeLessThan(MAX_SEAM);
    expect(result.jpeg).not.toBeNull();

    // The eyes read open to the analysis backend itself, on the written file.
    const written = await sharp(result.jpeg!).raw().toBuffer({ resolveWithObject: true });
    const [after] = await backend.detect({ data: written.data, width: written.info.width, height: written.info.height });
    expect(eyeState(openness(after!), swap!.widest, 3)).toBe('open');
    const before = analyses.get(BLINK)!.faces[0]!;
    expect(eyeState(openness(before), swap!.widest, 3)).toBe('closed');

    // Outside the regions the swap touched, the decoded pixels are the best frame's, byte for byte.
    const best = await loadPixels(BLINK, { maxSide: 6000 });
    const [region] = result.regions;
    let changedOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < best.height; y++) {
      for (let x = 0; x < best.width; x++) {
        const inside = x >= region!.x && x < region!.x + region!.width && y >= region!.y && y < region!.y + region!.height;
        const p = (y * best.width + x) * 3;
        const differs = [0, 1, 2].some((c) => result.image.data[p + c] !== best.data[p + c]);
        if (differs && inside) changedInside++;
        if (differs && !inside) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(500);
    expect(region!.width * region!.height).toBeLessThan(0.1 * best.width * best.height);

    const meta = await sharp(result.jpeg!).metadata();
    const exif = meta.exif!.toString('latin1');
    expect(exif).toContain('photo-organizer face swap');
    expect(exif).toContain('2017:01:02 03:04:05');
    expect(exif).toContain('Webcam');
  });

  it('refuses a donor at another angle with a reason', async () => {
    const plan = planFaceSwaps([await frame(TILTED), await frame(BLINK)], 1);
    expect(plan).toEqual({ swaps: [], refusals: [{ label: 'the person', reason: 'no frame with open eyes at a similar angle' }] });
  });

  it('keeps no file when the swapped eyes would still read closed', async () => {
    const blink = (await frame(BLINK)).analysis!.faces[0]!;
    const result = await swapEyes(
      request(BLINK, [{ label: 'the person', face: blink.box, donor: BLINK, donorFace: blink.box, widest: 0.37 }]),
      finder,
    );
    expect(result.jpeg).toBeNull();
    expect(result.outcomes).toEqual([
      { label: 'the person', kept: false, reason: 'the eyes still read closed after the swap', seam: expect.any(Number), region: 'eyes' },
    ]);
    const best = await loadPixels(BLINK, { maxSide: 6000 });
    expect(Buffer.from(result.image.data).equals(best.data)).toBe(true);
  });
});
