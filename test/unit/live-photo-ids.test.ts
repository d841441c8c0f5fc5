/**
 * Live Photo identifiers kept in the catalog: a second run (a fresh LivePhotoFolders on the same
 * catalog) reads no file — no ffprobe for an unchanged MOV, no EXIF read of a still — and pairs
 * the same; a touched MOV is probed again, and only it.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentIdStore } from '../../src/catalog/content-ids.js';
import { openDatabase } from '../../src/catalog/database.js';
import type { FsPath } from '../../src/core/types.js';
import { stillContentId } from '../../src/media/load.js';
import { clipContentId } from '../../src/media/video.js';
import { pathKey } from '../../src/output/plan.js';
import { LivePhotoFolders } from '../../src/sources/live-photos.js';
import { PHOTOS, panClip } from '../support/clips.js';

describe('Live Photo identifiers in the catalog', () => {
  let dir: string;
  let catalog: string;
  const reads = { still: [] as string[], motion: [] as string[] };
  // The adapter's readers, counted: each call of `motion` is one ffprobe.
  const counted = {
    still: (path: FsPath) => {
      reads.still.push(String(path));
      return stillContentId(path);
    },
    motion: (path: FsPath) => {
      reads.motion.push(String(path));
      return clipContentId(path);
    },
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'po-live-ids-'));
    catalog = join(dir, 'catalog', 'catalog.db');
    copyFileSync(join(PHOTOS, 'fig-bowl.jpg'), join(dir, 'IMG_0001.JPG'));
    copyFileSync(join(PHOTOS, 'boats-lake.jpg'), join(dir, 'IMG_0002.JPG'));
    panClip(join(dir, 'IMG_0001.MOV'), { photo: 'fig-bowl', seconds: 1, contentId: 'LIVE-A' });
    // Renamed by an export: it has an identifier but no still of its name, so the other stills are read.
    panClip(join(dir, 'export 7.mov'), { photo: 'boats-lake', seconds: 1, contentId: 'LIVE-B' });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** One run's pairing of the folder, on its own connection to the catalog. */
  async function pairsOfRun(): Promise<Map<string, string>> {
    reads.still.length = 0;
    reads.motion.length = 0;
    const db = openDatabase(catalog);
    try {
      const pairs = await new LivePhotoFolders(counted, new ContentIdStore(db)).pairsNextTo(join(dir, 'IMG_0001.JPG'));
      return new Map([...pairs.motionOf].map(([still, motion]) => [still, String(motion)]));
    } finally {
      db.close();
    }
  }

  it('reads each file once, and a second run reads none and pairs the same', async () => {
    const first = await pairsOfRun();
    expect(first).toEqual(new Map([[pathKey(join(dir, 'IMG_0001.JPG')), join(dir, 'IMG_0001.MOV')]]));
    expect(reads.motion.sort()).toEqual([join(dir, 'IMG_0001.MOV'), join(dir, 'export 7.mov')]);
    expect(reads.still.sort()).toEqual([join(dir, 'IMG_0001.JPG'), join(dir, 'IMG_0002.JPG')]);
    expect(await pairsOfRun()).toEqual(first);
    expect(reads).toEqual({ still: [], motion: [] });
  });

  it('probes a touched MOV again, and only it', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'IMG_0001.MOV'), later, later);
    expect((await pairsOfRun()).size).toBe(1);
    expect(reads).toEqual({ still: [], motion: [join(dir, 'IMG_0001.MOV')] });
    await pairsOfRun();
    expect(reads).toEqual({ still: [], motion: [] });
  });

  it('without the catalog, reads every run', async () => {
    reads.motion.length = 0;
    await new LivePhotoFolders(counted).pairsNextTo(join(dir, 'IMG_0001.JPG'));
    expect(reads.motion).toHaveLength(2);
  });
});
