/**
 * Human's face models converted to ONNX and run on onnxruntime (faces/onnx/): every model gives
 * TF.js's outputs on the same input, a model with an operation the converter does not know is
 * refused, and the backend finds the same faces and measures on either runtime.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphModel } from '@vladmandic/human';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaceBackend } from '../../src/faces/backend.js';
import { loadHuman, runtimeOf } from '../../src/faces/human.js';
import { loadHumanBackend } from '../../src/faces/human-backend.js';
import { locatePackageFiles, MODELS } from '../../src/faces/human-files.js';
import { convertGraph } from '../../src/faces/onnx/from-tfjs.js';
import { ModelSessions, OnnxModel } from '../../src/faces/onnx/runtime.js';
import { tfjsModelSchema } from '../../src/faces/onnx/tfjs-weights.js';
import { tf } from '../../src/faces/tf.js';
import { loadPixels } from '../../src/media/load.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'photos');

/** Deterministic pseudo-random values in [lo, hi). */
function noise(count: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + ((hi - lo) * s) / 2147483648;
  });
}

describe('face models on onnxruntime', () => {
  let tfjsModels: Record<string, GraphModel | null | undefined>;

  beforeAll(async () => {
    const on = { enabled: true };
    const human = await loadHuman({ mesh: on, iris: on, emotion: on, description: on }, 'tfjs');
    tfjsModels = human.models.models as unknown as Record<string, GraphModel | null | undefined>;
  }, 120_000);

  it.each(MODELS)('gives TF.js’s outputs for %s', async (name) => {
    const model = tfjsModels[name];
    if (!model) throw new Error(`Expected ${name} to be loaded`);
    const onnx = await OnnxModel.fromFiles(locatePackageFiles().models, name);
    try {
      // Two inputs in one batch where the model takes a batch (as Human gives the iris model both eyes).
      const shape = model.inputs[0]!.shape!.map((d, i) => (d > 0 ? d : i === 0 ? 2 : d));
      const values = noise(
        shape.reduce((a, b) => a * b, 1),
        name === 'blazeface' ? -1 : 0,
        1,
        7,
      );
      const input = tf.tensor(values, shape);
      const expected = [model.execute(input)].flat();
      input.dispose();
      const actual = onnx.run(values, shape, model.outputNodes);
      expect(actual.map((a) => a.dims)).toEqual(expected.map((e) => e.shape));
      for (const [i, e] of expected.entries()) {
        const want = e.dataSync();
        const range = Math.max(...Array.from(want, Math.abs));
        const worst = Math.max(...Array.from(want, (v, k) => Math.abs(v - actual[i]!.data[k]!)));
        expect(worst).toBeLessThanOrEqual(1e-5 * range + 1e-6);
      }
      tf.dispose(expected);
    } finally {
      onnx.dispose();
    }
  });

  it('runs a backend’s models on onnxruntime unless TF.js is asked for', async () => {
    expect(runtimeOf(await loadHuman())).toBe('onnx');
    expect(runtimeOf(await loadHuman({}, 'tfjs'))).toBe('tfjs');
  });

  it('keeps a conversion in the cache, loads it from there, and converts again over a damaged one', async () => {
    const cache = { dir: mkdtempSync(join(tmpdir(), 'onnx-cache-')), key: 'test' };
    const file = join(cache.dir, 'emotion-test.onnx');
    const input = noise(64 * 64, 0, 1, 3);
    const first = await OnnxModel.fromFiles(locatePackageFiles().models, 'emotion', cache);
    const expected = first.run(input, [1, 64, 64, 1])[0]!.data;
    const written = statSync(file);
    expect(written.size).toBeGreaterThan(100_000);
    const second = await OnnxModel.fromFiles(locatePackageFiles().models, 'emotion', cache);
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.run(input, [1, 64, 64, 1])[0]!.data).toEqual(expected);
    writeFileSync(file, 'not a model');
    const third = await OnnxModel.fromFiles(locatePackageFiles().models, 'emotion', cache);
    expect(third.run(input, [1, 64, 64, 1])[0]!.data).toEqual(expected);
    expect(statSync(file).size).toBe(written.size);
    for (const m of [first, second, third]) m.dispose();
  });

  it('gives a thread one session per model, shared by every caller, and closes each once', async () => {
    const sessions = new ModelSessions(locatePackageFiles().models, null);
    const [a, b] = await Promise.all([sessions.get('emotion'), sessions.get('emotion')]);
    expect(a).toBe(b);
    const input = noise(64 * 64, 0, 1, 5);
    const expected = a.run(input, [1, 64, 64, 1])[0]!.data;
    await sessions.dispose();
    // A closed session cannot run; the set loads a fresh one for a later caller.
    expect(() => a.run(input, [1, 64, 64, 1])).toThrow();
    const fresh = await sessions.get('emotion');
    expect(fresh).not.toBe(a);
    expect(fresh.run(input, [1, 64, 64, 1])[0]!.data).toEqual(expected);
    await sessions.dispose();
    await sessions.dispose();
  });

  it('refuses a model with an operation it cannot convert, naming it', () => {
    const model = tfjsModelSchema.parse({
      modelTopology: {
        node: [
          {
            name: 'input',
            op: 'Placeholder',
            attr: { shape: { shape: { dim: [{ size: '1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } },
          },
          { name: 'out', op: 'Tanh', input: ['input'] },
        ],
      },
      weightsManifest: [],
      signature: { outputs: { out: { name: 'out:0' } } },
    });
    expect(() => convertGraph(model, new Map(), 'tiny')).toThrow('tiny: TF.js operation Tanh (out) cannot be converted');
  });
});

describe('the face backend on either runtime', () => {
  let onnx: FaceBackend;
  let tfjs: FaceBackend;

  beforeAll(async () => {
    [onnx, tfjs] = await Promise.all([loadHumanBackend('onnx'), loadHumanBackend('tfjs')]);
  }, 120_000);

  it.each(['people-group', 'portrait-smile', 'boats-lake'])('finds the same faces and measures in %s', async (photo) => {
    const image = await loadPixels(join(fixtures, `${photo}.jpg`), { maxSide: 1200 });
    const [a, b] = [await onnx.detect(image), await tfjs.detect(image)];
    expect(a.length).toBe(b.length);
    for (const [i, face] of a.entries()) {
      const other = b[i]!;
      expect(face.box.x).toBeCloseTo(other.box.x, 3);
      expect(face.box.width).toBeCloseTo(other.box.width, 3);
      expect(face.leftEye.aspect).toBeCloseTo(other.leftEye.aspect, 2);
      expect(face.rightEye.aspect).toBeCloseTo(other.rightEye.aspect, 2);
      expect(face.smile).toBeCloseTo(other.smile, 2);
      expect(face.yaw).toBeCloseTo(other.yaw, 0);
    }
  });
});
