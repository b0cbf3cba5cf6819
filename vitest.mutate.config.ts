import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The suite as Stryker runs it: sim-mode tests only. Stryker switches mutants on inside the test
 * process, so a worker thread or a child process always runs the unmutated code; tests that live
 * there can only pass, and cost minutes of every dry run. Files that mix sim and threads tests
 * stay (their threads tests cover no mutant, so Stryker never reruns them).
 */
const only = (process.env.CONCLAVE_MUTATE_TESTS ?? '').split(',').filter((f) => f !== '');

// Spread, not mergeConfig: mergeConfig concatenates arrays, and `include` must be able to narrow.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // A mutant that stops delivery makes a test wait for its timeout: fail it sooner than the
    // suite's 60 s, or one such mutant costs minutes per covering test.
    testTimeout: 20_000,
    // CONCLAVE_MUTATE_TESTS=test/mailbox-*.test.ts,... narrows the tests to those globs: for a
    // file that every test imports (the mailbox), the whole suite per mutant takes hours.
    include: only.length > 0 ? only : base.test!.include,
    exclude: [
      'test/threads-*.test.ts', // every test starts worker threads
      'test/raft-threads.test.ts',
      'test/cli-*.test.ts', // spawn the CLI as a child process
      'test/readme-example.test.ts',
      'test/examples-run.test.ts',
      'node_modules/**',
      // A test broken on main by work in progress fails Stryker's dry run; name its file here
      // (comma-separated) to mutate meanwhile, e.g. CONCLAVE_MUTATE_EXCLUDE=test/pbft-normal.test.ts.
      ...(process.env.CONCLAVE_MUTATE_EXCLUDE ?? '').split(',').filter((f) => f !== ''),
    ],
  },
});
