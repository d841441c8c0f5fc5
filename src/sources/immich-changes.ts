/**
 * What changed on an Immich server, for --watch: every poll asks for the assets updated since the
 * last one (`updatedAfter`: an upload, an edit, a favourite or a stack changed) and those trashed
 * since (`trashedAfter`). The window reaches back a margin before the last poll, so a server
 * clock a little behind ours loses nothing, and an asset counts once per update (its id and
 * update time are remembered while they are inside the window). A server that cannot be
 * reached throws: the watch loop backs off and asks again.
 */
import type { ImmichClient } from '../immich/client.js';
import type { ChangeFeed, Clock } from '../pipeline/watch.js';

/** How far before the last poll each poll looks (clock skew between this machine and the server). */
export const SKEW_MARGIN_MS = 5 * 60_000;
/** One page per question: more changes than this run a cycle all the same. */
const PAGE = 1000;

export class ImmichChanges implements ChangeFeed {
  /** `${id}|${updatedAt}` → the time (ours) it was first seen. */
  private readonly seen = new Map<string, number>();
  private since: number;

  constructor(
    private readonly client: ImmichClient,
    private readonly clock: Clock,
  ) {
    this.since = clock.now();
  }

  async next(ms: number, signal: AbortSignal): Promise<number> {
    await this.clock.sleep(ms, signal);
    if (signal.aborted) return 0;
    const asked = this.clock.now();
    const after = new Date(this.since - SKEW_MARGIN_MS).toISOString();
    const [updated, trashed] = await Promise.all([
      this.client.searchStamps({ updatedAfter: after, size: PAGE, withExif: false }),
      this.client.searchStamps({ trashedAfter: after, size: PAGE, withExif: false }),
    ]);
    let changes = 0;
    for (const a of [...updated.assets.items, ...trashed.assets.items]) {
      const key = `${a.id}|${a.updatedAt}|${a.isTrashed}`;
      if (this.seen.has(key)) continue;
      this.seen.set(key, asked);
      changes++;
    }
    // Forget what the window no longer reaches: memory stays flat however long it runs.
    for (const [key, at] of this.seen) if (at < this.since - 2 * SKEW_MARGIN_MS) this.seen.delete(key);
    this.since = asked;
    return changes;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
