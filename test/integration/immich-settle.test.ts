/**
 * What the real Immich v3.1.0 server taught, on the fake that now behaves like it (fake-immich/
 * jobs.ts): tag changes finish in background jobs that rewrite the sidecar and re-extract it,
 * replacing the asset's tags; a deleted tag that sidecars still list comes back; some pictures
 * have no preview. Each test looks at the server after its background work has run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { favorites, idOf, pathOf, tagged, tagValues } from '../support/fake-immich/inspect.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';
import type { FakeImmich } from '../support/fake-immich/server.js';
import { BOATS, BIRD, GROUPED } from '../support/library.js';

const fixture = useFakeImmich();

function cacheDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'po-immich-settle-')), 'cache');
}

/** Asset ids named in the bodies of tag-changing requests, with how often each was named. */
function tagRequestsPerAsset(f: FakeImmich): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of f.calls) {
    const isTag =
      (c.method === 'PUT' && c.path === '/api/tags/assets') || (c.method === 'DELETE' && /^\/api\/tags\/[^/]+\/assets$/.test(c.path));
    if (!isTag) continue;
    const body = c.body as { assetIds?: string[]; ids?: string[] };
    for (const id of body.assetIds ?? body.ids ?? []) counts.set(pathOf(f, id), (counts.get(pathOf(f, id)) ?? 0) + 1);
  }
  return counts;
}

/** Every sidecar's photo-organizer tags, by path (photos without a sidecar left out). */
function sidecarTags(f: FakeImmich): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of f.state.assets.values()) {
    if (a.sidecar === null) continue;
    out[a.seed.relativePath] = a.sidecar.filter((v) => v.startsWith('photo-organizer'));
  }
  return out;
}

describe('Immich tags that stick', () => {
  it('tags each photo in one request, and every tag is still there once the sidecar jobs have run', async () => {
    const f = await fixture.server();
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--tag-only', '--mark-best-favorite']);
    expect(run.code, run.stderr).toBe(0);
    await f.idle();
    expect([...tagRequestsPerAsset(f).entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(BOATS);
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);
    const best = tagged(f, 'photo-organizer/best');
    expect(best).toHaveLength(2);
    expect(tagged(f, 'photo-organizer/non-best')).toEqual(GROUPED.filter((p) => !best.includes(p)));
    expect(favorites(f)).toEqual(best);
    // The sidecars say the same (they are what the next extraction reads).
    const sidecars = sidecarTags(f);
    for (const path of GROUPED) {
      const group = BOATS.includes(path) ? 'photo-organizer/group-0001' : 'photo-organizer/group-0002';
      expect(sidecars[path], path).toEqual([best.includes(path) ? 'photo-organizer/best' : 'photo-organizer/non-best', group].sort());
    }
    expect(run.stdout).toContain('verified on the server');
  });

  it('re-applies a tag that a sidecar job of the same photo overwrote, and says so', async () => {
    const f = await fixture.server();
    const holiday = idOf(f, BIRD[0]!);
    // The user tags a bird photo at the very moment the organizer's tags go out: the server's
    // sidecar job for the user's tag overwrites the organizer's tags of that photo.
    f.inject({
      method: 'PUT',
      path: '/api/tags/assets',
      onMatch: () => {
        const [tag] = f.state.upsertTags(['holiday']);
        const changed = new Set<string>();
        f.state.tagAssets([tag!.id], [holiday], changed);
        f.jobs.tagsChanged(changed);
      },
    });
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    await f.idle();
    expect(run.stdout).toMatch(
      /verified on the server \(after settling, 1 more round re-applied what the server's background jobs had undone\)\./,
    );
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);
    expect(f.state.tagValuesOf(holiday)).toContain('holiday');
    expect(f.state.tagValuesOf(holiday).filter((v) => v.startsWith('photo-organizer/'))).toHaveLength(2);
  });

  it('--undo untags before deleting its tags, so a later metadata extraction brings none back', async () => {
    const f = await fixture.server();
    const cache = cacheDir();
    const [user] = f.state.upsertTags(['people/Anna']);
    const anna = idOf(f, BOATS[0]!);
    f.state.tagAssets([user!.id], [anna], new Set());
    f.jobs.tagsChanged([anna]);
    await f.idle();
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--mark-best-favorite', '--archive-non-best'])).code).toBe(0);
    await f.idle();
    const undone = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    await f.idle();
    // Every photo re-read from its sidecar, as any later edit on the server would cause.
    f.jobs.assetsUpdated([...f.state.assets.keys()]);
    await f.idle();
    expect(tagValues(f)).toEqual(['people', 'people/Anna']);
    expect(Object.values(sidecarTags(f)).flat()).toEqual([]);
    expect(f.state.tagValuesOf(anna)).toEqual(['people/Anna']);
    expect(f.state.assets.get(anna)!.sidecar).toEqual(['people/Anna']);
    expect(favorites(f)).toEqual([]);
    // Untagging came first: no tag was deleted while a photo still carried it.
    const calls = f.writes().map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
    expect(calls.lastIndexOf('DELETE /api/tags/:id/assets')).toBeLessThan(calls.indexOf('DELETE /api/tags/:id'));
  });
});

describe('Immich undo, when a sidecar brings a tag back', () => {
  it('a second --undo removes a tag of this tool that a stale sidecar brought back, and leaves the user’s', async () => {
    const f = await fixture.server();
    const cache = cacheDir();
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'])).code).toBe(0);
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--undo'])).code).toBe(0);
    await f.idle();
    f.state.upsertTags(['photo-organizer/keep-me']);
    // A sidecar the undo never saw (written by another tool, say) still lists our tag.
    const stale = idOf(f, BIRD[1]!);
    f.state.assets.get(stale)!.sidecar = ['photo-organizer/best'];
    f.jobs.assetsUpdated([stale]);
    await f.idle();
    expect(tagged(f, 'photo-organizer/best')).toEqual([BIRD[1]]);

    const again = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(again.code, again.stderr).toBe(0);
    // Untag the photo, then delete the tag (its parent stays: the user's tag is under it).
    expect(again.stdout).toContain('Undo: 2 of 2 changes made (2 photo updates); verified on the server.');
    await f.idle();
    f.jobs.assetsUpdated([...f.state.assets.keys()]);
    await f.idle();
    expect(tagValues(f)).toEqual(['photo-organizer', 'photo-organizer/keep-me']);
    expect(f.state.assets.get(stale)!.sidecar).toEqual([]);
  });
});

describe('Immich pictures without a preview', () => {
  it('reads a photo the server cannot preview from its original instead of dropping it', async () => {
    const f = await fixture.server();
    const heic = idOf(f, 'phone-export/IMG_0042.HEIC');
    f.state.assets.get(heic)!.noMedia = true;
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    await f.idle();
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(BOATS);
    const asked = f.calls
      .filter((c) => c.path.startsWith(`/api/assets/${heic}/`))
      .map((c) => `${c.path.split('/').at(-1)}${c.query.size ? `?size=${c.query.size}` : ''} ${c.status}`);
    expect(asked).toEqual(['thumbnail?size=preview 404', 'thumbnail?size=thumbnail 404', 'original 200']);
    expect(run.stdout).toMatch(/Downloaded 9 pictures \([^)]*\): 8 previews, 1 original \(no preview on the server for the others\)/);
    expect(run.stderr).not.toMatch(/IMG_0042\.HEIC/);
  });
});
