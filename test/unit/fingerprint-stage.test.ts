/**
 * The fingerprint stage in process, on a real temporary catalog and an in-memory source whose
 * pictures are fixture photographs: what it decodes, stores, reports and holds, for a source
 * whose pictures are its items' own files and for one whose pictures are previews.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { loadItems, syncItems } from '../../src/catalog/items.js';
import { beginRun } from '../../src/catalog/runs.js';
import type { ProgressSink } from '../../src/pipeline/progress.js';
import { fingerprintStage } from '../../src/pipeline/stages/fingerprint.js';
import { MemorySource } from '../support/memory-source.js';
import { photoMetadata } from '../support/records.js';

const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos');
const dir = mkdtempSync(join(tmpdir(), 'po-fingerprint-'));
const TEXT = join(dir, 'notes.jpg');
writeFileSync(TEXT, 'not a picture at all\n');
const dbs: Db[] = [];
afterAll(() => {
  for (const db of dbs) db.close();
});

function recorder(): { sink: ProgressSink; lines: string[] } {
  const lines: string[] = [];
  return { lines, sink: { start: () => {}, update: () => {}, finish: () => {}, note: (kind, line) => lines.push(`${kind}: ${line}`) } };
}

async function setup(source: MemorySource) {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-fp-db-')), 'catalog.db'));
  dbs.push(db);
  const run = beginRun(db, '{}', new Date()).id;
  const ids = syncItems(db, source.id, run, (await source.discover()).entries).ids;
  return { db, ids };
}

describe('fingerprintStage', () => {
  it('fingerprints each picture once, records bad ones as data, and holds no picture afterwards', async () => {
    const source = new MemorySource([
      { key: 'bird.jpg', file: join(PHOTOS, 'bird-nuthatch.jpg') },
      { key: 'ridge.jpg', file: join(PHOTOS, 'mountains-ridge.jpg') },
      { key: 'notes.jpg', file: TEXT },
      { key: 'gone.jpg', file: null },
    ]);
    const { db, ids } = await setup(source);
    const { sink, lines } = recorder();
    const counts = await fingerprintStage({ db, source, threads: 2, sink }, ids);
    expect(counts).toEqual({
      fingerprinted: 2,
      failed: 2,
      cached: 0,
      fromCache: 0,
      fromLibrary: 0,
      downloadedAs: { preview: 0, thumbnail: 0, original: 0 },
      wholeClips: 0,
    });
    expect(source.held.size).toBe(0);
    expect(lines.sort()).toEqual([
      'problem: gone.jpg: the server answered 404 Not Found',
      'problem: notes.jpg: not an image (looks like text)',
    ]);
    const items = loadItems(db, ids);
    expect(items.map((i) => [i.key, i.pixels, i.dhash !== null, i.errorStage])).toEqual([
      ['bird.jpg', 'original', true, null],
      ['ridge.jpg', 'original', true, null],
      ['notes.jpg', null, false, 'inspect'],
      ['gone.jpg', null, false, 'fingerprint'],
    ]);
    // The picture's own metadata is the item's.
    expect(items[0]!.meta).toMatchObject({ format: 'jpeg', width: expect.any(Number) });

    // A second pass decodes nothing; failed files wait until they change.
    source.opened.length = 0;
    expect(await fingerprintStage({ db, source, threads: 2, sink }, ids)).toMatchObject({ fingerprinted: 0, failed: 0, cached: 4 });
    expect(source.opened).toEqual([]);
  });

  it('keeps the listing’s metadata and resolution for a preview, and retries a failed download when the source says so', async () => {
    const listed = photoMetadata({ width: 6000, height: 4000, make: 'Canon' });
    const source = new MemorySource(
      [
        { key: 'asset-1', file: join(PHOTOS, 'bird-nuthatch.jpg'), entry: { meta: listed } },
        { key: 'asset-2', file: null, entry: { meta: listed } },
      ],
      { id: 'https://photos.example.com/api', retryFailed: true, metadataFromPicture: false },
    );
    const { db, ids } = await setup(source);
    await fingerprintStage({ db, source, threads: 1, sink: recorder().sink }, ids);
    const [preview] = loadItems(db, ids);
    expect(preview!.meta).toEqual(listed);
    expect(preview!.quality!.megapixels).toBe(24);
    source.opened.length = 0;
    await fingerprintStage({ db, source, threads: 1, sink: recorder().sink }, ids);
    expect(source.opened).toEqual([]);
    expect(loadItems(db, [ids[1]!])[0]!.error).toBe('the server answered 404 Not Found');
  });
});
