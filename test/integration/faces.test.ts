/**
 * The Human face backend on real photos: it loads from the package's own files with the network
 * unreachable, finds the fixtures' faces, recognizes the same people in altered copies, and its
 * measures make the sharp frame win. Kept to a handful of decodes: each costs ~0.5 s of CPU.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPeople } from '../../src/core/face-matching.js';
import { rankGroupWithFaces } from '../../src/core/face-scoring.js';
import type { FaceAnalysis, FaceRecord } from '../../src/core/faces.js';
import { fingerprintFromPixels } from '../../src/core/fingerprint.js';
import type { ImageQuality } from '../../src/core/types.js';
import { type FaceBackend, loadFaceBackend } from '../../src/faces/backend.js';
import type { DecodedImage } from '../../src/media/contract.js';
import { type FixtureName, fixturePhotoPath } from '../support/library.js';
import * as tf from '@tensorflow/tfjs-core';
import { loadHuman } from '../../src/faces/human.js';
import { eyeMeasures, type MeshPoint } from '../../src/faces/measures.js';
import { asPhotoId } from '../../src/core/types.js';

/** The face of people-group.jpg at (558, 91), 170 px, as Human boxes it. */
const ONE_FACE = { left: 558, top: 91, width: 170, height: 169 };
/** A smaller decode of a photo, as the first pass may be given (the detector sees its 256 px square either way). */
const SMALL = 800;

async function pixels(image: Sharp): Promise<DecodedImage> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** people-group.jpg with one face blurred beyond recognition and pasted back. */
async function withBlurredFace(): Promise<Sharp> {
  const patch = await sharp(fixturePhotoPath('people-group')).extract(ONE_FACE).blur(6).toBuffer();
  const composed = await sharp(fixturePhotoPath('people-group'))
    .composite([{ input: patch, left: ONE_FACE.left, top: ONE_FACE.top }])
    .png()
    .toBuffer();
  return sharp(composed);
}

const quality = async (image: DecodedImage): Promise<ImageQuality> => {
  const small = await pixels(
    sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(440, 440, { fit: 'inside' }),
  );
  return fingerprintFromPixels(small, (image.width * image.height) / 1e6).quality;
};

