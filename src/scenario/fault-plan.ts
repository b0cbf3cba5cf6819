import type { ActorId } from '../actors/envelope.ts';
import { ConfigError } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';
import { parseDuration } from './duration.ts';
import { validateLatency, type LatencyDistribution } from '../scheduler/link-model.ts';

/**
 * The faults of a scenario's `faults:` section other than Byzantine behaviours (those wrap
 * behaviours: see `byzantinePlan`), read and checked into plain data the scheduler lays on a
 * simulation's virtual clock. Times are ms from the start of the run.
 *
 * Targets are names resolved when the fault fires: `leader` / `primary` (the protocol's leader
 * at that moment), `random` (a seeded choice among the members still running), an agent id, or
 * a role (every agent of that role).
 *
 * @example
 * ```ts
 * const plan = parseFaultPlan({ crash: [{ target: 'leader', at: '1s', duration: '500ms' }], network: [{ at: 0, drop_rate: 0.05 }] });
 * plan.crashes[0]; // { target: 'leader', atMs: 1000, durationMs: 500, wipe: false }
 * ```
 */
export interface FaultPlan {
  readonly crashes: readonly CrashFault[];
  readonly partitions: readonly PartitionFault[];
  readonly network: readonly NetworkFault[];
  readonly pauses: readonly PauseFault[];
  readonly skews: readonly SkewFault[];
  readonly cascade: CascadeFault | undefined;
}

/**
 * Crash-stop (no `durationMs`) or crash-recover; `wipe` loses the durable state on recovery.
 *
 * @example
 * ```ts
 * const c: CrashFault = { target: 'random', atMs: 300, durationMs: 200, wipe: false };
 * ```
 */
export interface CrashFault {
  readonly target: string;
  readonly atMs: number;
  readonly durationMs: number | undefined;
  readonly wipe: boolean;
}

/**
 * A partition for `durationMs`. `split`: the leader and `ratio` of the members on one side, the
 * rest (and the client or coordinator) on the other; `bridge`: the same two sides plus one member
 * that reaches both; `ring`: every member reaches only its nearest members in ring order, each
 * seeing a majority but no two the same one. `one_way` cuts only the leader side's sends
 * (it still hears the other side).
 *
 * @example
 * ```ts
 * const p: PartitionFault = { atMs: 2500, durationMs: 600, ratio: 0.4, direction: 'one_way', shape: 'split' };
 * ```
 */
export interface PartitionFault {
  readonly atMs: number;
  readonly durationMs: number;
  readonly ratio: number;
  readonly direction: 'both' | 'one_way';
  readonly shape: 'split' | 'bridge' | 'ring';
  /**
   * Which side the run's driver (a client, a coordinator) is on: `majority` (default) or
   * `minority`, with the leader of the moment (a client cut off from the quorum).
   */
  readonly client: 'majority' | 'minority';
  /**
   * A partition between hosts instead (`hosts: [[0], [1, 2]]`): every actor on the hosts of one
   * group, the run's driver included, cannot reach those of another (threads mode, or across node
   * processes with --nats: host i is worker or node i).
   */
  readonly hosts?: readonly (readonly number[])[];
}

/**
 * Network conditions on some links for a while (all links, for the rest of the run, by
 * default): a latency distribution, loss, duplication, reordering.
 *
 * @example
 * ```ts
 * const n: NetworkFault = { atMs: 0, durationMs: 1000, to: ['node_002'], latency: { kind: 'fixed', ms: 40 }, dropRate: 0.1 };
 * ```
 */
export interface NetworkFault {
  readonly atMs: number;
  readonly durationMs: number | undefined;
  /** Targets (as for crashes, resolved when the fault starts) whose sends it slows; all when absent. */
  readonly from?: readonly string[];
  readonly to?: readonly string[];
  readonly latency?: LatencyDistribution;
  readonly dropRate?: number;
  readonly duplicateRate?: number;
  readonly reorder?: boolean;
}

/**
 * A slow node: nothing reaches it and its timers wait for `durationMs`; then it catches up.
 *
 * @example
 * ```ts
 * const p: PauseFault = { target: 'leader', atMs: 400, durationMs: 300 };
 * ```
 */
export interface PauseFault {
  readonly target: string;
  readonly atMs: number;
  readonly durationMs: number;
}

/**
 * A skewed clock: the target's timers run `rate` times as fast (0.5: half as fast) from `atMs`,
 * for `durationMs` (the rest of the run by default).
 *
 * @example
 * ```ts
 * const s: SkewFault = { target: 'node_003', rate: 3, atMs: 0, durationMs: undefined };
 * ```
 */
