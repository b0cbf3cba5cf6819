import { ConfigError } from '../errors.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';
import { createPrng } from '../scheduler/prng.ts';

/**
 * The faults laid on every run of a bench (`--faults byzantine:0.2,crash:1,delay:5-50`).
 * Byzantine agents lie with the adversary's default behaviour (`false_information`: they vote,
 * or vouch, for what is not so); crashes (crash-recover), partitions and pauses strike random
 * members at times drawn from each run's seed; network effects hold for the whole run.
 *
 * @example
 * ```ts
 * const faults: BenchFaults = { byzantine: { failureRate: 0.2 }, crashes: 1, partitions: 0, pauses: 0 };
 * ```
 */
export interface BenchFaults {
  /** How many agents lie: a count, or a share of the agents (rounded). */
  readonly byzantine?: { readonly count: number } | { readonly failureRate: number };
  /** Crash-recover faults per run, each of a random member. */
  readonly crashes: number;
  /** Partitions per run, each cutting 40 % of the members off. */
  readonly partitions: number;
  /** Pauses (a slow member: nothing reaches it for a while) per run. */
  readonly pauses: number;
  readonly network?: {
    readonly delay?: { readonly minMs: number; readonly maxMs: number };
    readonly dropRate?: number;
    readonly duplicateRate?: number;
    readonly reorder?: boolean;
  };
}

/**
 * No faults at all.
 *
 * @example
 * ```ts
 * faultsYaml(NO_FAULTS, 1); // []
 * ```
 */
export const NO_FAULTS: BenchFaults = Object.freeze({ crashes: 0, partitions: 0, pauses: 0 });

const KINDS = ['byzantine', 'crash', 'partition', 'pause', 'delay', 'drop', 'duplicate', 'reorder'] as const;

/**
 * Reads a `--faults` list: `byzantine[:K | :SHARE]`, `crash[:K]`, `partition[:K]`, `pause[:K]`,
 * `delay[:MIN-MAX]` (ms, uniform; default 5-50), `drop[:RATE]`, `duplicate[:RATE]` (default
 * 0.05) and `reorder`. Each kind at most once; errors name the entry (`--faults[1]`).
 *
 * @example
 * ```ts
 * parseBenchFaults('byzantine:0.2,crash:1'); // { byzantine: { failureRate: 0.2 }, crashes: 1, partitions: 0, pauses: 0 }
 * parseBenchFaults('delay:5-50,drop:0.05').network; // { delay: { minMs: 5, maxMs: 50 }, dropRate: 0.05 }
 * ```
 */
export function parseBenchFaults(spec: string, path = '--faults'): BenchFaults {
  const faults: { -readonly [K in keyof BenchFaults]: BenchFaults[K] } = { crashes: 0, partitions: 0, pauses: 0 };
  const network: { -readonly [K in keyof NonNullable<BenchFaults['network']>]: NonNullable<BenchFaults['network']>[K] } = {};
  const seen = new Set<string>();
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError(path, `a comma-separated list of ${KINDS.join(', ')} (each with an optional :value)`, spec);
  entries.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const [kind, value, ...rest] = entry.split(':');
    if (!(KINDS as readonly string[]).includes(kind)) {
      const near = didYouMean(kind, KINDS);
      throw new ConfigError(at, `${near ? `${near} (did you mean it?), or ` : ''}one of ${KINDS.join(', ')}`, entry);
    }
    if (seen.has(kind)) throw new ConfigError(at, `each fault kind once (${kind} is given twice)`, entry);
    seen.add(kind);
    if (rest.length > 0) throw new ConfigError(at, `${kind}:VALUE with one value`, entry);
    switch (kind) {
      case 'byzantine': {
        const x = value === undefined ? 1 : Number(value);
        if (Number.isInteger(x) && x >= 1) faults.byzantine = { count: x };
        else if (x > 0 && x < 1) faults.byzantine = { failureRate: x };
        else throw new ConfigError(at, 'byzantine:K (a count of liars >= 1) or byzantine:SHARE (a share of the agents in (0, 1), e.g. 0.2)', entry);
        break;
      }
      case 'crash':
        faults.crashes = count(value, at, entry);
        break;
      case 'partition':
        faults.partitions = count(value, at, entry);
        break;
      case 'pause':
        faults.pauses = count(value, at, entry);
        break;
      case 'delay': {
        const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value ?? '5-50');
        const [minMs, maxMs] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
        if (!(minMs <= maxMs)) throw new ConfigError(at, 'delay:MIN-MAX in ms with MIN <= MAX (e.g. delay:5-50), or delay:MS', entry);
        network.delay = { minMs, maxMs };
        break;
      }
      case 'drop':
        network.dropRate = rate(value, at, entry);
        break;
      case 'duplicate':
        network.duplicateRate = rate(value, at, entry);
        break;
      default:
        if (value !== undefined) throw new ConfigError(at, 'reorder (it takes no value)', entry);
        network.reorder = true;
    }
  });
  if (Object.keys(network).length > 0) faults.network = network;
  return faults;
}

