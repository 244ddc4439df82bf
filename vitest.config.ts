import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // generous: CI runs several workers on 2 cores, where a test that takes 3 s on a quiet machine
    // took over 20 s (sync/faults, serve-redis); a timeout only ever ends a test that was failing anyway
    testTimeout: 60_000,
    // above waitForHttp's 30 s, so that a server that does not come up says so instead of timing out the hook
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/fast-check.ts'],
  },
});
