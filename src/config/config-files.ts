/**
 * Where configuration files live and how they are read and written: the project file
 * `conclave.config.yml` in the working directory, and the user file `$CONCLAVE_HOME/config.yml`
 * (default `~/.conclave/config.yml`). A run reads the user file, then the project file, then each
 * `--config` file, then the scenario on top.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseLegacyConfig, readSourceFileSync, type ConfigLayer } from '../scenario/index.ts';

/**
 * The name of the project file, looked for in the working directory.
 *
 * @example
 * ```ts
 * PROJECT_CONFIG; // 'conclave.config.yml'
 * ```
 */
export const PROJECT_CONFIG = 'conclave.config.yml';

/**
 * Where to look: the working directory (project file) and the environment (`CONCLAVE_HOME`, `HOME`).
 *
 * @example
 * ```ts
 * const places: ConfigPlaces = { cwd: '/tmp/p', env: { CONCLAVE_HOME: '/tmp/h' } };
 * ```
 */
export interface ConfigPlaces {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * This process's places.
 *
 * @example
 * ```ts
 * processPlaces().cwd === process.cwd(); // true
 * ```
 */
export function processPlaces(): ConfigPlaces {
  return { cwd: process.cwd(), env: process.env };
}

/**
 * The user file: `$CONCLAVE_HOME/config.yml`, else `~/.conclave/config.yml`.
 *
 * @example
 * ```ts
 * userConfigPath({ cwd: '/p', env: { CONCLAVE_HOME: '/h' } }); // '/h/config.yml'
 * ```
 */
export function userConfigPath(places: ConfigPlaces = processPlaces()): string {
  const home = places.env.CONCLAVE_HOME;
  return home ? resolve(places.cwd, home, 'config.yml') : join(places.env.HOME ?? homedir(), '.conclave', 'config.yml');
}

/**
 * The project file: `conclave.config.yml` in the working directory.
 *
 * @example
 * ```ts
 * projectConfigPath({ cwd: '/p', env: {} }); // '/p/conclave.config.yml'
 * ```
 */
export function projectConfigPath(places: ConfigPlaces = processPlaces()): string {
  return join(places.cwd, PROJECT_CONFIG);
}

/**
 * The user and project files that exist, read and validated, as the first layers of a run (a bad
 * file is a ScenarioError naming its line and key).
 *
 * @example
 * ```ts
 * const layers = [...standardLayers(), ...configFiles.map(read)];
 * ```
 */
export function standardLayers(places: ConfigPlaces = processPlaces()): ConfigLayer[] {
  const out: ConfigLayer[] = [];
  for (const [label, file] of [
    ['user file', userConfigPath(places)],
    ['project file', projectConfigPath(places)],
  ] as const) {
    if (existsSync(file)) out.push({ label, file, config: parseLegacyConfig(readSourceFileSync(file, 'configuration'), file) });
  }
  return out;
}

/**
 * `--config` files as layers, in the order given (relative to `cwd`).
 *
 * @example
 * ```ts
 * configFileLayers(['a.yml', 'b.yml'], places).map((l) => l.label); // ['--config file', '--config file']
 * ```
 */
export function configFileLayers(files: readonly string[], places: ConfigPlaces = processPlaces()): ConfigLayer[] {
  return files.map((f) => {
    const file = resolve(places.cwd, f);
    return { label: '--config file', file: f, config: parseLegacyConfig(readSourceFileSync(file, 'configuration'), f) };
  });
}

/**
 * A configuration file's text, or `''` when it does not exist yet.
 *
 * @example
 * ```ts
 * readConfigText('/p/conclave.config.yml'); // '' before the first config set
 * ```
 */
export function readConfigText(file: string): string {
  return existsSync(file) ? readSourceFileSync(file, 'configuration') : '';
}

/**
 * Writes a configuration file, making its folder.
 *
 * @example
 * ```ts
 * writeConfigText('/h/config.yml', 'consensus:\n  default_algorithm: raft\n');
 * ```
 */
export function writeConfigText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
