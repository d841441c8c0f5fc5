/**
 * The lent read buffers (media/file.ts withPhotoBytes): each call sees exactly its file's bytes,
 * whether its buffer is fresh, reused or grown, and two reads at once never share a buffer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/media/contract.js';
import { withPhotoBytes } from '../../src/media/file.js';

let dir: string;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-file-'));
  for (const [name, size] of [
    ['small', 3_000],
    ['large', 900_000],
    ['larger', 2_500_000],
    ['empty', 0],
  ] as const) {
    const bytes = randomBytes(size);
    files.set(name, bytes);
    await writeFile(join(dir, name), bytes);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const copyOf = (name: string) => withPhotoBytes(join(dir, name), async (bytes) => Buffer.from(bytes));

describe('withPhotoBytes', () => {
  it('lends each call exactly its file, through reused and grown buffers alike', async () => {
    for (const name of ['large', 'small', 'larger', 'small', 'large', 'larger']) {
      expect((await copyOf(name)).equals(files.get(name)!)).toBe(true);
    }
  });

  it('gives reads that overlap buffers of their own', async () => {
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first read keeps its bytes while the others are read and lent meanwhile.
    const first = withPhotoBytes(join(dir, 'larger'), async (bytes) => {
      await held;
      return Buffer.from(bytes);
    });
    const others = await Promise.all(['large', 'larger', 'small'].map(copyOf));
    release();
    expect((await first).equals(files.get('larger')!)).toBe(true);
    expect(others.map((b, i) => b.equals(files.get(['large', 'larger', 'small'][i]!)!))).toEqual([true, true, true]);
  });

  it('takes its buffer back when the use fails, and refuses an empty file', async () => {
    await expect(withPhotoBytes(join(dir, 'large'), async () => Promise.reject(new Error('decoder failed')))).rejects.toThrow(
      'decoder failed',
    );
    expect((await copyOf('large')).equals(files.get('large')!)).toBe(true);
    await expect(copyOf('empty')).rejects.toThrow(MediaError);
    await expect(copyOf('missing')).rejects.toMatchObject({ code: 'unreadable' });
  });
});