function count(value: string | undefined, at: string, entry: string): number {
  const k = value === undefined ? 1 : Number(value);
  if (!(Number.isInteger(k) && k >= 1 && k <= 10)) throw new ConfigError(at, 'KIND:K with K an integer from 1 to 10 (faults per run)', entry);
  return k;
}

function rate(value: string | undefined, at: string, entry: string): number {
  const p = value === undefined ? 0.05 : Number(value);
  if (!(p > 0 && p < 1)) throw new ConfigError(at, 'KIND:RATE with RATE in (0, 1), e.g. 0.05', entry);
  return p;
}

/**
 * The liars among `n` agents: the count, or the share rounded (as the scenario's
 * `failure_rate` is read).
 *
 * @example
 * ```ts
 * liarsAmong({ ...NO_FAULTS, byzantine: { failureRate: 0.2 } }, 9); // 2
 * ```
 */
export function liarsAmong(faults: BenchFaults, n: number): number {
  const b = faults.byzantine;
  if (b === undefined) return 0;
  return 'count' in b ? b.count : Math.round(b.failureRate * n);
}

/**
 * The `faults:` section of one run's scenario, as YAML lines (none without faults). Times are
 * drawn from the run's seed, so iteration i strikes at the same moments for every algorithm
 * and size (a paired comparison), and differently from one iteration to the next.
 *
 * @example
 * ```ts
 * faultsYaml(parseBenchFaults('crash:1'), 7); // ['faults:', '  crash: [{ target: random, at: 113ms, duration: 115ms }]']
 * ```
 */
export function faultsYaml(faults: BenchFaults, seed: number): string[] {
  const rnd = createPrng(seed, '$bench-faults');
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const lines: string[] = [];
  const b = faults.byzantine;
  if (b !== undefined) lines.push(`  byzantine: { ${'count' in b ? `count: ${b.count}` : `failure_rate: ${b.failureRate}`} }`);
  const times = (k: number, lo: number, hi: number, extra: string) =>
    Array.from({ length: k }, () => `{ ${extra}at: ${int(50, 400)}ms, duration: ${int(lo, hi)}ms }`).join(', ');
  if (faults.crashes > 0) lines.push(`  crash: [${times(faults.crashes, 100, 400, 'target: random, ')}]`);
  if (faults.partitions > 0) lines.push(`  partition: [${times(faults.partitions, 100, 400, 'split_ratio: 0.4, ')}]`);
  if (faults.pauses > 0) lines.push(`  pause: [${times(faults.pauses, 50, 300, 'target: random, ')}]`);
  const n = faults.network;
  if (n !== undefined) {
    const effects = [
      ...(n.delay ? [`delay: { distribution: uniform, min: ${n.delay.minMs}ms, max: ${n.delay.maxMs}ms }`] : []),
      ...(n.dropRate !== undefined ? [`drop_rate: ${n.dropRate}`] : []),
      ...(n.duplicateRate !== undefined ? [`duplicate_rate: ${n.duplicateRate}`] : []),
      ...(n.reorder ? ['reorder: true'] : []),
    ];
    lines.push(`  network: [{ at: 0ms, ${effects.join(', ')} }]`);
  }
  return lines.length > 0 ? ['faults:', ...lines] : [];
}
