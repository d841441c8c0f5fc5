/**
 * Orders tag changes so that Immich keeps them. On a v3 server every tag change of an asset
 * queues a sidecar write (the asset's tags into `<original>.xmp`) followed by a metadata
 * re-extraction that REPLACES the asset's tags with the sidecar's (server/src/services/
 * tag.service.ts, metadata.service.ts). A second tag change of the same asset while that job
 * runs is overwritten by the first job's sidecar: it is lost. So each asset gets at most one
 * tag request per wave — every tag it gains in one request per distinct set of tags, each tag it
 * loses in a wave of its own — and the caller lets the server settle between waves. Pure.
 */

export interface TagRef {
  readonly value: string;
  readonly tagId: string;
}

export type TagRequest =
  /** PUT /api/tags/assets: every tag on every asset (all these assets gain exactly these tags). */
  | { readonly kind: 'add'; readonly tags: readonly TagRef[]; readonly assets: readonly string[] }
  /** DELETE /api/tags/{id}/assets. */
  | { readonly kind: 'remove'; readonly tag: TagRef; readonly assets: readonly string[] };

export interface TagChange {
  readonly kind: 'add' | 'remove';
  readonly tag: TagRef;
  readonly assets: readonly string[];
}

/**
 * Waves of requests, each asset in at most one request per wave: an asset's removals first (one
 * per wave, in tag order), then one addition of all the tags it gains. Requests within a wave
 * are sorted (removals by tag, additions by their tag set) so the same changes give the same
 * requests.
 */
export function tagWaves(changes: readonly TagChange[]): TagRequest[][] {
  const removals = new Map<string, TagRef[]>();
  const additions = new Map<string, TagRef[]>();
  const push = (map: Map<string, TagRef[]>, asset: string, tag: TagRef): void => {
    const list = map.get(asset) ?? [];
    if (!list.some((t) => t.value === tag.value)) list.push(tag);
    map.set(asset, list);
  };
  for (const c of changes) for (const a of c.assets) push(c.kind === 'add' ? additions : removals, a, c.tag);

  // Each asset's steps: one removal per step, then its additions as one step.
  const steps = new Map<string, ({ kind: 'remove'; tag: TagRef } | { kind: 'add'; tags: TagRef[] })[]>();
  for (const asset of new Set([...removals.keys(), ...additions.keys()])) {
    const mine: ({ kind: 'remove'; tag: TagRef } | { kind: 'add'; tags: TagRef[] })[] = [];
    for (const tag of [...(removals.get(asset) ?? [])].sort(byValue)) mine.push({ kind: 'remove', tag });
    const gains = additions.get(asset);
    if (gains) mine.push({ kind: 'add', tags: [...gains].sort(byValue) });
    steps.set(asset, mine);
  }

  const waves: TagRequest[][] = [];
  const depth = Math.max(0, ...[...steps.values()].map((s) => s.length));
  for (let k = 0; k < depth; k++) {
    const removes = new Map<string, { tag: TagRef; assets: string[] }>();
    const adds = new Map<string, { tags: TagRef[]; assets: string[] }>();
    for (const [asset, mine] of steps) {
      const step = mine[k];
      if (step === undefined) continue;
      if (step.kind === 'remove') {
        const entry = removes.get(step.tag.value) ?? { tag: step.tag, assets: [] };
        entry.assets.push(asset);
        removes.set(step.tag.value, entry);
      } else {
        const key = step.tags.map((t) => t.value).join('\n');
        const entry = adds.get(key) ?? { tags: step.tags, assets: [] };
        entry.assets.push(asset);
        adds.set(key, entry);
      }
    }
    const wave: TagRequest[] = [
      ...[...removes.entries()]
        .sort(([a], [b]) => cmp(a, b))
        .map(([, r]) => ({ kind: 'remove' as const, tag: r.tag, assets: r.assets.sort() })),
      ...[...adds.entries()]
        .sort(([a], [b]) => cmp(a, b))
        .map(([, r]) => ({ kind: 'add' as const, tags: r.tags, assets: r.assets.sort() })),
    ];
    waves.push(wave);
  }
  return waves;
}

function byValue(a: TagRef, b: TagRef): number {
  return cmp(a.value, b.value);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
