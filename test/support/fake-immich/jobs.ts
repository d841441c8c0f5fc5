/**
 * The fake server's background jobs, as Immich v3.1.0 runs them after a change (read from
 * server/src/services/tag.service.ts, metadata.service.ts, asset.service.ts, job.service.ts):
 *
 * - A tag change of an asset locks its tags and queues a SidecarWrite; so does every
 *   `PUT /api/assets` (favourite, archive), for each of its assets.
 * - SidecarWrite reads the asset's tags when it starts — only if they are locked, else it writes
 *   nothing — writes them to the sidecar, unlocks, and queues a metadata extraction.
 * - The extraction REPLACES the asset's tag links with the sidecar's (creating tags by value that
 *   no longer exist) unless the tags are locked again, and moves `updatedAt`.
 * - `DELETE /api/tags/{id}` touches no sidecar.
 *
 * So a second tag change of an asset that lands while its sidecar is being written is lost, and a
 * deleted tag comes back at the asset's next extraction — the two ways the real server lost data.
 * Jobs of one asset run one after another; `holdMs` is how long a sidecar write takes.
 */
import type { FakeImmichState } from './state.js';

export class FakeJobs {
  private readonly chains = new Map<string, Promise<void>>();
  private lastStamp = 0;

  constructor(
    private readonly state: FakeImmichState,
    /** How long a sidecar write takes, in ms: the window in which a second tag change is lost. */
    readonly holdMs: number,
  ) {}

  /** A tag change of these assets: lock their tags, then write their sidecars in the background. */
  tagsChanged(assetIds: Iterable<string>): void {
    for (const id of assetIds) {
      const a = this.state.assets.get(id);
      if (!a) continue;
      a.tagsLocked = true;
      this.queueSidecarWrite(id);
    }
  }

  /** `PUT /api/assets` queues a sidecar write for every asset it names, whatever changed. */
  assetsUpdated(assetIds: Iterable<string>): void {
    for (const id of assetIds) {
      const a = this.state.assets.get(id);
      if (!a) continue;
      a.updatedAt = this.stamp();
      this.queueSidecarWrite(id);
    }
  }

  /** Resolves when no job is queued or running (tests look at the state after this). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.chains.values()];
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  private queueSidecarWrite(id: string): void {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.sidecarWrite(id)).then(() => this.extract(id));
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  }

  private async sidecarWrite(id: string): Promise<void> {
    const a = this.state.assets.get(id);
    if (!a) return;
    // Read at the start; the file is written `holdMs` later.
    const snapshot = a.tagsLocked ? this.state.tagValuesOf(id) : null;
    await sleep(this.holdMs);
    if (snapshot !== null) a.sidecar = snapshot;
    a.tagsLocked = false;
  }

  private async extract(id: string): Promise<void> {
    await sleep(1);
    const a = this.state.assets.get(id);
    if (!a) return;
    if (!a.tagsLocked) {
      const values = a.sidecar ?? [];
      for (const key of [...this.state.tagLinks]) if (key.endsWith(`|${id}`)) this.state.tagLinks.delete(key);
      if (values.length > 0) {
        this.state.upsertTags(values);
        for (const v of values) this.state.tagLinks.add(`${this.state.tagByValue(v)!.id}|${id}`);
      }
    }
    a.updatedAt = this.stamp();
  }

  /** A new ISO time, later than every one given before (two jobs in one millisecond differ). */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