export interface SkewFault {
  readonly target: string;
  readonly rate: number;
  readonly atMs: number;
  readonly durationMs: number | undefined;
}

/**
 * Cascading failures: at `atMs` each member fails with `initialFailureRate`; every failure
 * spreads, `hopMs` later, to each neighbour in the current topology with probability
 * `propagation`; a failed member recovers after `recoveryMs` (never, when absent). Each member
 * fails at most once per cascade; every random draw is seeded.
 *
 * @example
 * ```ts
 * const c: CascadeFault = { atMs: 500, initialFailureRate: 0.2, propagation: 0.3, recoveryMs: 400, hopMs: 50 };
 * ```
 */
export interface CascadeFault {
  readonly atMs: number;
  readonly initialFailureRate: number;
  readonly propagation: number;
  readonly recoveryMs: number | undefined;
  readonly hopMs: number;
}

/**
 * The fault kinds a scenario can name, each with what it takes.
 *
 * @example
 * ```ts
 * Object.keys(FAULT_KINDS); // ['byzantine', 'crash', 'partition', 'network', 'pause', 'clock_skew', 'cascade']
 * ```
 */
export const FAULT_KINDS: Readonly<Record<string, string>> = Object.freeze({
  byzantine: '{ count | failure_rate | target, types }',
  crash: 'a list of { target, at, duration?, wipe? }',
  partition: 'a list of { at, duration?, split_ratio?, direction?: both | one_way, shape?: split | bridge | ring } or { at, duration?, hosts: [[0], [1, 2]] }',
  network: 'a list of { at?, duration?, from?, to?, delay?, drop_rate?, duplicate_rate?, reorder? }',
  pause: 'a list of { target, at, duration }',
  clock_skew: 'a list of { target, rate, at?, duration? }',
  cascade: '{ at?, initial_failure_rate, failure_propagation, recovery_time?, hop_delay? }',
});

/**
 * How a protocol reads the `faults:` section: the share of members a partition puts on the
 * leader's side when the scenario does not say, and the target of a fault that names none.
 *
 * @example
 * ```ts
 * const raft: FaultPlanDefaults = { splitRatio: 0.4, defaultTarget: 'leader' };
 * ```
 */
export interface FaultPlanDefaults {
  readonly splitRatio?: number;
  readonly defaultTarget?: string;
}

/**
 * Reads a scenario's `faults:` section (everything but `byzantine`, which `byzantinePlan`
 * reads). Refuses an unknown key (with a
 * did-you-mean) and every bad value, naming the field: `faults.partition[1].shape`.
 *
 * @example
 * ```ts
 * parseFaultPlan({ partition: [{ at: '2s', shape: 'ring' }] }, { splitRatio: 0.4 });
 * ```
 */
