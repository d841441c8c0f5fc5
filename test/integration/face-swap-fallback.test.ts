/**
 * The face swap's whole-face fallback and its head-angle check, on the real blink fixtures with a
 * known change to the donor: a dark band across the donor's eyes, its edge inside where an eye
 * swap fades in (so the eye region alone shows a seam) but well inside the face (so the whole
 * inner face blends). The same band on a donor whose head is tilted back (pitch about −18°
 * against −4°) makes the face swap turn the head, which the self-check refuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEAM } from '../../src/core/eye-blend.js';
import { FACE_OVAL, outlineDistance, outlineOf } from '../../src/core/face-blend.js';
import type { RgbImage } from '../../src/core/pixels.js';
import { swapEyes, type SwapRequest } from '../../src/enhance/face-swap.js';
import { at, MAX_POSE_CHANGE } from '../../src/enhance/swap-check.js';
import { swapEyeRegion } from '../../src/enhance/swap-regions.js';
import { loadMeshFinder, type MeshFace, type MeshFinder } from '../../src/faces/landmarks.js';
import { loadPixels } from '../../src/media/load.js';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);
const BLINK = fixture('blink/cap13-03960.jpg');
const OPEN = fixture('blink/cap13-03600.jpg');
const TILTED = fixture('video/cap12-24500.jpg');

/** `image` with a dark elliptic band over both eyes of `face` (its mesh), 100 grey levels darker. */
function darkBand(image: RgbImage, face: MeshFace): RgbImage {
  const centre = (a: number, b: number): [number, number] => [(at(face, a)[0] + at(face, b)[0]) / 2, (at(face, a)[1] + at(face, b)[1]) / 2];
  const [left, right] = [centre(33, 133), centre(263, 362)];
  const [cx, cy] = [(left[0] + right[0]) / 2, (left[1] + right[1]) / 2];
  const span = Math.hypot(left[0] - right[0], left[1] - right[1]);
  const data = Uint8Array.from(image.data);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (Math.hypot((x + 0.5 - cx) / (0.85 * span), (y + 0.5 - cy) / (0.3 * span)) >= 1) continue;
      for (let c = 0; c < 3; c++) data[(y * image.width + x) * 3 + c] = Math.max(0, data[(y * image.width + x) * 3 + c]! - 100);
    }
  }
  return { data, width: image.width, height: image.height };
}

describe('face swap fallback to the whole face', () => {
  let finder: MeshFinder;
  let dir: string;
  let best: RgbImage;
  let bestFace: MeshFace;

  /** The donor `path` with the dark band, written as a JPEG; its pixels and face as the swap will find them. */
  const bandedDonor = async (path: string, name: string): Promise<{ file: string; image: RgbImage; face: MeshFace }> => {
    const source = await loadPixels(path, { maxSide: 6000 });
    const [face] = await finder.find(source);
    const file = join(dir, name);
    const banded = darkBand(source, face!);
    await sharp(banded.data, { raw: { width: banded.width, height: banded.height, channels: 3 } })
      .jpeg({ quality: 95 })
      .toFile(file);
    const image = await loadPixels(file, { maxSide: 6000 });
    const [found] = await finder.find(image);
    return { file, image, face: found! };
  };

  const request = (donor: string, donorFace: MeshFace): SwapRequest => ({
    best: BLINK,
    swaps: [{ label: 'the person', face: bestFace.box, donor, donorFace: donorFace.box, widest: 0.37 }],
    maxSide: 6000,
    make: null,
    model: null,
    takenAt: null,
  });

  beforeAll(async () => {
    finder = await loadMeshFinder();
    dir = mkdtempSync(join(tmpdir(), 'po-swap-fallback-'));
    best = await loadPixels(BLINK, { maxSide: 6000 });
    [bestFace] = (await finder.find(best)) as [MeshFace];
  });
  afterAll(async () => {
    await finder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('swaps the whole inner face when the eye region alone would show a seam, and nothing outside the face changes', async () => {
    const donor = await bandedDonor(OPEN, 'banded.jpg');
    const eyesOnly = swapEyeRegion(best, bestFace, donor.image, donor.face);
    expect(eyesOnly.seam).toBeGreaterThan(MAX_SEAM);

    const result = await swapEyes(request(donor.file, donor.face), finder);
    expect(result.outcomes).toEqual([{ label: 'the person', kept: true, reason: null, seam: expect.any(Number), region: 'face' }]);
    expect(result.outcomes[0]!.seam!).toBeLessThanOrEqual(MAX_SEAM);
    expect(result.jpeg).not.toBeNull();
    expect((await sharp(result.jpeg!).metadata()).exif!.toString('latin1')).toContain('face of the person');

    // Outside the face oval (the mask ends short of it), every pixel is the best frame's.
    const oval = outlineOf(FACE_OVAL.map((i) => at(bestFace, i)));
    let changedOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < best.height; y++) {
      for (let x = 0; x < best.width; x++) {
        const p = (y * best.width + x) * 3;
        const differs = [0, 1, 2].some((c) => result.image.data[p + c] !== best.data[p + c]);
        if (!differs) continue;
        if (outlineDistance(oval, x + 0.5, y + 0.5) < 1) changedInside++;
        else changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(2000);
  });

  it("refuses a donor whose head is tilted back, with the angle's change as the reason", async () => {
    const donor = await bandedDonor(TILTED, 'tilted.jpg');
    const result = await swapEyes(request(donor.file, donor.face), finder);
    expect(result.jpeg).toBeNull();
    expect(result.outcomes).toEqual([
      {
        label: 'the person',
        kept: false,
        reason: expect.stringMatching(new RegExp(`^the head's angle changed by [\\d.]+° after the swap \\(limit ${MAX_POSE_CHANGE}°\\)$`)),
        seam: expect.any(Number),
        region: 'face',
      },
    ]);
    expect(Buffer.from(result.image.data).equals(best.data)).toBe(true);
  });
});
