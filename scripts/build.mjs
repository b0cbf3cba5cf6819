// npm run build (and `prepare`, so `npm install` and `npm pack` build too): compiles src/ to
// dist/ (JavaScript, declarations, source maps) with the project's TypeScript, copies the files
// tsc does not emit (the piscina worker, hand-written declarations, the dashboard's page and
// scripts), and stamps the build last,
// so bin/conclave.js can tell a finished, current build from a stale or interrupted one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// A fresh dist/: a source file deleted or renamed must not live on as a stale module.
rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** Every file under `dir`, as absolute paths. */
const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
for (const file of files(src)) {
  // The piscina worker, hand-written declarations, and the dashboard's page (served from dist/).
  if (!file.endsWith('.mjs') && !file.endsWith('.d.ts') && !file.includes(`${join('dashboard', 'static')}`)) continue;
  const to = join(dist, relative(src, file));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
