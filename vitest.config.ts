import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-server tier runs apart (npm run test:immich, vitest.real-immich.config.ts).
    exclude: [...configDefaults.exclude, 'test/real-immich/**'],
    // Integration tests spawn the built CLI and decode real photos: give them room on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // One more file than cores: many tests wait on a child process or a server, so a third file
    // keeps both cores busy (352 s -> 260 s for the suite on 2 cores).
    maxWorkers: 3,
    // `npm run coverage`: core/ is the pure domain logic that STYLE.md wants near full branch
    // coverage, and the unit tests exercise it in process (the CLI runs of the integration tier are
    // child processes, which V8 coverage does not see).
    coverage: {
      provider: 'v8',
      include: ['src/core/**/*.ts'],
      reporter: ['text', 'text-summary', 'html'],
      reportsDirectory: 'coverage',
    },
  },
});
