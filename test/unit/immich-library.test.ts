/** Finding an asset's original in a local copy of the Immich library (sources/immich-library.ts). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localOriginal } from '../../src/sources/immich-library.js';

describe('the local copy of the Immich library', () => {
  const root = mkdtempSync(join(tmpdir(), 'po-library-'));
  const file = join(root, 'ann', '2024', 'IMG_1.JPG');
  mkdirSync(join(root, 'ann', '2024'), { recursive: true });
  writeFileSync(file, Buffer.alloc(1234));
  writeFileSync(join(root, 'secret.txt'), 'x');

  it('finds the original by the tail of its server path, whatever the server mounts it under', () => {
    expect(localOriginal(root, '/usr/src/app/upload/library/ann/2024/IMG_1.JPG', 1234)).toBe(file);
    expect(localOriginal(root, '/data/library/ann/2024/IMG_1.JPG', 0)).toBe(file);
    expect(localOriginal(root, 'ann/2024/IMG_1.JPG', 1234)).toBe(file);
  });

  it('takes a file only when its size is the one the server records', () => {
    expect(localOriginal(root, '/data/library/ann/2024/IMG_1.JPG', 999)).toBeNull();
  });

  it('finds nothing without a path, for another file, or for a path that climbs out', () => {
    expect(localOriginal(root, null, 1234)).toBeNull();
    expect(localOriginal(root, undefined, 1234)).toBeNull();
    expect(localOriginal(root, '/data/library/bob/2024/IMG_1.JPG', 1234)).toBe(null);
    expect(localOriginal(join(root, 'ann'), '/data/library/ann/../secret.txt', 0)).toBeNull();
    expect(localOriginal(root, '/data/library/ann/2024', 0)).toBeNull();
  });
});
