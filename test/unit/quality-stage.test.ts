/**
 * The quality stage in process, on a real temporary catalog and an in-memory source: the grouped
 * photos fingerprinted on the small decode (quality coarse) are measured again at QUALITY_SIDE,
 * with exactly the numbers a full-size fingerprint gives, stored, and never measured twice.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { loadItems, loadPhotos, syncItems } from '../../src/catalog/items.js';
import { beginRun } from '../../src/catalog/runs.js';
import { fingerprintFromPixels } from '../../src/core/fingerprint.js';
import type { ImageQuality, PhotoId } from '../../src/core/types.js';
import { decodeEncoded } from '../../src/media/decode.js';
import { QUALITY_SIDE } from '../../src/pipeline/inspect-worker.js';
import type { ProgressSink } from '../../src/pipeline/progress.js';
import { fingerprintStage } from '../../src/pipeline/stages/fingerprint.js';
import type { FoundGroup } from '../../src/pipeline/stages/group.js';
import { qualityStage } from '../../src/pipeline/stages/quality.js';
import { MemorySource } from '../support/memory-source.js';

const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos');
const dir = mkdtempSync(join(tmpdir(), 'po-quality-'));
const BIRD = join(PHOTOS, 'bird-nuthatch.jpg');
const SOFT = join(dir, 'bird-soft.jpg');
const GONE = join(dir, 'ridge.jpg');
let db: Db;

beforeAll(async () => {
  // A frame blurred by 0.6 px: the slight softness the small decode cannot see.
  await sharp(BIRD).blur(0.6).jpeg({ quality: 95 }).toFile(SOFT);
  copyFileSync(join(PHOTOS, 'mountains-ridge.jpg'), GONE);
  db = openDatabase(join(dir, 'catalog.db'));
});
afterAll(() => db.close());

function recorder(): { sink: ProgressSink; lines: string[] } {
  const lines: string[] = [];
  return { lines, sink: { start: () => {}, update: () => {}, finish: () => {}, note: (kind, line) => lines.push(`${kind}: ${line}`) } };
}

/** The quality a fingerprint made at QUALITY_SIDE gives (what every fingerprint carried before). */
async function fullSize(file: string): Promise<ImageQuality> {
  const { image, width, height } = await decodeEncoded(readFileSync(file), { maxSide: QUALITY_SIDE, orientation: 'auto', label: 'JPEG' });
  return fingerprintFromPixels(image, (width * height) / 1e6).quality;
}

describe('qualityStage', () => {
  it('measures the coarse grouped photos at full size once, and keeps the coarse measure of one it cannot read', async () => {
    const source = new MemorySource([
      { key: 'bird.jpg', file: BIRD },
      { key: 'bird-soft.jpg', file: SOFT },
      { key: 'ridge.jpg', file: GONE },
      { key: 'alone.jpg', file: join(PHOTOS, 'boats-lake.jpg') },
    ]);
    const run = beginRun(db, '{}', new Date()).id;
    const ids = syncItems(db, source.id, run, (await source.discover()).entries).ids;
    await fingerprintStage({ db, source, threads: 2, sink: recorder().sink }, ids);
    expect(loadItems(db, ids).map((i) => i.quality?.coarse)).toEqual([true, true, true, true]);

    rmSync(GONE);
    const group: FoundGroup = { kind: 'burst', person: null, members: loadPhotos(db, ids.slice(0, 3)) };
    const { sink, lines } = recorder();
    // In worker threads (a few photos are measured on this thread: the next test).
    const result = await qualityStage({ db, source, threads: 2, sink, inThreadUpTo: 0 }, [group]);
    expect([result.measured, result.failed]).toEqual([2, 1]);
    expect(lines).toEqual([expect.stringMatching(/^problem: ridge\.jpg: ranked on its small copy \(.+\)$/)]);
    expect(source.held.size).toBe(0);

    const [bird, soft, ridge] = result.groups[0]!.members;
    expect(bird!.quality).toEqual(await fullSize(BIRD));
    expect(soft!.quality).toEqual(await fullSize(SOFT));
    expect(soft!.quality.sharpness).toBeLessThan(bird!.quality.sharpness);
    expect(ridge!.quality.coarse).toBe(true);
    // Stored: the catalog holds the full-size measures; the photo in no group stays coarse.
    const stored = new Map(loadItems(db, ids).map((i) => [i.key, i.quality] as const));
    expect(stored.get('bird.jpg')).toEqual(bird!.quality);
    expect(stored.get('alone.jpg')?.coarse).toBe(true);

    // A re-run measures only what is still coarse.
    source.opened.length = 0;
    const again = await qualityStage({ db, source, threads: 1, sink: recorder().sink }, [
      { ...group, members: loadPhotos(db, ids.slice(0, 2)) },
    ]);
    expect(again.measured).toBe(0);
    expect(source.opened).toEqual([]);
  });

  it('keeps the listing’s resolution', async () => {
    const source = new MemorySource([{ key: 'asset-1', file: BIRD }], { id: 'https://photos.example.com/api' });
    const run = beginRun(db, '{}', new Date()).id;
    const ids = syncItems(db, source.id, run, (await source.discover()).entries).ids as PhotoId[];
    await fingerprintStage({ db, source, threads: 1, sink: recorder().sink }, ids);
    const listed = loadPhotos(db, ids).map((p) => ({ ...p, quality: { ...p.quality, megapixels: 24 } }));
    const { groups } = await qualityStage({ db, source, threads: 1, sink: recorder().sink }, [
      { kind: 'similar', person: null, members: listed },
    ]);
    expect(groups[0]!.members[0]!.quality).toEqual({ ...(await fullSize(BIRD)), megapixels: 24 });
  });

  it('fingerprints burst frames (by their EXIF times) at full size straight away, so they need no second decode', async () => {
    const shot = (file: string, at: string) =>
      sharp(BIRD)
        .withExif({ IFD2: { DateTimeOriginal: at } })
        .jpeg({ quality: 90 })
        .toFile(join(dir, file));
    await shot('burst-1.jpg', '2024:05:01 10:00:00');
    await shot('burst-2.jpg', '2024:05:01 10:00:01');
    await shot('later.jpg', '2024:05:01 10:10:00');
    const source = new MemorySource(['burst-1.jpg', 'burst-2.jpg', 'later.jpg'].map((key) => ({ key, file: join(dir, key) })));
    const run = beginRun(db, '{}', new Date()).id;
    const ids = syncItems(db, source.id, run, (await source.discover()).entries).ids;
    await fingerprintStage({ db, source, threads: 2, sink: recorder().sink }, ids);
    const items = loadItems(db, ids);
    expect(items.map((i) => i.quality?.coarse ?? false)).toEqual([false, false, true]);
    expect(items[0]!.quality).toEqual(await fullSize(join(dir, 'burst-1.jpg')));
    expect(source.held.size).toBe(0);
  });
});
