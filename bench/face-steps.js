#!/usr/bin/env node
/**
 * Where face analysis time goes (`npm run build && node bench/face-steps.js [photos...]`): CPU ms
 * per photo on one thread for the decode at face size, the tensor set-up, and Human's pipeline
 * with one more step switched on at a time (detector, tilt correction, mesh, iris, emotion,
 * descriptor); each step's cost is the difference to the line before; last, the backend as the
 * face worker runs it (the same steps in plain JavaScript around the same models, onnx-analysis.ts:
 * first pass, then the full analysis without descriptors, decodes included: compare it between
 * two builds). Defaults to the bench's
 * face photos (bench/.work/faces-24, made by `BENCH=faces npm run bench`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FACE_DECODE_SIDE, loadFaceBackend } from '../dist/faces/backend.js';
import { loadHuman, runtimeOf } from '../dist/faces/human.js';
import { loadPixels } from '../dist/media/load.js';

const work = fileURLToPath(new URL('.work/faces-24', import.meta.url));
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(work)
        .sort()
        .map((f) => join(work, f));
const rounds = Number(process.env.ROUNDS ?? 2);

const cpuMs = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const line = (label, value) => console.log(`${label.padEnd(44)} ${value}`);

// RUNTIME=tfjs times the models on TF.js's WASM kernels instead of onnxruntime.
const human = await loadHuman({}, process.env.RUNTIME ?? 'onnx');
line('models run on', runtimeOf(human));
line(
  'TF.js backend / WASM flags',
  `${tf.getBackend()} simd=${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')} threads=${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')}`,
);

let cpu = process.cpuUsage();
const images = [];
for (const f of files) images.push(await loadPixels(f, { maxSide: FACE_DECODE_SIDE }));
line(`decode at ${FACE_DECODE_SIDE} px`, `${(cpuMs(cpu) / files.length).toFixed(1)} ms per photo`);
const small = process.cpuUsage();
for (const f of files) await loadPixels(f, { maxSide: 640 });
line('decode at 640 px', `${(cpuMs(small) / files.length).toFixed(1)} ms per photo`);

cpu = process.cpuUsage();
for (let r = 0; r < rounds; r++) for (const image of images) tf.tensor3d(image.data, [image.height, image.width, 3], 'int32').dispose();
line('tensor set-up (int32 tensor of the decode)', `${(cpuMs(cpu) / files.length / rounds).toFixed(1)} ms per photo`);

const off = { enabled: false };
const steps = [
  ['detector', { detector: { rotation: false }, mesh: off, iris: off, emotion: off, description: off }],
  ['+ tilt correction', { detector: { rotation: true }, mesh: off, iris: off, emotion: off, description: off }],
  ['+ mesh', { detector: { rotation: true }, mesh: { enabled: true }, iris: off, emotion: off, description: off }],
  ['+ iris', { detector: { rotation: true }, mesh: { enabled: true }, iris: { enabled: true }, emotion: off, description: off }],
  [
    '+ emotion',
    { detector: { rotation: true }, mesh: { enabled: true }, iris: { enabled: true }, emotion: { enabled: true }, description: off },
  ],
  [
    "+ descriptor (today's pipeline)",
    {
      detector: { rotation: true },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { enabled: true },
      description: { enabled: true },
    },
  ],
  [
    "today's pipeline without tilt correction",
    {
      detector: { rotation: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { enabled: true },
      description: { enabled: true },
    },
  ],
];
let before = 0;
for (const [label, face] of steps) {
  const run = async () => {
    let faces = 0;
    for (const image of images) {
      const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      const result = await human.detect(input, { face });
      input.dispose();
      faces += result.face.length;
    }
    return faces;
  };
  await run(); // warm-up: first use of a model compiles its kernels
  cpu = process.cpuUsage();
  let faces = 0;
  for (let r = 0; r < rounds; r++) faces = await run();
  const ms = cpuMs(cpu) / files.length / rounds;
  const delta = label.startsWith('+')
    ? ` (step ${(ms - before).toFixed(1)} ms, ${((ms - before) / (faces / files.length)).toFixed(1)} per face)`
    : '';
  line(label, `${ms.toFixed(1)} ms per photo, ${faces} faces${delta}`);
  if (label.startsWith('+') || label === 'detector') before = ms;
}
line('tensors alive at the end', String(tf.memory().numTensors));

// The backend as the face worker runs it, decodes included (pipeline/face-worker.ts).
const backend = await loadFaceBackend('human');
const asTheWorker = async () => {
  let faces = 0;
  for (const f of files) {
    const image = await loadPixels(f, { maxSide: FACE_DECODE_SIDE });
    if ((await backend.anyFace(image)) !== 'face') continue;
    faces += (await backend.detect(image, { descriptors: false })).length;
  }
  return faces;
};
await asTheWorker();
cpu = process.cpuUsage();
let workerFaces = 0;
for (let r = 0; r < rounds; r++) workerFaces = await asTheWorker();
line('the face worker (first pass + analysis)', `${(cpuMs(cpu) / files.length / rounds).toFixed(1)} ms per photo, ${workerFaces} faces`);
await backend.close();
