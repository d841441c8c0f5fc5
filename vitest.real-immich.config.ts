import { defineConfig } from 'vitest/config';

/**
 * The real-server tier (`npm run test:immich`): test/real-immich against the Immich server of
 * ../shared/immich-server. Files run one after another — they share the server's job queues,
 * and each waits for that background work to settle.
 */
export default defineConfig({
  test: {
    include: ['test/real-immich/**/*.test.ts'],
    globalSetup: ['test/real-immich/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
