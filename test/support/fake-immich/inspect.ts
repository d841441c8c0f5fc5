/** Reading the fake server's state in the tests' terms: library paths instead of asset ids. */
import type { FakeImmich } from './server.js';

export function pathOf(fake: FakeImmich, id: string): string {
  return fake.state.assets.get(id)?.seed.relativePath ?? `?${id}`;
}

export function idOf(fake: FakeImmich, relativePath: string): string {
  const hit = [...fake.state.assets.values()].find((a) => a.seed.relativePath === relativePath);
  if (!hit) throw new Error(`No asset for ${relativePath}`);
  return hit.seed.id;
}

/** Paths carrying the tag with this full value, sorted ([] when the tag does not exist). */
export function tagged(fake: FakeImmich, value: string): string[] {
  const tag = fake.state.tagByValue(value);
  return tag ? [...fake.state.assetsTagged(tag.id)].map((id) => pathOf(fake, id)).sort() : [];
}

export function tagValues(fake: FakeImmich): string[] {
  return [...fake.state.tags.values()].map((t) => t.value).sort();
}

export function albums(fake: FakeImmich): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of fake.state.albums.values()) out[a.albumName] = [...a.assets].map((id) => pathOf(fake, id)).sort();
  return out;
}

export function favorites(fake: FakeImmich): string[] {
  return [...fake.state.assets.values()]
    .filter((a) => a.isFavorite)
    .map((a) => a.seed.relativePath)
    .sort();
}

export function archived(fake: FakeImmich): string[] {
  return [...fake.state.assets.values()]
    .filter((a) => a.visibility === 'archive')
    .map((a) => a.seed.relativePath)
    .sort();
}

export function stacks(fake: FakeImmich): { cover: string; members: string[] }[] {
  return [...fake.state.stacks.values()]
    .map((s) => ({ cover: pathOf(fake, s.primary), members: s.assets.map((id) => pathOf(fake, id)).sort() }))
    .sort((a, b) => (a.cover < b.cover ? -1 : 1));
}

/** Everything a run may change, for before/after comparisons. */
export function snapshot(fake: FakeImmich): unknown {
  const tags: Record<string, string[]> = {};
  for (const v of tagValues(fake)) tags[v] = tagged(fake, v);
  return { tags, albums: albums(fake), favorites: favorites(fake), archived: archived(fake), stacks: stacks(fake) };
}

/** Write calls as `METHOD /path` lines (ids shown as paths where they are assets), in order. */
export function writeLines(fake: FakeImmich): string[] {
  return fake
    .writes()
    .map(
      (c) =>
        `${c.method} ${c.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => (fake.state.assets.has(id) ? pathOf(fake, id) : ':id'))}`,
    );
}
