/**
 * `conclave config get | set | merge | show`: the project file (`conclave.config.yml` in the
 * working directory) and the user file (`$CONCLAVE_HOME/config.yml`, default
 * `~/.conclave/config.yml`).
 */
import { stringify } from 'yaml';
import { getConfigValue, mergeConfigFile, parseValue, resolvedConfig, setConfigValue, targetFile } from '../config/config-store.ts';
import { processPlaces, projectConfigPath, readConfigText, userConfigPath, type ConfigPlaces } from '../config/config-files.ts';
import { bold, dim, yellow } from '../text/format.ts';
import { EXIT_OK } from './exit-codes.ts';

/** `--user`: the user file instead of the project file. */
export interface ConfigTargetOptions {
  readonly user?: boolean;
}

/**
 * `conclave config set KEY VALUE [--user]`. Returns the exit code; bad input throws (exit 2).
 *
 * @example
 * ```ts
 * configSetCommand('consensus.raft.election_timeout_min', '1000', {}, console.log);
 * ```
 */
export function configSetCommand(key: string, value: string, o: ConfigTargetOptions, out: (l: string) => void, places: ConfigPlaces = processPlaces()): number {
  const file = targetFile(o, places);
  const parsed = parseValue(value);
  setConfigValue(file, key, parsed);
  out(`${key} = ${JSON.stringify(parsed)} in ${file}`);
  return EXIT_OK;
}

/**
 * `conclave config get KEY [--user]`: the value from the user and project files (YAML), exit 1 when unset.
 *
 * @example
 * ```ts
 * configGetCommand('consensus.default_algorithm', {}, console.log); // prints byzantine_tolerant
 * ```
 */
export function configGetCommand(key: string, o: ConfigTargetOptions, out: (l: string) => void, places: ConfigPlaces = processPlaces()): number {
  const value = getConfigValue(key, o, places);
  if (value === undefined) {
    out(
      `${key} is not set in ${o.user ? `the user file ${userConfigPath(places)}` : `the user file ${userConfigPath(places)} or the project file ${projectConfigPath(places)}`}`,
    );
    return 1;
  }
  out(typeof value === 'object' && value !== null ? stringify(value).trimEnd() : String(value));
  return EXIT_OK;
}

/**
 * `conclave config merge FILE [--user]`: deep merge into the project (or user) file; lists replace.
 *
 * @example
 * ```ts
 * configMergeCommand('expert-weights.yml', {}, console.log);
 * ```
 */
export function configMergeCommand(source: string, o: ConfigTargetOptions, out: (l: string) => void, places: ConfigPlaces = processPlaces()): number {
  const file = targetFile(o, places);
  mergeConfigFile(file, source);
  out(`merged ${source} into ${file}`);
  return EXIT_OK;
}

/**
 * Options of `conclave config show`.
 *
 * @example
 * ```ts
 * const o: ConfigShowOptions = { resolved: true, config: ['a.yml'] };
 * ```
 */
export interface ConfigShowOptions extends ConfigTargetOptions {
  readonly resolved?: boolean;
  readonly config?: readonly string[];
  readonly json?: boolean;
}

/**
 * `conclave config show [--user]`: the file as it is; `--resolved [--config F...] [SCENARIO]`:
 * every consensus setting a run will use, with its source, and what the run will name as not used.
 *
 * @example
 * ```ts
 * await configShowCommand(undefined, { resolved: true }, console.log);
 * ```
 */
export async function configShowCommand(
  scenario: string | undefined,
  o: ConfigShowOptions,
  out: (l: string) => void,
  places: ConfigPlaces = processPlaces(),
): Promise<number> {
  if (!o.resolved) {
    const file = targetFile(o, places);
    const text = readConfigText(file);
    out(text.trim() === '' ? dim(`# ${file} is empty or does not exist`) : text.trimEnd());
    return EXIT_OK;
  }
  const { entries, warnings } = await resolvedConfig({ configFiles: o.config, scenario }, places);
  if (o.json) {
    out(JSON.stringify({ settings: entries, warnings }, null, 2));
    return EXIT_OK;
  }
  const width = Math.max(...entries.map((e) => e.key.length));
  out(bold(`settings a run of ${scenario ?? 'the built-in scenario'} uses`));
  for (const e of entries) out(`  ${e.key.padEnd(width)}  ${shownValue(e.value)}  ${dim(`(${e.source})`)}`);
  for (const w of warnings) out(`  ${yellow('not used')}  ${w}`);
  return EXIT_OK;
}

/**
 * A resolved value as a person reads it: words bare, a duration in ms with its seconds (the
 * resolver writes every duration as `<n>ms`: `30s` became "30000ms"), anything else as YAML-ish JSON.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    const ms = /^(\d+)ms$/.exec(value);
    if (ms) {
      const n = Number(ms[1]);
      return n >= 1_000 ? `${n.toLocaleString('en-US')} ms (${(n / 1_000).toLocaleString('en-US')} s)` : `${n} ms`;
    }
    return value === '' || /[\s:#,[\]{}]/.test(value) ? JSON.stringify(value) : value;
  }
  return JSON.stringify(value);
}
