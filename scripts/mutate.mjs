#!/usr/bin/env node
// `npm run mutate` mutates the whole consensus core (stryker.config.json); `npm run mutate --
// --file src/protocols/voting/tally.ts` (repeatable) mutates only the files named. Each file set
// keeps an incremental file of its own, so a rerun retests only mutants whose code or covering
// tests changed, and a one-file run never overwrites the results of the full one.
// `--no-related` runs every test of the set (CONCLAVE_MUTATE_TESTS) on each mutant, not only the
// tests that import the mutated file: a behaviour the scenario tests load by module path (the
// Raft node, the PBFT replica, the gossip client) is imported by none of them, and with Stryker's
// `related` on they would silently not run. Every other argument goes to `stryker run` as it is
// (for example `--concurrency 1`, `--force`, `--tempDirName .stryker-tmp-mine`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const files = [];
const rest = [];
let related = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--file') {
    if (args[i + 1] === undefined) {
      console.error('mutate: --file needs a path, e.g. --file src/protocols/raft/replication.ts');
      process.exit(2);
    }
    files.push(args[++i]);
  } else if (args[i] === '--no-related') related = false;
  else rest.push(args[i]);
}
const slug =
  (files.length === 0
    ? 'all'
    : files
        .map((f) =>
          f
            .replace(/^src\//, '')
            .replace(/\.ts$/, '')
            .replace(/[^A-Za-z0-9]+/g, '-'),
        )
        .join('+')) + (related ? '' : '.unrelated');
// Without `related`, a copy of the configuration that says so (Stryker reads paths in it from the
// working directory, so the copy may live anywhere).
const copyDir = related ? undefined : mkdtempSync(join(tmpdir(), 'conclave-mutate-'));
let config = 'stryker.config.json';
if (copyDir) {
  const c = JSON.parse(readFileSync(config, 'utf8'));
  c.vitest = { ...c.vitest, related: false };
  config = join(copyDir, 'stryker.config.json');
  writeFileSync(config, JSON.stringify(c, null, 2));
}
const extra = files.length === 0 ? [] : ['--mutate', files.join(',')];
const stryker = fileURLToPath(new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url));
const r = spawnSync(process.execPath, [stryker, 'run', config, ...extra, '--incrementalFile', `reports/mutation/${slug}.incremental.json`, ...rest], {
  stdio: 'inherit',
});
if (copyDir) rmSync(copyDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
