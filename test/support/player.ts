/** The review page's <video> as the browser tests drive it (they are typed without the DOM library). */
import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

interface Player {
  readonly readyState: number;
  readonly duration: number;
  currentTime: number;
  addEventListener(type: 'seeked', listener: () => void, options: { once: boolean }): void;
}

/** Waits for the player's metadata, then seeks to `to` s; answers its duration and where it landed. */
export async function loadAndSeek(video: Locator, to: number): Promise<{ duration: number; seeked: number }> {
  await expect.poll(() => video.evaluate((v) => (v as unknown as Player).readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  const duration = await video.evaluate((v) => (v as unknown as Player).duration);
  const seeked = await video.evaluate(
    (element, at) =>
      new Promise<number>((resolve) => {
        const v = element as unknown as Player;
        v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
        v.currentTime = at;
      }),
    to,
  );
  return { duration, seeked };
}
