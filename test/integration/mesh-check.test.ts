/**
 * The first pass's mesh check without TF.js (faces/mesh-check.ts) against Human's own pipeline:
 * on the same detector answer, the same boxes, the same mesh scores and the same decisions, for
 * landscapes the detector takes for faces and for photos of people.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaceBackend } from '../../src/faces/backend.js';
import { FirstPass } from '../../src/faces/first-pass.js';
import { HumanAnalysis, loadHuman } from '../../src/faces/human.js';
import { loadHumanBackend } from '../../src/faces/human-backend.js';
import { DETECTOR, humanModelCache, locatePackageFiles } from '../../src/faces/human-files.js';
import { clampedSide, detectorBoxes, meshInput } from '../../src/faces/mesh-check.js';
import { OnnxModel } from '../../src/faces/onnx/runtime.js';
import { loadPixels } from '../../src/media/load.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'photos');
const PHOTOS = ['boats-lake', 'fig-bowl', 'lake-dusk', 'flower-orange', 'dogs-window', 'people-group', 'people-friends', 'portrait-smile'];

describe('the mesh check without TF.js', () => {
  let first: FirstPass;
  let mesh: OnnxModel;
  let human: HumanAnalysis;
  let onnx: FaceBackend;
  let tfjs: FaceBackend;

  beforeAll(async () => {
    const models = locatePackageFiles().models;
    const detector = await OnnxModel.fromFiles(models, 'blazeface', humanModelCache());
    first = new FirstPass((input, dims) => detector.run(input, dims), detector.inputSide);
    mesh = await OnnxModel.fromFiles(models, 'facemesh', humanModelCache());
    human = new HumanAnalysis(await loadHuman({}, 'tfjs'));
    [onnx, tfjs] = await Promise.all([loadHumanBackend('onnx'), loadHumanBackend('tfjs')]);
  }, 120_000);

  it.each(PHOTOS)('finds Human’s boxes and mesh scores on %s', async (name) => {
    const image = await loadPixels(join(fixtures, `${name}.jpg`), { maxSide: 800 });
    const expected = await human.confirm(image, first);
    const boxes = detectorBoxes(first.outputs(image), image, first.side, DETECTOR);
    expect(boxes).toHaveLength(expected.length);
    for (const [i, box] of boxes.entries()) {
      const [flag] = mesh.run(meshInput(image, box, 192), [1, 192, 192, 3], ['output_faceflag']);
      const score = Math.round(100 * flag!.data[0]!) / 100;
      expect(Math.abs(score - expected[i]!.faceScore)).toBeLessThanOrEqual(0.02);
      if (expected[i]!.faceScore < DETECTOR.minConfidence) {
        // Human reports a rejected box as it cropped it.
        expect(clampedSide(box, image)).toBe(Math.min(expected[i]!.box[2], expected[i]!.box[3]));
      }
    }
  });

  it.each(PHOTOS)('makes the same first-pass decision as Human’s pipeline on %s', async (name) => {
    const image = await loadPixels(join(fixtures, `${name}.jpg`), { maxSide: 800 });
    expect(await onnx.anyFace(image)).toBe(await tfjs.anyFace(image));
  });

  it.each(PHOTOS)('decides and keeps the same faces at face size as Human’s pipeline on TF.js on %s', async (name) => {
    const image = await loadPixels(join(fixtures, `${name}.jpg`), { maxSide: 1200 });
    const found = async (backend: FaceBackend) => {
      const look = await backend.anyFace(image);
      return { look, faces: look === 'face' ? (await backend.detect(image, { descriptors: false })).map((f) => f.box.x) : [] };
    };
    const [a, b] = [await found(onnx), await found(tfjs)];
    expect(a.look).toBe(b.look);
    expect(a.faces).toHaveLength(b.faces.length);
    // The kept faces' own measures differ only as the two runtimes' numbers do.
    for (const [i, x] of a.faces.entries()) expect(x).toBeCloseTo(b.faces[i]!, 2);
  });
});
