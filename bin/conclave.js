#!/usr/bin/env node
// The `conclave` command. An installed package runs its compiled CLI (dist/). In a checkout,
// dist/ is used only while it is current: a finished build (dist/.built) no older than every
// file under src/; after an edit, or with CONCLAVE_FROM_SOURCE=1 (the tests set it, so they run
// the code they test), the command runs the sources through tsx's loader instead.
import { readdirSync, statSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const src = new URL('../src/', import.meta.url);

/** Modification time of a path in ms, or undefined when it does not exist. */
function mtime(url) {
  return statSync(url, { throwIfNoEntry: false })?.mtimeMs;
}

/** True when some file under `dir` changed after `since` (ms). */
function changedSince(dir, since) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && statSync(`${e.parentPath}/${e.name}`).mtimeMs > since);
}

function useDist() {
  if (process.env.CONCLAVE_FROM_SOURCE === '1') return false;
  const built = mtime(new URL('../dist/.built', import.meta.url));
  if (built === undefined) return false;
  return mtime(src) === undefined || !changedSince(src, built);
}

let cli;
if (useDist()) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
await cli.main(process.argv);