describe('Human face backend', () => {
  let backend: FaceBackend;
  let fetchCalls: string[];
  let realFetch: typeof globalThis.fetch;
  const realConnect = net.Socket.prototype.connect;
  const found = new Map<string, FaceRecord[]>();
  const images = new Map<string, DecodedImage>();

  beforeAll(async () => {
    realFetch = globalThis.fetch;
    fetchCalls = [];
    // No network: any fetch (model, WASM binary, anything) is recorded and fails.
    globalThis.fetch = (async (input: string | URL | Request) => {
      fetchCalls.push(String(input instanceof Request ? input.url : input));
      throw new Error('network is unreachable in this test');
    }) as typeof globalThis.fetch;
    // And below fetch: no socket may even be opened (node-fetch, http, anything).
    net.Socket.prototype.connect = function refuse(this: net.Socket, ...args: unknown[]) {
      fetchCalls.push(`socket ${JSON.stringify(args[0])}`);
      throw new Error('network is unreachable in this test');
    } as typeof realConnect;
    backend = await loadFaceBackend('human');
    const people = sharp(fixturePhotoPath('people-group'));
    const sources: Record<string, Sharp> = {
      group: people.clone(),
      flipped: people.clone().flop(),
      shifted: people.clone().extract({ left: 40, top: 24, width: 940, height: 700 }).resize(1100),
      blurred: people.clone().blur(2),
      faceBlurred: await withBlurredFace(),
      dogs: sharp(fixturePhotoPath('dogs-window')),
    };
    for (const [name, image] of Object.entries(sources)) {
      const decoded = await pixels(image);
      images.set(name, decoded);
      found.set(name, await backend.detect(decoded));
    }
  });

  afterAll(async () => {
    await backend?.close();
    globalThis.fetch = realFetch;
    net.Socket.prototype.connect = realConnect;
  });

  it('loads its models and WASM from the package files without any network access', () => {
    expect(fetchCalls).toEqual([]);
    expect(backend.name).toBe('human');
    expect(backend.analyzer).toMatch(/^human-3\.3\.\d+\/\d+\/\d+$/);
  });

  it('finds every face of the group photo, with plausible measures', () => {
    const faces = found.get('group')!;
    expect(faces).toHaveLength(5);
    for (const f of faces) {
      expect(f.confidence).toBeGreaterThan(0.5);
      expect(f.box.x).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(1.01);
      expect(f.box.width).toBeGreaterThan(0.1);
      for (const eye of [f.leftEye, f.rightEye]) {
        expect(eye.aspect).toBeGreaterThan(0.15);
        expect(eye.aspect).toBeLessThan(0.6);
      }
      expect(Math.abs(f.yaw)).toBeLessThan(60);
      expect(f.smile).toBeGreaterThanOrEqual(0);
      expect(f.smile).toBeLessThanOrEqual(1);
      expect(f.sharpness).toBeGreaterThan(0);
      expect(f.descriptor).toHaveLength(1024);
    }
  });

  it('takes no dog for a face', () => {
    expect(found.get('dogs')).toEqual([]);
  });

  it('tells a photo without a face from one with faces in the first pass, on a small copy', async () => {
    const small = async (name: Parameters<typeof fixturePhotoPath>[0]) =>
      backend.anyFace(await pixels(sharp(fixturePhotoPath(name)).resize(SMALL, SMALL, { fit: 'inside' })));
    expect(await small('mountains-peaks')).toBe('none');
    expect(await small('stream-forest')).toBe('none');
    expect(await small('people-group')).toBe('face');
    expect(await small('portrait-smile')).toBe('face');
  });

  it('confirms a first-pass hit with the mesh: landscapes the detector alone takes for faces are let go', async () => {
    for (const name of ['fig-bowl', 'flower-orange', 'lake-dusk', 'mountains-ridge'] as const) {
      const small = await pixels(sharp(fixturePhotoPath(name)).resize(SMALL, SMALL, { fit: 'inside' }));
      expect(await backend.anyFace(small), name).toBe('none');
    }
  });

  it('still passes every small face (40–80 px in a 1000 px photo) that the full analysis keeps', async () => {
    const group = images.get('group')!;
    let kept = 0;
    for (const face of found.get('group')!) {
      // The face with a tenth of its size around it, as a face in a crowd has hair and shoulders.
      const left = Math.max(0, Math.round((face.box.x - face.box.width / 10) * group.width));
      const top = Math.max(0, Math.round((face.box.y - face.box.height / 10) * group.height));
      const box = {
        left,
        top,
        width: Math.min(group.width - left, Math.round(face.box.width * 1.2 * group.width)),
        height: Math.min(group.height - top, Math.round(face.box.height * 1.2 * group.height)),
      };
      for (const side of [40, 50, 60, 70, 80]) {
        const patch = await sharp(fixturePhotoPath('people-group')).extract(box).resize(side, side, { fit: 'inside' }).toBuffer();
        const photo = await sharp({ create: { width: 1000, height: 660, channels: 3, background: '#7a8a70' } })
          .composite([{ input: patch, left: 420, top: 260 }])
          .png()
          .toBuffer();
        const full = await backend.detect(await pixels(sharp(photo)), { descriptors: false });
        if (full.length === 0) continue;
        kept++;
        const small = await pixels(sharp(photo).resize(SMALL, SMALL, { fit: 'inside' }));
        const first = await backend.anyFace(small);
        expect(first, `face at ${face.box.x.toFixed(2)}, ${side} px`).not.toBe('none');
        // An unsure first pass on the copy is settled by a look at the face-size decode: it must see the face.
        if (first === 'unsure') expect(await backend.anyFace(await pixels(sharp(photo)))).toBe('face');
      }
    }
    // The full analysis finds about half of these faces at all (10 of 25): the check is not vacuous.
    expect(kept).toBeGreaterThanOrEqual(8);
  });

  it('settles an unsure first pass at face size: no face for a landscape, a face for people', async () => {
    const boats = await pixels(sharp(fixturePhotoPath('boats-lake')));
    // At 512 px the box the detector takes for a face is too small to judge on the copy (at 800 it is let go).
    expect(await backend.anyFace(await pixels(sharp(fixturePhotoPath('boats-lake')).resize(512)))).toBe('unsure');
    expect(await backend.anyFace(boats)).not.toBe('face');
    expect(await backend.detect(boats)).toEqual([]);
    expect(await backend.anyFace(images.get('group')!)).toBe('face');
  });

  it("gives Human's own landmarks on tilted heads: the rotation window and the shared detector answer change nothing", async () => {
    // Tilted by 25°, every head needs the tilt correction (a rotation of the whole decode in Human).
    const tilted = await pixels(sharp(fixturePhotoPath('people-group')).rotate(25, { background: '#808080' }));
    const human = await loadHuman({ mesh: { enabled: true }, iris: { enabled: true }, emotion: { enabled: true } });
    const input = tf.tensor3d(tilted.data, [tilted.height, tilted.width, 3], 'int32');
    const own = (await human.detect(input)).face.filter((f) => f.faceScore >= 0.8);
    input.dispose();
    const ours = await backend.detect(tilted, { descriptors: false });
    expect(own.filter((f) => Math.abs(f.rotation?.angle.roll ?? 0) > 0.2).length).toBeGreaterThanOrEqual(3);
    expect(ours).toHaveLength(own.length);
    ours.forEach((face, i) => {
      const mesh = own[i]!.mesh as MeshPoint[];
      expect({ left: face.leftEye, right: face.rightEye }).toEqual(eyeMeasures(mesh));
      expect(face.box.x * tilted.width).toBeCloseTo(own[i]!.box[0], 6);
    });
  });

  it('measures the same faces without descriptors, leaving only the descriptors empty', async () => {
    const plain = await backend.detect(images.get('group')!, { descriptors: false });
    const full = found.get('group')!;
    expect(plain).toHaveLength(full.length);
    plain.forEach((f, i) => {
      expect(f.descriptor).toHaveLength(0);
      expect({ ...f, descriptor: null }).toEqual({ ...full[i]!, descriptor: null });
    });
  });

  it('recognizes the same five people in flipped and shifted copies by their descriptors alone', () => {
    // Every face moved far apart, so that position cannot help the matching.
    const frames = ['group', 'flipped', 'shifted'].map((n, k) =>
      found.get(n)!.map((f, i) => ({ ...f, box: { x: k * 10 + i, y: 0, width: 0.1, height: 0.1 } })),
    );
    const people = matchPeople(frames);
    for (const frame of people) expect([...frame].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('measures a blurred face as less sharp than the same face in focus', () => {
    const people = matchPeople(['group', 'blurred'].map((n) => found.get(n)!));
    const sharpOf = (frame: number, name: string) => new Map(found.get(name)!.map((f, i) => [people[frame]![i]!, f.sharpness]));
    const inFocus = sharpOf(0, 'group');
    const soft = sharpOf(1, 'blurred');
    expect(soft.size).toBeGreaterThanOrEqual(4);
    for (const [person, s] of soft) expect(s).toBeLessThan(inFocus.get(person)! * 0.6);
  });

  it('picks the sharp frame of a burst, and the frame without the blurred face even when the whole-image measures tie', async () => {
    const frame = async (id: number, name: string, sameQuality?: ImageQuality) => ({
      id: asPhotoId(id),
      name: `${name}.jpg`,
      size: 1000,
      quality: sameQuality ?? (await quality(images.get(name)!)),
      faces: {
        analyzer: backend.analyzer,
        width: images.get(name)!.width,
        height: images.get(name)!.height,
        faces: found.get(name)!,
        note: null,
      } satisfies FaceAnalysis,
    });
    const burst = rankGroupWithFaces([await frame(1, 'blurred'), await frame(2, 'group'), await frame(3, 'faceBlurred')]);
    expect(burst.find((d) => d.isBest)!.photoId).toBe(2);
    const q = await quality(images.get('group')!);
    const tie = rankGroupWithFaces([await frame(1, 'faceBlurred', q), await frame(2, 'group', q), await frame(3, 'shifted', q)]);
    const best = tie.find((d) => d.isBest)!;
    expect(best.photoId).not.toBe(1);
    expect(tie[0]!.reason).toMatch(/1 face not found|as sharp/);
    expect(best.reason).toMatch(/^5 faces, all eyes open/);
  });
});

describe('face worker pool', () => {
  it('loads the models once per worker thread, not per photo', async () => {
    // The pool runs workers from dist/ (built by `npm test` before the tests).
    const { FacePool } = (await import(
      pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'pipeline', 'face-pool.js')).href
    )) as typeof import('../../src/pipeline/face-pool.js');
    const dir = mkdtempSync(join(tmpdir(), 'po-face-pool-'));
    const files = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const path = join(dir, `portrait-${i}.jpg`);
        await sharp(fixturePhotoPath(i % 2 ? 'portrait-smile' : 'portrait-costume'))
          .rotate(i * 2, { background: '#777' })
          .jpeg()
          .toFile(path);
        return path;
      }),
    );
    const pool = new FacePool(2, 'human');
    const seen: { threadId: number; loads: number; loadMs: number | null; faces: number }[] = [];
    try {
      const { unavailable } = await pool.runAll(
        files.map((path, id) => ({ id: asPhotoId(id), path, descriptors: true })),
        (_id, r) => {
          if ('crashed' in r) throw new Error(r.crashed);
          seen.push({ ...r.worker, faces: r.analysis.faces.length });
        },
      );
      expect(unavailable).toBeNull();
    } finally {
      await pool.close();
    }
    expect(seen).toHaveLength(4);
    for (const s of seen) expect(s.faces).toBe(1);
    for (const s of seen) expect(s.loads).toBe(1);
    const threads = new Set(seen.map((s) => s.threadId));
    expect(seen.filter((s) => s.loadMs !== null)).toHaveLength(threads.size);
  });

  const people = ['people-group', 'people-friends', 'portrait-smile', 'portrait-costume'] as const;
  const landscapes = ['mountains-peaks', 'fig-bowl', 'stream-forest', 'boats-lake'] as const;

  /** The pool's order of results for `names` on 2 threads: name, thread, faces, WebAssembly heap. */
  async function runOrder(names: readonly FixtureName[]) {
    const { FacePool } = (await import(
      pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'pipeline', 'face-pool.js')).href
    )) as typeof import('../../src/pipeline/face-pool.js');
    const pool = new FacePool(2, 'human');
    const order: { name: string; threadId: number; faces: number; models: readonly string[] }[] = [];
    try {
      await pool.runAll(
        names.map((name, id) => ({ id: asPhotoId(id), path: fixturePhotoPath(name), descriptors: false })),
        (id, r) => {
          if ('crashed' in r) throw new Error(r.crashed);
          order.push({ name: names[id]!, threadId: r.worker.threadId, faces: r.analysis.faces.length, models: r.worker.models });
        },
      );
    } finally {
      await pool.close();
    }
    expect(order).toHaveLength(names.length);
    // One at a time until the first face: the landscapes come back in order, on one thread.
    expect(order.slice(0, 5).map((o) => o.name)).toEqual(names.slice(0, 5));
    expect(new Set(order.slice(0, 5).map((o) => o.threadId)).size).toBe(1);
    // The first landscape needed the first pass alone (the detector, and the mesh model for a
    // doubtful box): the other landmark models load with the first photo it cannot rule out, and
    // every photo of people had them loaded.
    expect(order[0]!.models).not.toContain('iris');
    for (const o of order.filter((o) => o.faces > 0)) expect(o.models).toEqual(expect.arrayContaining(['facemesh', 'iris', 'emotion']));
    return order;
  }

  it('analyzes photos without faces on one thread, and widens to every thread at a first face with many photos left', async () => {
    const names = [...landscapes, ...Array.from({ length: 9 }, () => people).flat()];
    const order = await runOrder(names);
    expect(order.filter((o) => o.faces > 0)).toHaveLength(9 * people.length);
    expect(new Set(order.map((o) => o.threadId)).size).toBe(2);
  });

  it('stays on one thread when few photos are left at the first face: another thread would not repay its start', async () => {
    const names = [...landscapes, ...people, ...people, ...people];
    const order = await runOrder(names);
    expect(order.filter((o) => o.faces > 0)).toHaveLength(3 * people.length);
    expect(new Set(order.map((o) => o.threadId)).size).toBe(1);
    // In order throughout: one photo at a time.
    expect(order.map((o) => o.name)).toEqual(names);
  });

  it('runs a short second list on one thread even after a first list widened the pool', async () => {
    const { FacePool } = (await import(
      pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'pipeline', 'face-pool.js')).href
    )) as typeof import('../../src/pipeline/face-pool.js');
    const pool = new FacePool(2, 'human');
    const threadsOf = async (names: readonly FixtureName[], descriptors: boolean) => {
      const threads = new Set<number>();
      await pool.runAll(
        names.map((name, id) => ({ id: asPhotoId(id), path: fixturePhotoPath(name), descriptors })),
        (_id, r) => {
          if ('crashed' in r) throw new Error(r.crashed);
          threads.add(r.worker.threadId);
        },
      );
      return threads;
    };
    try {
      expect((await threadsOf(Array.from({ length: 9 }, () => people).flat(), false)).size).toBe(2);
      // The second pass, with identity descriptors: only one thread loads the identity model.
      expect((await threadsOf([...people, ...people], true)).size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('uses every thread from the start for a long list, faces or not: one thread would double its time', async () => {
    const { FacePool } = (await import(
      pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'pipeline', 'face-pool.js')).href
    )) as typeof import('../../src/pipeline/face-pool.js');
    const names = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'mountains-peaks' : 'stream-forest'));
    const pool = new FacePool(2, 'human');
    const threads: number[] = [];
    const models: (readonly string[])[] = [];
    try {
      await pool.runAll(
        names.map((name, id) => ({ id: asPhotoId(id), path: fixturePhotoPath(name), descriptors: false })),
        (_id, r) => {
          if ('crashed' in r) throw new Error(r.crashed);
          threads.push(r.worker.threadId);
          models.push(r.worker.models);
        },
      );
    } finally {
      await pool.close();
    }
    expect(threads).toHaveLength(names.length);
    expect(new Set(threads.slice(0, 10)).size).toBe(2);
    // Threads that met only photos without faces never loaded a landmark model.
    expect(models.every((m) => !m.includes('iris'))).toBe(true);
  });
});