export function parseFaultPlan(faults: Record<string, unknown> | undefined, o: FaultPlanDefaults = {}): FaultPlan {
  const f = faults ?? {};
  for (const key of Object.keys(f)) {
    if (!(key in FAULT_KINDS)) throw unknownKey('faults', key, Object.keys(FAULT_KINDS), f[key]);
  }
  const target = (e: Entry, path: string): string => {
    const t = e.target ?? o.defaultTarget;
    if (typeof t !== 'string' || t === '') throw new ConfigError(`${path}.target`, 'leader, primary, random, an agent id or a role', t);
    return t;
  };
  const crashes = entries(f, 'crash', ['target', 'at', 'duration', 'wipe']).map(([e, p]) => ({
    target: target(e, p),
    atMs: parseDuration(e.at, `${p}.at`),
    durationMs: optionalDuration(e.duration, `${p}.duration`),
    wipe: bool(e.wipe, `${p}.wipe`) ?? false,
  }));
  const partitions = entries(f, 'partition', ['at', 'duration', 'split_ratio', 'direction', 'shape', 'client', 'hosts']).map(([e, p]) => {
    if (e.hosts !== undefined) return hostPartition(e, p);
    const ratio = e.split_ratio ?? o.splitRatio ?? 0.4;
    if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1))
      throw new ConfigError(`${p}.split_ratio`, "a number between 0 and 1 (the share of members on the leader's side)", ratio);
    const direction = choice(e.direction, ['both', 'one_way'] as const, `${p}.direction`) ?? 'both';
    const shape = choice(e.shape, ['split', 'bridge', 'ring'] as const, `${p}.shape`) ?? 'split';
    if (shape === 'ring' && direction === 'one_way') throw new ConfigError(`${p}.direction`, 'both (a ring partition cuts links both ways)', direction);
    const client = choice(e.client, ['majority', 'minority'] as const, `${p}.client`) ?? 'majority';
    if (shape === 'ring' && client === 'minority')
      throw new ConfigError(`${p}.client`, 'majority (a ring partition has no minority side: each member reaches a majority)', client);
    return { atMs: parseDuration(e.at, `${p}.at`), durationMs: parseDuration(e.duration ?? '1s', `${p}.duration`), ratio, direction, shape, client };
  });
  const network = entries(f, 'network', ['at', 'duration', 'from', 'to', 'delay', 'drop_rate', 'duplicate_rate', 'reorder']).map(([e, p]) => {
    const n: NetworkFault = {
      atMs: e.at === undefined ? 0 : parseDuration(e.at, `${p}.at`),
      durationMs: optionalDuration(e.duration, `${p}.duration`),
      ...(e.from !== undefined ? { from: names(e.from, `${p}.from`) } : {}),
      ...(e.to !== undefined ? { to: names(e.to, `${p}.to`) } : {}),
      ...(e.delay !== undefined ? { latency: delay(e.delay, `${p}.delay`) } : {}),
      ...(e.drop_rate !== undefined ? { dropRate: probability(e.drop_rate, `${p}.drop_rate`) } : {}),
      ...(e.duplicate_rate !== undefined ? { duplicateRate: probability(e.duplicate_rate, `${p}.duplicate_rate`) } : {}),
      ...(e.reorder !== undefined ? { reorder: bool(e.reorder, `${p}.reorder`) } : {}),
    };
    if (n.latency === undefined && n.dropRate === undefined && n.duplicateRate === undefined && n.reorder === undefined) {
      throw new ConfigError(p, 'at least one of delay, drop_rate, duplicate_rate, reorder (what the network does)', e);
    }
    return n;
  });
  const pauses = entries(f, 'pause', ['target', 'at', 'duration']).map(([e, p]) => ({
    target: target(e, p),
    atMs: parseDuration(e.at, `${p}.at`),
    durationMs: positiveDuration(e.duration, `${p}.duration`),
  }));
  const skews = entries(f, 'clock_skew', ['target', 'rate', 'at', 'duration']).map(([e, p]) => {
    if (typeof e.rate !== 'number' || !(e.rate > 0 && e.rate <= 100))
      throw new ConfigError(`${p}.rate`, 'a number in (0, 100]: how fast the clock runs (2 = twice as fast, 0.5 = half)', e.rate);
    return {
      target: target(e, p),
      rate: e.rate,
      atMs: e.at === undefined ? 0 : parseDuration(e.at, `${p}.at`),
      durationMs: optionalDuration(e.duration, `${p}.duration`),
    };
  });
  return { crashes, partitions, network, pauses, skews, cascade: cascade(f.cascade) };
}

type Entry = Record<string, unknown>;

/** `partition: [{ at, duration?, hosts: [[0], [1, 2]] }]`: between hosts, the member-side keys refused beside it. */
function hostPartition(e: Entry, p: string): PartitionFault {
  for (const k of ['split_ratio', 'direction', 'shape', 'client'])
    if (e[k] !== undefined)
      throw new ConfigError(`${p}.${k}`, `no ${k} beside hosts (a partition between hosts puts every actor on a host in its group)`, e[k]);
  const hosts = e.hosts;
  const group = (g: unknown) => Array.isArray(g) && g.length > 0 && g.every((h) => Number.isInteger(h) && (h as number) >= 0 && (h as number) < 256);
  if (!Array.isArray(hosts) || hosts.length < 2 || !hosts.every(group))
    throw new ConfigError(`${p}.hosts`, 'two or more non-empty lists of host indexes (0 to 255), e.g. [[0], [1, 2]]', hosts);
  const seen = new Set<number>();
  for (const h of (hosts as number[][]).flat()) {
    if (seen.has(h)) throw new ConfigError(`${p}.hosts`, `each host in one group only (host ${h} is in two)`, hosts);
    seen.add(h);
  }
  return {
    atMs: parseDuration(e.at, `${p}.at`),
    durationMs: parseDuration(e.duration ?? '1s', `${p}.duration`),
    ratio: 0,
    direction: 'both',
    shape: 'split',
    client: 'majority',
    hosts: hosts as number[][],
  };
}

