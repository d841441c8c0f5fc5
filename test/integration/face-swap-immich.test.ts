/**
 * --enable-face-swap on an Immich run with a local tree: the two-person burst of the blink
 * fixtures (test/support/blink-pair.ts) uploaded to the fake server is swapped into the tree from
 * the downloaded previews, and the best photo is tagged photo-organizer/modified/face-swapped.
 */
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { BLINKING, OPEN_A, OPEN_B, writeBlinkPair } from '../support/blink-pair.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { idOf, tagged } from '../support/fake-immich/inspect.js';
import { seedFromLibrary } from '../support/fake-immich/seed.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';
import type { Library, LibraryPhoto } from '../support/library.js';

async function pair(root: string, left: string, right: string, name: string, takenAt: string): Promise<LibraryPhoto> {
  await writeBlinkPair(join(root, name), left, right, takenAt);
  return {
    relativePath: name,
    cluster: 'blinks',
    kind: 'burst',
    note: 'two people, one blinking',
    scene: 'people-group',
    format: 'jpeg',
    hasExif: true,
    takenAt,
    subSec: null,
    offset: null,
    orientation: 1,
    width: 380,
    height: 300,
    mtimeMs: statSync(join(root, name)).mtimeMs,
  };
}

describe('--enable-face-swap on Immich', () => {
  let fake: FakeImmich;
  let base: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-swap-immich-'));
    const root = join(base, 'Photos');
    mkdirSync(root);
    const photos = [
      await pair(root, OPEN_A, BLINKING, 'a.jpg', '2024:05:01 10:00:00'),
      await pair(root, BLINKING, OPEN_B, 'b.jpg', '2024:05:01 10:00:01'),
    ];
    const library: Library = {
      root,
      variant: 'small',
      photos,
      clusters: [{ label: 'blinks', kind: 'burst', members: ['a.jpg', 'b.jpg'] }],
    };
    fake = await startFakeImmich(await seedFromLibrary(library));
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('swaps into the local tree and tags the best photo photo-organizer/modified/face-swapped', async () => {
    const out = join(base, 'Organized');
    const args = ['--immich-cache-dir', join(base, 'cache'), '-o', out, '--create-albums', '--min-group-size', '2'];
    const r = await runImmichCli(fake, [...args, '--face-backend', 'auto', '--enable-face-swap']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 face_swapped.jpg written (1 new)');
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const group = report.groups[0]!;
    expect(group.extras).toEqual(['face_swapped.jpg']);
    expect(existsSync(join(out, group.folder!, 'face_swapped.jpg'))).toBe(true);
    const best = group.photos.find((p) => p.isBest)!.relativePath;
    expect(tagged(fake, 'photo-organizer/modified/face-swapped').map((p) => p.split('/').pop())).toEqual([best]);
  });

  it("analyses the faces itself for a swap when the best photo was chosen with the server's faces", async () => {
    // Each frame holds both people, left and right, as the server would have found them.
    for (const [name, box] of [
      ['Anna', [30, 40, 160, 220]],
      ['Ben', [220, 40, 350, 220]],
    ] as const) {
      fake.state.addPerson(name, new Map(['a.jpg', 'b.jpg'].map((p) => [idOf(fake, p), box])));
    }
    const out = join(base, 'Organized-server-faces');
    const args = ['--immich-cache-dir', join(base, 'cache-server-faces'), '-o', out, '--min-group-size', '2'];
    const r = await runImmichCli(fake, [...args, '--face-backend', 'auto', '--immich-use-server-faces', '--enable-face-swap']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('no face swapped');
    expect(r.stdout).toContain('1 face_swapped.jpg written (1 new)');
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const group = report.groups[0]!;
    expect(group.photos.find((p) => p.isBest)!.reason).toMatch(/^2 server faces/);
    expect(group.faceSwaps).toEqual([
      { person: expect.stringMatching(/person from the left$/), swapped: true, reason: null, region: 'eyes' },
    ]);
    expect(existsSync(join(out, group.folder!, 'face_swapped.jpg'))).toBe(true);
  });
});
