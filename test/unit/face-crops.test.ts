/**
 * The landmark models' input operations in plain JavaScript (faces/crops.ts) against TF.js's
 * WebAssembly kernels, which made those inputs in Human's pipeline: equal to the last bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cropAndResize, type NormalizedBox, resizeBilinear } from '../../src/faces/crops.js';
import { loadHuman } from '../../src/faces/human.js';
import { tf } from '../../src/faces/tf.js';

/** A float image of random values in 0..1, the same on every run. */
function image(width: number, height: number, channels: number) {
  let seed = 7;
  const data = Float32Array.from({ length: width * height * channels }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  });
  return { data, width, height, channels };
}

describe('landmark input crops', () => {
  beforeAll(async () => {
    // TF.js on its WebAssembly backend, as Human runs it.
    await loadHuman();
  }, 60_000);

  const face = image(192, 192, 3);
  const asTensor = () => tf.tensor4d(face.data, [1, face.height, face.width, face.channels]);

  it.each([[[0.1, 0.2, 0.45, 0.55]], [[-0.1, 0.7, 0.3, 1.15]], [[0.3131, 0.2777, 0.6462, 0.6111]]] as [NormalizedBox][])(
    'cuts out %j as CropAndResize does, mirrored as FlipLeftRight does',
    (box) => {
      const expected = tf.tidy(() => tf.image.cropAndResize(asTensor(), [[...box]], [0], [64, 64]));
      const mirrored = tf.tidy(() => tf.image.flipLeftRight(expected));
      expect(cropAndResize(face, box, 64)).toEqual(expected.dataSync());
      expect(cropAndResize(face, box, 64, true)).toEqual(mirrored.dataSync());
      tf.dispose([expected, mirrored]);
    },
  );

  it.each([
    [64, 64],
    [224, 224],
    [50, 70],
  ])('resizes to %d x %d as ResizeBilinear does', (width, height) => {
    const expected = tf.tidy(() => tf.image.resizeBilinear(asTensor(), [height, width], false));
    expect(resizeBilinear(face, width, height)).toEqual(expected.dataSync());
    expected.dispose();
  });
});
