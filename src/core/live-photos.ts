/**
 * Which motion clip (MOV/MP4) of a folder is the moving half of which still: Live Photos, pure.
 * The content identifier both halves carry decides first (an export may rename one half:
 * IMG_0001.HEIC with IMG_0001(1).MOV); without one on both sides, the shared file stem does
 * (IMG_0001.HEIC with IMG_0001.MOV) — unless both carry identifiers and they differ, which makes
 * them two files that merely share a name.
 */

export interface LiveFile<K> {
  readonly key: K;
  /** The name without its extension, case folded. */
  readonly stem: string;
  readonly contentId: string | null;
}

/** Each paired motion clip's key → its still's key; a still has at most one clip and a clip one still. */
export function pairLivePhotos<K>(stills: readonly LiveFile<K>[], motions: readonly LiveFile<K>[]): Map<K, K> {
  const pairs = new Map<K, K>();
  const taken = new Set<K>();
  const byId = new Map<string, LiveFile<K>>();
  for (const s of stills) if (s.contentId !== null && !byId.has(s.contentId)) byId.set(s.contentId, s);
  for (const m of motions) {
    const still = m.contentId === null ? undefined : byId.get(m.contentId);
    if (still === undefined || taken.has(still.key)) continue;
    pairs.set(m.key, still.key);
    taken.add(still.key);
  }
  for (const m of motions) {
    if (pairs.has(m.key)) continue;
    const still = stills.find((s) => s.stem === m.stem && !taken.has(s.key));
    if (still === undefined || (still.contentId !== null && m.contentId !== null && still.contentId !== m.contentId)) continue;
    pairs.set(m.key, still.key);
    taken.add(still.key);
  }
  return pairs;
}

/** Whether a motion clip's identifier could still find a still among those not read yet. */
export function awaitsStill<K>(motion: LiveFile<K>, stills: readonly LiveFile<K>[]): boolean {
  return motion.contentId !== null && !stills.some((s) => s.contentId === motion.contentId);
}
