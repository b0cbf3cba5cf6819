import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Threads-mode tests start worker threads of their own; two forks keep a 2-core machine sane.
    pool: 'forks',
    maxWorkers: 2,
  },
});
