import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../errors.ts';
import { resolveHiveOptions, type HiveOptions } from './hive-options.ts';

/**
 * A hive scenario file (YAML): `name` plus the hive's options (`objective`, `features`,
 * `sections`, `queen`, `workers`, `teams`, `consensus`, `topology`, `objectives`, `seed`, `mode`,
 * `byzantine`, `behaviour`, ...). A `behaviour.module` is resolved against the file's folder.
 *
 * @example
 * ```ts
 * const { name, options } = loadHiveScenario('examples/hive-docs.yml');
 * ```
 */
export function loadHiveScenario(file: string): { name: string; options: HiveOptions } {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, 'a readable YAML hive scenario', (e as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(file, 'a YAML mapping with at least `objective:`', doc);
  const { name, ...rest } = doc as Record<string, unknown>;
  if (name !== undefined && typeof name !== 'string') throw new ConfigError(`${file}: name`, 'a string', name);
  const options = rest as unknown as HiveOptions;
  const b = options.behaviour as { module?: unknown } | undefined;
  const withModule =
    typeof b?.module === 'string' && !isAbsolute(b.module)
      ? { ...options, behaviour: { ...(options.behaviour as object), module: resolve(dirname(file), b.module) } as HiveOptions['behaviour'] }
      : options;
  resolveHiveOptions(withModule, `${file}: `);
  return { name: name ?? String(options.objective), options: withModule };
}