/** The entries of list `faults.<key>`, each checked to be a mapping with only `keys`. */
function entries(f: Record<string, unknown>, key: string, keys: readonly string[]): [Entry, string][] {
  const v = f[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError(`faults.${key}`, FAULT_KINDS[key], v);
  return v.map((e, i) => [mapping(e, `faults.${key}[${i}]`, keys, FAULT_KINDS[key].replace(/^a list of /, '')), `faults.${key}[${i}]`]);
}

function mapping(e: unknown, path: string, keys: readonly string[], shape: string): Entry {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ConfigError(path, shape, e);
  for (const k of Object.keys(e)) if (!keys.includes(k)) throw unknownKey(path, k, keys, (e as Entry)[k]);
  return e as Entry;
}

function unknownKey(path: string, key: string, known: readonly string[], got: unknown): ConfigError {
  const near = didYouMean(key, known);
  return new ConfigError(`${path}.${key}`, `${near ? `${near} (did you mean it?), or ` : ''}one of ${known.join(', ')}`, got);
}

function cascade(raw: unknown): CascadeFault | undefined {
  if (raw === undefined) return undefined;
  const p = 'faults.cascade';
  const e = mapping(raw, p, ['at', 'initial_failure_rate', 'failure_propagation', 'recovery_time', 'hop_delay'], FAULT_KINDS.cascade);
  return {
    atMs: e.at === undefined ? 0 : parseDuration(e.at, `${p}.at`),
    initialFailureRate: probability(e.initial_failure_rate, `${p}.initial_failure_rate`),
    propagation: probability(e.failure_propagation ?? 0, `${p}.failure_propagation`),
    recoveryMs: optionalDuration(e.recovery_time, `${p}.recovery_time`),
    hopMs: e.hop_delay === undefined ? 50 : positiveDuration(e.hop_delay, `${p}.hop_delay`),
  };
}

/** `delay: 20ms` (fixed), or `{ distribution: uniform | exponential | normal | fixed, min, max, mean, sd }` in durations. */
function delay(raw: unknown, path: string): LatencyDistribution {
  if (typeof raw === 'number' || typeof raw === 'string') return { kind: 'fixed', ms: parseDuration(raw, path) };
  const e = mapping(
    raw,
    path,
    ['distribution', 'min', 'max', 'mean', 'sd', 'ms'],
    '20ms, or { distribution: uniform | exponential | normal | fixed, min, max, mean, sd }',
  );
  const d = (k: string) => (e[k] === undefined ? undefined : parseDuration(e[k], `${path}.${k}`));
  const kind = choice(e.distribution, ['fixed', 'uniform', 'exponential', 'normal'] as const, `${path}.distribution`) ?? 'uniform';
  const shaped =
    kind === 'fixed'
      ? { kind, ms: d('ms') ?? d('mean') }
      : kind === 'uniform'
        ? { kind, minMs: d('min') ?? 0, maxMs: d('max') }
        : kind === 'exponential'
          ? { kind, meanMs: d('mean'), minMs: d('min') }
          : { kind, meanMs: d('mean'), sdMs: d('sd'), minMs: d('min') };
  // The link model's own check names the missing field; map its camelCase names to the YAML's.
  try {
    return validateLatency(Object.fromEntries(Object.entries(shaped).filter(([, v]) => v !== undefined)), path);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const field = err.path.slice(path.length + 1).replace(/Ms$/, '') || 'distribution';
    throw new ConfigError(
      `${path}.${field}`,
      `a duration (${kind} delays take ${kind === 'fixed' ? 'ms' : kind === 'uniform' ? 'min and max' : kind === 'exponential' ? 'mean (and min)' : 'mean and sd (and min)'})`,
      e[field],
    );
  }
}

function names(raw: unknown, path: string): string[] {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== ''))
    throw new ConfigError(path, 'a target (leader, primary, an agent id, a role) or a list of them', raw);
  return list as ActorId[];
}

function optionalDuration(v: unknown, path: string): number | undefined {
  return v === undefined ? undefined : positiveDuration(v, path);
}

function positiveDuration(v: unknown, path: string): number {
  const ms = parseDuration(v, path);
  if (!(ms > 0)) throw new ConfigError(path, 'a duration > 0', v);
  return ms;
}

function probability(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ConfigError(path, 'a probability in [0, 1]', v);
  return v;
}

function bool(v: unknown, path: string): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') throw new ConfigError(path, 'true or false', v);
  return v as boolean | undefined;
}

function choice<T extends string>(v: unknown, options: readonly T[], path: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    const near = typeof v === 'string' ? didYouMean(v, options) : undefined;
    throw new ConfigError(path, `${near ? `${near} (did you mean it?), or ` : ''}one of ${options.join(', ')}`, v);
  }
  return v as T;
}
