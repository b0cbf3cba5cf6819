import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The installed command runs without the tests' CONCLAVE_FROM_SOURCE (it has no sources). */
const env = { ...process.env, CONCLAVE_FROM_SOURCE: undefined, CONCLAVE_STORE: 'off', npm_config_loglevel: 'error' };

let prefix: string;
let installed: string;
let conclave: string;
let mirror: Server;
/** Paths the prebuilt-binary mirror was asked for, and the one it answered. */
const mirrorAsked: string[] = [];
let mirrorServed: string | undefined;
let mirrorUrl: string;

/** The repository's better-sqlite3: the version its lockfile installed, and the binary that install built. */
const sqliteDir = join(root, 'node_modules', 'better-sqlite3');
const sqliteVersion = (JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')) as { version: string }).version;
const prebuiltName = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;

/**
 * better-sqlite3's install script asks prebuild-install for a binary from GitHub's releases, which
 * these machines cannot reach, and then compiles SQLite from source (minutes under load). Its
 * documented mirror setting (`npm_config_better_sqlite3_binary_host`) is pointed at a local server
 * holding the binary the repository's own install built, packed the way the release assets are
 * (`build/Release/better_sqlite3.node` in a .tar.gz): the tarball installs with every install
 * script run, as a user's `npm install -g` does, and only the download is local.
 */
async function startMirror(dir: string): Promise<void> {
  const archive = join(dir, prebuiltName);
  await exec('tar', ['-czf', archive, '-C', sqliteDir, 'build/Release/better_sqlite3.node']);
  const bytes = readFileSync(archive);
  mirror = createServer((req, res) => {
    mirrorAsked.push(req.url ?? '');
    if (req.url === `/v${sqliteVersion}/${prebuiltName}`) {
      mirrorServed = req.url;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes.length }).end(bytes);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
}

/**
 * npm pack (which builds dist/ through `prepare`), then the tarball installed globally into a
 * fresh prefix, as a user would: `conclave` on that prefix's PATH, install scripts run.
 */
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-pack-'));
  await startMirror(dir);
  await exec(npm, ['pack', '--pack-destination', dir], { cwd: root, env });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  prefix = join(dir, 'prefix');
  await exec(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], {
    cwd: dir,
    env: { ...env, npm_config_better_sqlite3_binary_host: mirrorUrl },
  });
  installed = join(prefix, 'lib', 'node_modules', 'conclave');
  conclave = join(prefix, 'bin', 'conclave');
}, 600_000);

afterAll(() => {
  mirror?.close();
  // prebuild-install caches each download under the npm cache by a digest of its URL; this URL's
  // port is new every run, so its copy would only pile up.
  const url = `${mirrorUrl}/v${sqliteVersion}/${prebuiltName}`;
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  const cache = process.env.npm_config_cache ?? join(homedir(), '.npm');
  rmSync(join(cache, '_prebuilds', `${digest}-${prebuiltName.replace(/[^a-zA-Z0-9.]+/g, '-')}`), { force: true });
});

