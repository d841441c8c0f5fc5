import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPhotos, hasPhotoExtension } from '../../src/sources/local.js';

function tree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'po-discover-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
  return root;
}

describe('discoverPhotos', () => {
  it('finds every supported extension in any letter case, recursively, in a stable order', async () => {
    const root = tree([
      'b/IMG_2.JPG',
      'a/img_1.jpeg',
      'c/x.HEIC',
      'c/y.heif',
      'd/z.Png',
      'd/w.webp',
      'e/t.tif',
      'e/u.TIFF',
      'f/r.cr2',
      'f/s.NEF',
      'f/q.arw',
      'f/p.dng',
      'notes.txt',
      'movie.mp4',
      'anim.gif',
      'noext',
    ]);
    const found = await discoverPhotos(root);
    expect(found.files.map((f) => f.relativePath)).toEqual([
      'a/img_1.jpeg',
      'b/IMG_2.JPG',
      'c/x.HEIC',
      'c/y.heif',
      'd/w.webp',
      'd/z.Png',
      'e/t.tif',
      'e/u.TIFF',
      'f/p.dng',
      'f/q.arw',
      'f/r.cr2',
      'f/s.NEF',
    ]);
    expect(found.files.every((f) => f.size === 1 && f.mtimeMs > 0)).toBe(true);
  });

  it('skips hidden files and folders, including AppleDouble files', async () => {
    const root = tree(['.hidden/a.jpg', '._b.jpg', 'ok/.c.jpg', 'ok/d.jpg']);
    expect((await discoverPhotos(root)).files.map((f) => f.relativePath)).toEqual(['ok/d.jpg']);
  });

  it('skips the output folder when it lies inside the source', async () => {
    const root = tree(['a.jpg', 'Organized/group_0001/originals/a.jpg']);
    const found = await discoverPhotos(root, { exclude: [join(root, 'Organized')] });
    expect(found.files.map((f) => f.relativePath)).toEqual(['a.jpg']);
    expect(found.skippedExcluded).toEqual([join(root, 'Organized')]);
  });

  it('skips an earlier output tree (a folder holding .photo-organizer/) inside the source, but not the source itself', async () => {
    const root = tree([
      '.photo-organizer/catalog.db',
      'a.jpg',
      'Old/.photo-organizer/catalog.db',
      'Old/group_0001/best_a.jpg',
      'Trip/b.jpg',
      'Trip/.photo-organizer',
    ]);
    const found = await discoverPhotos(root);
    // Trip's '.photo-organizer' is a file, not the tool's folder: Trip is a photo folder.
    expect(found.files.map((f) => f.relativePath)).toEqual(['Trip/b.jpg', 'a.jpg']);
    expect(found.skippedOutputTrees).toEqual([join(root, 'Old')]);
    expect(found.skippedExcluded).toEqual([]);
  });

  it('follows symlinked folders once and survives loops', async () => {
    const root = tree(['real/a.jpg']);
    symlinkSync(join(root, 'real'), join(root, 'again'));
    symlinkSync(root, join(root, 'real', 'loop'));
    symlinkSync(join(root, 'nowhere'), join(root, 'broken.jpg'));
    const found = await discoverPhotos(root);
    expect(found.files.map((f) => f.relativePath)).toEqual(['again/a.jpg']);
    expect(found.problems).toEqual([{ path: join(root, 'broken.jpg'), message: 'broken symbolic link' }]);
  });

  it('stops after --limit photos, always the same ones', async () => {
    const root = tree(['c.jpg', 'a.jpg', 'b/b.jpg', 'd.jpg']);
    const first = await discoverPhotos(root, { limit: 2 });
    expect(first.files.map((f) => f.relativePath)).toEqual(['a.jpg', 'b/b.jpg']);
    expect((await discoverPhotos(root, { limit: 0 })).files).toHaveLength(4);
  });

  it('keeps names that are not UTF-8 as raw bytes', async () => {
    const root = tree([]);
    const name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.jpg')]);
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), name]), 'x');
    const [file] = (await discoverPhotos(root)).files;
    expect(Buffer.isBuffer(file!.path)).toBe(true);
    expect(file!.relativePath).toBe('caf\\xe9.jpg');
  });

  it('recognises photo extensions only at the end of the name', () => {
    expect(hasPhotoExtension('a.JPG')).toBe(true);
    expect(hasPhotoExtension('jpg')).toBe(false);
    expect(hasPhotoExtension('a.jpg.txt')).toBe(false);
  });
});
