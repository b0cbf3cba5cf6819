import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The installed command runs without the tests' CONCLAVE_FROM_SOURCE (it has no sources). */
const env = { ...process.env, CONCLAVE_FROM_SOURCE: undefined, CONCLAVE_STORE: 'off', npm_config_loglevel: 'error' };

let prefix: string;
let installed: string;
let conclave: string;

/**
 * npm pack (which builds dist/ through `prepare`), then the tarball installed globally into a
 * fresh prefix, as a user would: `conclave` on that prefix's PATH. Install scripts are skipped
 * (better-sqlite3 would build from source for minutes here), so the runs below do not record.
 */
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-pack-'));
  await exec(npm, ['pack', '--pack-destination', dir], { cwd: root, env });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  prefix = join(dir, 'prefix');
  await exec(npm, ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], {
    cwd: dir,
    env,
  });
  installed = join(prefix, 'lib', 'node_modules', 'conclave');
  conclave = join(prefix, 'bin', 'conclave');
}, 600_000);

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

  it('refuses a bad flag with exit 2 and one line', async () => {
    const e = await exec(conclave, ['run', '--mode', 'fast'], { env }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in e ? e.code : 0).toBe(2);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
  });
});
