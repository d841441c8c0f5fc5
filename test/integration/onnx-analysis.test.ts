/**
 * The face analysis without TF.js (faces/onnx-analysis.ts) against Human's own pipeline running
 * the same onnxruntime sessions: on the same detector answer, every face comes out the same to
 * the last bit (boxes, eyes, irises, smile, head turn, sharpness, descriptor), upright and on
 * copies tilted far enough for both pipelines to straighten the face before the mesh.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirstPass } from '../../src/faces/first-pass.js';
import { HumanAnalysis, loadHuman } from '../../src/faces/human.js';
import { humanSessions, loadOnnxFirstPass } from '../../src/faces/human-backend.js';
import { OnnxAnalysis } from '../../src/faces/onnx-analysis.js';
import type { ModelSessions } from '../../src/faces/onnx/runtime.js';
import type { DecodedImage } from '../../src/media/contract.js';
import { loadPixels } from '../../src/media/load.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'photos');

/** `image` turned by `degrees` about its centre (black corners), a decode of a tilted camera. */
async function tilted(image: DecodedImage, degrees: number): Promise<DecodedImage> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const { data, info } = await sharp(Buffer.from(image.data), { raw })
    .rotate(degrees, { background: '#000' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...image, data, width: info.width, height: info.height };
}

describe('the face analysis without TF.js', () => {
  let sessions: ModelSessions;
  let first: FirstPass;
  let human: HumanAnalysis;
  let onnx: OnnxAnalysis;

  beforeAll(async () => {
    sessions = humanSessions();
    ({ first } = await loadOnnxFirstPass(sessions));
    human = new HumanAnalysis(await loadHuman({}, 'onnx', sessions));
    onnx = new OnnxAnalysis(sessions);
  }, 120_000);

  afterAll(async () => {
    await human.close();
    await sessions.dispose();
  });

  it.each([
    ['people-group', 0],
    ['people-friends', 0],
    ['portrait-smile', 0],
    ['portrait-costume', 0],
    ['people-group', 25],
    ['portrait-smile', -40],
    ['people-friends', 160],
  ])('measures every face of %s (turned %d°) as Human’s pipeline does', async (name, degrees) => {
    const upright = await loadPixels(join(fixtures, `${name}.jpg`), { maxSide: 1200 });
    const image = degrees === 0 ? upright : await tilted(upright, degrees);
    first.forget();
    const expected = await human.analyze(image, first, true);
    const found = await onnx.analyze(image, first, true);
    expect(expected.length).toBeGreaterThan(0);
    expect(found).toEqual(expected);
  });

  it('leaves descriptors out when not asked for, and loads the identity model only when they are', async () => {
    const fresh = humanSessions();
    try {
      const { first: own } = await loadOnnxFirstPass(fresh);
      const image = await loadPixels(join(fixtures, 'portrait-smile.jpg'), { maxSide: 1200 });
      const faces = await new OnnxAnalysis(fresh).analyze(image, own, false);
      expect(faces).toHaveLength(1);
      expect(faces[0]!.descriptor).toHaveLength(0);
      expect(fresh.loadedNames()).not.toContain('faceres');
    } finally {
      await fresh.dispose();
    }
  });
});
