import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ConclaveError, ConfigError } from '../errors.ts';
import { clip } from './bounded-text.ts';
import { locate, parseYamlSource } from './yaml-source.ts';

/**
 * Some checks can only run once a scenario meets the runtime (an algorithm name against the
 * registered policies, a hub against the members): they throw a ConfigError with a field path
 * (`topology.hub`, `schedule[0].switch_topology`). This puts the scenario file's line and column
 * in front of such an error, as the schema's own errors have; anything else passes through.
 *
 * @example
 * ```ts
 * try { await runScenario(scenario); } catch (e) { throw withScenarioLine(e, scenario.file); }
 * // -> "db.yml:7:17: Invalid configuration at "topology.hub": expected the id of a member ..."
 * ```
 */
export function withScenarioLine(error: unknown, file: string | undefined): unknown {
  if (!(error instanceof ConfigError) || file === undefined) return error;
  try {
    const source = parseYamlSource(readFileSync(file, 'utf8'), file, 'scenario');
    const at = locate(source, parsePath(error.path), false);
    if (at === undefined) return error;
    const shown = relative(process.cwd(), file) || file;
    // Clipped: a runtime check may quote a long list (the members of a large swarm).
    const located = new ConclaveError('config', `${shown}:${at.line}:${at.col}: ${clip(error.message, 1_200)}`, { cause: error });
    return Object.assign(located, { path: error.path });
  } catch {
    return error;
  }
}

/**
 * A ConfigError's dotted path back as a path of keys and indices.
 *
 * @example
 * ```ts
 * parsePath('schedule[0].switch_topology.hub'); // ['schedule', 0, 'switch_topology', 'hub']
 * ```
 */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return out;
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}
