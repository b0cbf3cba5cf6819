#!/usr/bin/env node
// `npm run mutate` mutates the whole consensus core (stryker.config.json); `npm run mutate --
// --file src/protocols/voting/tally.ts` (repeatable) mutates only the files named. Each file set
// keeps an incremental file of its own, so a rerun retests only mutants whose code or covering
// tests changed, and a one-file run never overwrites the results of the full one. Every other
// argument goes to `stryker run` as it is (for example `--concurrency 1`, `--force`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const files = [];
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--file') {
    if (args[i + 1] === undefined) {
      console.error('mutate: --file needs a path, e.g. --file src/protocols/raft/replication.ts');
      process.exit(2);
    }
    files.push(args[++i]);
  } else rest.push(args[i]);
}
const slug =
  files.length === 0
    ? 'all'
    : files
        .map((f) =>
          f
            .replace(/^src\//, '')
            .replace(/\.ts$/, '')
            .replace(/[^A-Za-z0-9]+/g, '-'),
        )
        .join('+');
const extra = files.length === 0 ? [] : ['--mutate', files.join(',')];
const stryker = fileURLToPath(new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url));
const r = spawnSync(
  process.execPath,
  [stryker, 'run', 'stryker.config.json', ...extra, '--incrementalFile', `reports/mutation/${slug}.incremental.json`, ...rest],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
