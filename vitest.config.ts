import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Threads-mode tests start worker threads of their own; two forks keep a 2-core machine sane.
    pool: 'forks',
    maxWorkers: 2,
    // Commands the tests start record their runs: into a store of the test run's own, never into
    // .conclave/ of the repository. Tests about the store give their own paths.
    // bin/conclave.js runs the sources, never a dist/ build, so a command a test starts runs the
    // code under test (test/package.test.ts checks the compiled package on its own).
    env: { CONCLAVE_STORE: join(tmpdir(), `conclave-test-store-${process.pid}`, 'conclave.db'), CONCLAVE_FROM_SOURCE: '1' },
  },
});
