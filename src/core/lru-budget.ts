/**
 * The bookkeeping of a size-capped, least-recently-used cache, shared by the disk caches (the
 * Immich picture cache and the review page's thumbnails): which entries there are, how many bytes
 * they hold, which are pinned (in use, never evicted), and which to evict to fit the cap. The
 * caches do the file work; this only decides. Recency is the order of the map: a use moves an
 * entry to the end, so the first unpinned entries are the victims.
 */

export interface Sized {
  readonly size: number;
}

interface Slot<E> {
  readonly entry: E;
  pins: number;
}

export class LruBudget<K, E extends Sized> {
  private readonly slots = new Map<K, Slot<E>>();
  private bytes = 0;

  constructor(readonly capBytes: number) {
    if (!Number.isFinite(capBytes) || capBytes < 0)
      throw new RangeError(`Expected a cache cap of 0 bytes or more but received ${capBytes}`);
  }

  get files(): number {
    return this.slots.size;
  }

  get total(): number {
    return this.bytes;
  }

  get(key: K): E | undefined {
    return this.slots.get(key)?.entry;
  }

  /** Marks an entry as just used (and pins it when asked). */
  touch(key: K, options: { readonly pin?: boolean } = {}): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.slots.set(key, slot);
    if (options.pin === true) slot.pins++;
  }

  /**
   * Adds an entry as the most recently used, replacing one under the same key (whose pins it
   * keeps). Entries known from a disk scan are added oldest first.
   */
  add(key: K, entry: E, options: { readonly pin?: boolean } = {}): void {
    const old = this.slots.get(key);
    this.remove(key);
    this.slots.set(key, { entry, pins: (old?.pins ?? 0) + (options.pin === true ? 1 : 0) });
    this.bytes += entry.size;
  }

  /** Forgets an entry; with `only`, only if it is still that entry (not replaced meanwhile). */
  remove(key: K, only?: E): void {
    const slot = this.slots.get(key);
    if (slot === undefined || (only !== undefined && slot.entry !== only)) return;
    this.slots.delete(key);
    this.bytes -= slot.entry.size;
  }

  /** Keeps an entry from eviction until unpinned (nested pins count). */
  pin(key: K): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) slot.pins++;
  }

  unpin(key: K): void {
    const slot = this.slots.get(key);
    if (slot !== undefined && slot.pins > 0) slot.pins--;
  }

  /**
   * The entries to evict so the total fits the cap, least recently used first, skipping pinned
   * ones and those `evictable` refuses; they are forgotten here, the caller deletes their files.
   */
  evict(evictable: (entry: E) => boolean = () => true): E[] {
    const victims: E[] = [];
    for (const [key, slot] of this.slots) {
      if (this.bytes <= this.capBytes) break;
      if (slot.pins > 0 || !evictable(slot.entry)) continue;
      this.slots.delete(key);
      this.bytes -= slot.entry.size;
      victims.push(slot.entry);
    }
    return victims;
  }
}