describe('the packed package, installed into a fresh prefix', () => {
  it('ships the compiled build and no TypeScript sources', () => {
    expect(existsSync(join(installed, 'dist', '.built'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'sweep', 'pool-worker.mjs'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    for (const [path, entry] of Object.entries(manifest.exports)) {
      if (path === './package.json') continue;
      const { types, default: js } = entry as { types: string; default: string };
      expect(existsSync(join(installed, js)), `${path} -> ${js}`).toBe(true);
      expect(existsSync(join(installed, types)), `${path} -> ${types}`).toBe(true);
    }
  });

  it('has an entry per layer (conclave/actors, /system, /protocols, /check, /adversary, ...) and refuses deep paths', async () => {
    // Resolved by package name from beside the installed package, as a user's project would.
    const script = [
      'const names = async (s) => Object.keys(await import(s));',
      'const out = {};',
      "for (const s of ['conclave', 'conclave/actors', 'conclave/system', 'conclave/protocols', 'conclave/check', 'conclave/adversary', 'conclave/topologies', 'conclave/scenario']) out[s] = await names(s);",
      "try { await import('conclave/dist/index.js'); out.deep = 'loaded'; } catch (e) { out.deep = e.code; }",
      'console.log(JSON.stringify(out));',
    ].join('\n');
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { env, cwd: join(prefix, 'lib') });
    const out = JSON.parse(stdout) as Record<string, string[]> & { deep: string };
    expect(out['conclave/actors']).toEqual(expect.arrayContaining(['registerBehaviour', 'sink', 'DEFAULT_MAILBOX_CAPACITY']));
    expect(out['conclave/system']).toEqual(expect.arrayContaining(['createSystem', 'SimSystem', 'ThreadSystem']));
    expect(out['conclave/protocols']).toEqual(expect.arrayContaining(['raftNode', 'pbftReplica', 'gossipNode', 'COORDINATOR', 'tally']));
    expect(out['conclave/check']).toEqual(expect.arrayContaining(['checkRaftSafety', 'checkPbftSafety', 'runCheckers']));
    expect(out['conclave/adversary']).toEqual(expect.arrayContaining(['BYZANTINE_VOTER', 'BYZANTINE_REPLICA']));
    expect(out['conclave/topologies']).toContain('buildTopology');
    expect(out['conclave/scenario']).toContain('parseScenario');
    // The root entry is every layer together: nothing a layer exports is missing from it.
    for (const layer of ['conclave/actors', 'conclave/system', 'conclave/protocols', 'conclave/check', 'conclave/adversary'])
      expect(out.conclave).toEqual(expect.arrayContaining(out[layer]));
    expect(out.deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it("puts conclave on the prefix's PATH: --version and --help", async () => {
    const version = await exec(conclave, ['--version'], { env });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    const help = await exec(conclave, ['run', '--help'], { env });
    expect(help.stdout).toContain('Usage: conclave run');
  });

  it('runs an example scenario in sim mode and in threads mode (worker threads from dist/)', async () => {
    const scenario = join(installed, 'examples', 'db-choice.yml');
    for (const mode of ['sim', 'threads']) {
      const { stdout } = await exec(conclave, ['run', scenario, '--mode', mode, '--json', '--no-store'], { env, cwd: prefix });
      const result = JSON.parse(stdout) as {
        mode: string;
        decisions: { attempted: number; decided: number };
        messages: Record<string, number>;
        safetyViolations: unknown[];
      };
      expect(result.mode).toBe(mode);
      expect(result.decisions.attempted).toBe(200);
      expect(result.decisions.decided).toBeGreaterThan(150);
      expect(result.safetyViolations).toEqual([]);
      const m = result.messages;
      expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
    }
  }, 120_000);

  it('runs a stress campaign on its piscina pool (pool workers from dist/)', async () => {
    const { stdout } = await exec(
      conclave,
      ['stress', '--protocol', 'raft', '--agents', '3', '--runs', '4', '--decisions', '10', '--workers', '2', '--json', '--no-store'],
      { env, cwd: prefix },
    );
    const report = JSON.parse(stdout) as { runs: number; workers: number; decisions: { attempted: number } };
    expect(report.runs).toBe(4);
    expect(report.workers).toBe(2);
    expect(report.decisions.attempted).toBe(40);
  }, 120_000);

  it('installs better-sqlite3 by its own install script and records runs in a store: run, runs, show last', async () => {
    const sqlite = join(installed, 'node_modules', 'better-sqlite3');
    const version = (JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string }).version;
    expect(existsSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    // The script asked the mirror; with the lockfile's version it was given the binary (a newer
    // release in the registry would have been compiled from source instead, which also works).
    expect(mirrorAsked.length).toBeGreaterThan(0);
    if (version === sqliteVersion) expect(mirrorServed).toBe(`/v${sqliteVersion}/${prebuiltName}`);
    const store = join(prefix, 'runs.db');
    const withStore = { ...env, CONCLAVE_STORE: undefined };
    const scenario = join(installed, 'examples', 'db-choice.yml');
    const run = JSON.parse((await exec(conclave, ['run', scenario, '--json', '--store', store], { env: withStore, cwd: prefix })).stdout) as {
      decisions: { attempted: number };
    };
    expect(run.decisions.attempted).toBe(200);
    const runs = await exec(conclave, ['runs', '--store', store], { env: withStore, cwd: prefix });
    expect(runs.stdout).toContain('db-choice');
    const shown = JSON.parse((await exec(conclave, ['show', 'last', '--json', '--store', store], { env: withStore, cwd: prefix })).stdout) as {
      run: { name: string; attempted: number; file: string };
    };
    expect(shown.run).toMatchObject({ name: 'db-choice', attempted: 200, file: scenario });
  }, 120_000);

  it('runs what loads files by path from the package: hive-mind (its behaviours), run --dashboard (its server thread), conclave dashboard (its page)', async () => {
    // Compiled code must name compiled files: dist/ holds no .ts (moduleUrl maps them).
    const offenders = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /new URL\('[^']+\.ts'/.test(readFileSync(join(installed, 'dist', f), 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '')));
    expect(offenders).toEqual([]);
    const hive = await exec(conclave, ['hive-mind', 'spawn', 'Document the API', '--no-store'], { env, cwd: prefix });
    expect(hive.stdout).toMatch(/session 1: done — \d+\/\d+ subtasks/);
    const dash = await exec(conclave, ['run', join(installed, 'examples', 'db-choice.yml'), '--dashboard', '0', '--no-store', '--timeline', '0'], {
      env,
      cwd: prefix,
    });
    expect(dash.stderr).toMatch(/dashboard for this run: http:\/\/127\.0\.0\.1:\d+/);
    expect(dash.stdout).toContain('balanced');
    // conclave dashboard serves its page and scripts from the installed package (dist/ once had none: an empty 200).
    const server = spawn(conclave, ['dashboard', '--port', '0', '--store', join(prefix, 'runs.db')], { env, cwd: prefix });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (d: Buffer) => {
          out += String(d);
          const m = /conclave dashboard: (http\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        server.once('exit', (code) => reject(new Error(`conclave dashboard exited (${code}): ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="graph"');
      const script = await fetch(new URL('app.js', url));
      expect([script.status, (await script.text()).length > 1_000]).toEqual([200, true]);
      // The graph's layout library comes from the installed dependencies (d3-force and its modules).
      for (const lib of ['d3-dispatch.js', 'd3-quadtree.js', 'd3-timer.js', 'd3-force.js']) expect((await fetch(new URL(lib, url))).status, lib).toBe(200);
      expect(await (await fetch(new URL('d3-force.js', url))).text()).toContain('forceSimulation');
    } finally {
      server.kill();
    }
  }, 120_000);

  it('refuses a bad flag with exit 2 and one line', async () => {
    const e = await exec(conclave, ['run', '--mode', 'fast'], { env }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in e ? e.code : 0).toBe(2);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
  });
});
