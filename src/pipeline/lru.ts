/** A small least-recently-used cache over a loader; keeps memory bounded during grouping. */
export function lruCache<K, V>(capacity: number, load: (key: K) => V): (key: K) => V {
  const entries = new Map<K, V>();
  return (key) => {
    const hit = entries.get(key);
    if (hit !== undefined || entries.has(key)) {
      entries.delete(key);
      entries.set(key, hit as V);
      return hit as V;
    }
    const value = load(key);
    entries.set(key, value);
    if (entries.size > capacity) entries.delete(entries.keys().next().value as K);
    return value;
  };
}
