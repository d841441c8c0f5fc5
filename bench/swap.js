/**
 * BENCH=swap (see run.js): the face swap of one blink in a 12 MP frame on one core, from the blink
 * fixtures enlarged with grain: time (wall and CPU) and the process's peak memory.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { swapEyes } from '../dist/enhance/face-swap.js';
import { swapFaceRegion } from '../dist/enhance/swap-regions.js';
import { loadMeshFinder } from '../dist/faces/landmarks.js';
import { loadPixels } from '../dist/media/load.js';

/** Pixels of a file shrunk to 1600 px wide, as the face search sees them. */
async function small(file) {
  const { data, info } = await sharp(file).resize(1600).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The blink fixtures enlarged to 4000x3000 with grain: a 12 MP blink and its open-eyed donor. */
async function makeBlink12mp(work, root, rng) {
  const dir = join(work, 'swap-12mp');
  const names = ['cap13-03600.jpg', 'cap13-03960.jpg'];
  mkdirSync(dir, { recursive: true });
  for (const n of names) {
    if (existsSync(join(dir, n))) continue;
    const { data, info } = await sharp(join(root, 'test', 'fixtures', 'blink', n))
      .resize(4000, 3000, { kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rand = rng(16);
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i] + Math.round((rand() - 0.5) * 12)));
    await sharp(data, { raw: info }).jpeg({ quality: 92 }).toFile(join(dir, n));
  }
  return names.map((n) => join(dir, n));
}

export async function benchSwap({ line, rng, work, root }) {
  const [donor, best] = await makeBlink12mp(work, root, rng);
  console.log('\n# Face swap: one blink in a 4000x3000 (12 MP) frame, one core');
  const finder = await loadMeshFinder();
  const [bestFace] = await finder.find(await small(best));
  const [donorFace] = await finder.find(await small(donor));
  const request = {
    best,
    swaps: [{ label: 'the person', face: bestFace.box, donor, donorFace: donorFace.box, widest: 0.37 }],
    maxSide: 6000,
    make: null,
    model: null,
    takenAt: null,
  };
  await swapEyes({ ...request, maxSide: 1000 }, finder); // warm-up
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await swapEyes(request, finder);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const o = result.outcomes[0];
  line(
    'decode + landmarks ×3 + swap + check + encode',
    `${wall.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (${o.kept ? `kept ${o.region}, seam ${o.seam}` : `not kept: ${o.reason}`})`,
  );
  line(
    'peak RSS during the swap',
    `${Math.round(Math.max(process.resourceUsage().maxRSS * 1024, rss0) / 1048576)} MB (process peak so far)`,
  );
  // The whole-face fallback's pixel work alone (mask, warp, colour, blend, seam), on the same frames.
  const [bestPixels, donorPixels] = await Promise.all([loadPixels(best, { maxSide: 6000 }), loadPixels(donor, { maxSide: 6000 })]);
  const [[bestMesh], [donorMesh]] = [await finder.find(bestPixels), await finder.find(donorPixels)];
  const cpu1 = process.cpuUsage();
  const face = swapFaceRegion(bestPixels, bestMesh, donorPixels, donorMesh);
  const faceCpu = process.cpuUsage(cpu1);
  line(
    'whole-face fallback, pixel work only',
    `${((faceCpu.user + faceCpu.system) / 1e6).toFixed(2)} s CPU (${face.rect.width}x${face.rect.height} px, seam ${face.seam.toFixed(2)})`,
  );
  await finder.close();
}
