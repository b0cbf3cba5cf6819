/**
 * The keys a configuration file (`conclave.config.yml`, `$CONCLAVE_HOME/config.yml`, `--config`)
 * may hold: what `config set` and `config merge` accept, and what a run reads. Anything else is
 * refused by `config set`/`merge` (naming the nearest known key) and named as not used by a run.
 */
import { ConfigError } from '../errors.ts';
import { ENTERPRISE_KEYS } from './enterprise-keys.ts';
import { isMapping } from './deep-merge.ts';

/** A node of the key tree: a leaf, a mapping of known keys, any key (`'*'`), or passed through untouched. */
type KeyNode = 'leaf' | 'passthrough' | { readonly [key: string]: KeyNode };

const ALGORITHM_PARAMS: KeyNode = { threshold: 'leaf', min_participants: 'leaf', expert_weight: 'leaf', regular_weight: 'leaf', byzantine_detection: 'leaf' };

/**
 * The known keys. `algorithms`, `agent_weights` and `agent_expertise` take any name below them
 * (`'*'`); the enterprise sections are passed through for their owners to check.
 */
export const CONFIG_KEYS: KeyNode = {
  consensus: {
    default_algorithm: 'leaf',
    voting_timeout: 'leaf',
    byzantine_tolerance: 'leaf',
    malicious_detection: 'leaf',
    algorithms: { '*': ALGORITHM_PARAMS },
    raft: {
      enabled: 'leaf',
      leader_timeout: 'leaf',
      election_timeout_min: 'leaf',
      election_timeout_max: 'leaf',
      heartbeat: 'leaf',
      max_batch: 'leaf',
      snapshot: 'leaf',
    },
    ...Object.fromEntries(ENTERPRISE_KEYS.map((k) => [k, 'passthrough' as const])),
  },
  agent_weights: { '*': 'leaf' },
  agent_expertise: { '*': { weight: 'leaf', domains: 'leaf' } },
};

/**
 * Every known dotted path (with `*` for any name), for messages.
 *
 * @example
 * ```ts
 * knownPaths().includes('consensus.raft.election_timeout_min'); // true
 * ```
 */
export function knownPaths(node: KeyNode = CONFIG_KEYS, prefix = ''): string[] {
  if (typeof node === 'string') return [prefix];
  return Object.entries(node).flatMap(([k, v]) => knownPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}

/**
 * Keys a run shows (`config show --resolved`) that a configuration file spells otherwise: the
 * nearest by letters (`consensus.algorithms`) is not what the user meant.
 */
const FILE_SPELLING: Readonly<Record<string, string>> = { 'consensus.algorithm': 'consensus.default_algorithm' };

/**
 * The first unknown key in `path` (dotted), or undefined when the runtime knows it (a path into a
 * passthrough section is known). `nearest` is the closest known key at that level, spelled as a
 * whole path.
 *
 * @example
 * ```ts
 * unknownKey('consensus.raft.leader_timeot'); // { path: 'consensus.raft.leader_timeot', nearest: 'consensus.raft.leader_timeout' }
 * unknownKey('consensus.audit.enabled');      // undefined (passed through to the audit section's owner)
 * ```
 */
export function unknownKey(path: string): { path: string; nearest: string } | undefined {
  const parts = path.split('.');
  let node: KeyNode = CONFIG_KEYS;
  for (let i = 0; i < parts.length; i++) {
    if (node === 'passthrough') return undefined;
    const at = parts.slice(0, i + 1).join('.');
    if (node === 'leaf') return { path: at, nearest: parts.slice(0, i).join('.') };
    const known: string[] = Object.keys(node).filter((k) => k !== '*');
    if (Object.hasOwn(node, parts[i])) node = node[parts[i]];
    else if (Object.hasOwn(node, '*') && parts[i] !== '') node = node['*'];
    else {
      const base = parts.slice(0, i);
      const pick = nearest(parts[i], known.length > 0 ? known : ['<name>']);
      return { path: at, nearest: FILE_SPELLING[at] ?? [...base, pick].join('.') };
    }
  }
  return undefined;
}

/**
 * Every unknown key in a configuration mapping (deepest known level first found), as dotted paths.
 *
 * @example
 * ```ts
 * unknownKeys({ consensus: { voting_timeout: 5, quorum: 3 }, memory: {} }).map((u) => u.path); // ['consensus.quorum', 'memory']
 * ```
 */
export function unknownKeys(value: unknown, node: KeyNode = CONFIG_KEYS, prefix = ''): { path: string; nearest: string }[] {
  if (node === 'leaf' || node === 'passthrough' || !isMapping(value)) return [];
  const out: { path: string; nearest: string }[] = [];
  for (const [k, v] of Object.entries(value)) {
    const at = prefix === '' ? k : `${prefix}.${k}`;
    const child = Object.hasOwn(node, k) ? node[k] : node['*'];
    if (child === undefined) out.push(unknownKey(at) ?? { path: at, nearest: prefix });
    else out.push(...unknownKeys(v, child, at));
  }
  return out;
}

/**
 * Throws the ConfigError `config set` and `config merge` give for an unknown key: its path, the
 * nearest known key, the file it was found in (`source`) and the file that was not written.
 *
 * @example
 * ```ts
 * refuseUnknownConfigKeys({ consensus: { quorum: 3 } }, 'conclave.config.yml'); // throws at "consensus.quorum"
 * ```
 */
export function refuseUnknownConfigKeys(value: unknown, file: string, source?: string): void {
  const [first] = unknownKeys(value);
  if (first === undefined) return;
  const found = first.path.split('.').reduce<unknown>((node, k) => (isMapping(node) ? node[k] : undefined), value);
  throw new ConfigError(
    first.path,
    `a setting Conclave knows${source ? ` in ${source}` : ''}: the nearest is "${first.nearest}" (conclave config show --resolved lists what a run uses); ${file} was not written`,
    found,
  );
}

/** The known key closest to `key` (edit distance, ties to the first). */
function nearest(key: string, known: readonly string[]): string {
  let best = known[0];
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
