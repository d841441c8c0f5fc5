/**
 * Lets TF.js load graph models from files shipped inside an npm package. Out of the box TF.js
 * in Node reads `file://` URLs only through tfjs-node (a native download that cannot happen
 * here); the WASM build only knows http(s) through `fetch`. This registers a load router that
 * answers `file://` URLs under one folder by reading the files, so loading never touches the
 * network — not even by mistake: any other URL is left to TF.js's own handlers.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { io } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';

/**
 * Folders already served in this thread. TF.js keeps its routers in one registry per thread
 * and refuses a URL that two routers claim, so a folder is registered at most once.
 */
const servedRoots = new Set<string>();

/**
 * Serves the model files under `root` to TF.js and returns the base URL to hand to the model
 * loader (a `file://` URL ending in `/`). Safe to call again for the same folder.
 */
export function serveModelFiles(root: string): string {
  const base = resolve(root) + sep;
  if (!servedRoots.has(base)) {
    servedRoots.add(base);
    const router = (url: string | string[]): io.IOHandler | null => {
      if (typeof url !== 'string' || !url.startsWith('file://')) return null;
      const file = fileURLToPath(url);
      return file.startsWith(base) ? { load: () => loadArtifacts(file) } : null;
    };
    // TF.js's own routers return null for URLs they do not handle; its type says otherwise.
    tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
  }
  return pathToFileURL(base).href;
}

async function loadArtifacts(modelFile: string): Promise<io.ModelArtifacts> {
  const json = JSON.parse(await readFile(modelFile, 'utf8')) as io.ModelJSON;
  const folder = dirname(modelFile);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: io.WeightsManifestEntry[] = [];
    const shards: ArrayBuffer[] = [];
    for (const group of manifest) {
      for (const path of group.paths) {
        const bytes = await readFile(join(folder, path));
        // A fresh ArrayBuffer per shard: Node may hand out slices of a shared pool.
        shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      specs.push(...group.weights);
    }
    return [specs, shards];
  });
}
