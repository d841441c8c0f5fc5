/**
 * TF.js core, loaded with require. It is a CommonJS package: an ESM import of it makes Node scan
 * its whole source for export names before running it (~60 ms of CPU in each face thread's
 * start-up). Human's own build requires the same module, so both share one engine.
 */
import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';

export const tf = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof TfCore;
