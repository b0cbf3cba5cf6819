import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { ConfigError } from '../errors.ts';
import { parseScenario, tryParseDuration } from '../scenario/index.ts';
import { runScenario } from '../swarm/run-scenario.ts';
import { family } from './schedule.ts';

/**
 * How hard to look for a smaller failing scenario, and who hears of each attempt.
 *
 * @example
 * ```ts
 * const o: ShrinkOptions = { maxAttempts: 100, timeBudgetMs: 30_000, fileName: 'stress-pbft-7.shrunk.yml', onProgress: (p) => console.error(p.attempt, p.size) };
 * ```
 */
export interface ShrinkOptions {
  /** The seed every run uses; default the scenario's `seed` (else 1). Written into the output. */
  readonly seed?: number;
  /** The safety property that must still be violated; default the first the original run violates. */
  readonly property?: string;
  /** Candidate runs at most (the original run is not counted); default 200. */
  readonly maxAttempts?: number;
  /**
   * Wall-clock budget in ms, checked before each attempt; default 60 000. A safety net: two
   * shrinks of one input give the same output unless one of them ran out of time.
   */
  readonly timeBudgetMs?: number;
  /** The file name the header's replay command names; default `shrunk.yml`. */
  readonly fileName?: string;
  /** Called after each attempt, with the size of the scenario kept so far. */
  readonly onProgress?: (p: { attempt: number; change: string; kept: boolean; size: ScenarioSize }) => void;
}

/**
 * What a scenario's size is measured in: the entries of its `faults:` section (each list
 * entry, and each kind that is not a list), the decisions and the decisions in flight of its
 * task, and its agents.
 *
 * @example
 * ```ts
 * const s: ScenarioSize = { faultEntries: 1, decisions: 1, inFlight: 1, agents: 4 };
 * ```
 */
export interface ScenarioSize {
  readonly faultEntries: number;
  readonly decisions: number;
  readonly inFlight: number;
  readonly agents: number;
}

/**
 * One candidate tried: the change (a field path and what happened to it), whether the
 * scenario with it still failed the same way (then it was kept), and if not, why not.
 *
 * @example
 * ```ts
 * const step: ShrinkStep = { change: 'drop faults.crash', kept: true };
 * ```
 */
export interface ShrinkStep {
  readonly change: string;
  readonly kept: boolean;
  /** For a rejected candidate: no violation, only other violations, or the error it raised. */
  readonly reason?: string;
}

/**
 * What shrinking found. `failing: false` (and `property: null`) when the original run violates
 * no safety property (or not `property`): there is nothing to shrink and `shrunk` is the original.
 *
 * @example
 * ```ts
 * const r = await shrinkScenario(yaml);
 * if (r.failing) writeFileSync('shrunk.yml', r.shrunk);
 * ```
 */
export interface ShrinkResult {
  readonly original: string;
  /** The smallest failing scenario found, as YAML, headed by a comment saying what it reproduces and how. */
  readonly shrunk: string;
  readonly steps: readonly ShrinkStep[];
  /** Candidate runs made (candidates already tried on an identical scenario are not run again). */
  readonly attempts: number;
  readonly property: string | null;
  readonly failing: boolean;
  readonly seed: number;
  readonly size: { readonly before: ScenarioSize; readonly after: ScenarioSize };
  /** Why it stopped: no candidate helped any more, or a bound was reached. */
  readonly stopped: 'minimal' | 'max-attempts' | 'time-budget' | 'not-failing';
  readonly ms: number;
}

/** A scenario one change away from the current one. */
interface Candidate {
  readonly change: string;
  readonly doc: Document;
}

type Path = (string | number)[];

/**
 * Keys of a fault entry whose absence means less harm (a network entry without its drop rate
 * drops nothing; a crash without `wipe` keeps its state). Other keys are not dropped: without
 * `duration` a crash never recovers, without `from` a slow link becomes every link.
 */
const HARM_KEYS: readonly string[] = ['delay', 'drop_rate', 'duplicate_rate', 'reorder', 'wipe'];

/** How `toString` prints: never fold a line (a flow mapping stays on one line, as written). */
const PRINT = { lineWidth: 0 } as const;

/**
 * Shrinks a failing scenario: greedily applies the first change that keeps a safety violation
 * of the same property (each candidate run in sim mode with the same seed), restarting from the
 * first kind of change after each success, until no change helps or a bound is reached.
 * Candidates, most removed first: drop a whole kind under `faults`; drop one entry of a list
 * under `faults`; lower a fault's `count` / `failure_rate`, drop one of its harms (a network
 * entry's `drop_rate`, `reorder`, ...: see HARM_KEYS) or one item of a list inside it (`types`,
 * `target`, `from`, ...); halve, then decrement, `task.decisions` and
 * `task.in_flight`; lower an agent group's `count` (never below what the protocol needs, and
 * keeping more agents than liars); move a fault's `at` earlier and shorten its `duration`.
 * It works on the YAML document, not on fault kinds it knows, so new kinds shrink too, and it
 * keeps the document's comments. A scenario that does not parse (or cannot run) throws what
 * `conclave run` would; a candidate that does not parse, or errors, is rejected.
 *
 * @example
 * ```ts
 * const r = await shrinkScenario(outcome.scenario, { seed: outcome.seed, maxAttempts: 100 });
 * console.log(r.shrunk); // # Shrunk from "stress-pbft-4" ... # Replay: conclave run shrunk.yml
 * ```
 */
export async function shrinkScenario(original: string, o: ShrinkOptions = {}): Promise<ShrinkResult> {
  const maxAttempts = o.maxAttempts ?? 200;
  const budget = o.timeBudgetMs ?? 60_000;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0) throw new ConfigError('maxAttempts', 'an integer >= 0 (candidate runs at most)', maxAttempts);
  if (!(budget > 0)) throw new ConfigError('timeBudgetMs', 'a number of ms > 0', budget);
  const started = performance.now();
  const scenario = parseScenario(original);
  const seed = o.seed ?? scenario.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError('seed', 'an integer >= 0', seed);
  const algorithm = scenario.consensus.algorithm;
  const first = await runScenario(scenario, { seed, mode: 'sim' });
  const property = o.property ?? first.safetyViolations[0]?.property;
  let doc: Document = parseDocument(original);
  const before = sizeOf(doc);
  if (property === undefined || !first.safetyViolations.some((v) => v.property === property)) {
    return {
      original,
      shrunk: original,
      steps: [],
      attempts: 0,
      property: null,
      failing: false,
      seed,
      size: { before, after: before },
      stopped: 'not-failing',
      ms: Math.round(performance.now() - started),
    };
  }
  const steps: ShrinkStep[] = [];
  // Rejected scenarios, as printed: after a success the same candidate often comes up again.
  const rejected = new Set<string>();
  let stopped: ShrinkResult['stopped'] = 'minimal';
  search: for (;;) {
    for (const c of candidates(doc, algorithm)) {
      const yaml = c.doc.toString(PRINT);
      if (rejected.has(yaml)) continue;
      if (steps.length >= maxAttempts) {
        stopped = 'max-attempts';
        break search;
      }
      if (performance.now() - started >= budget) {
        stopped = 'time-budget';
        break search;
      }
      const reason = await stillFails(yaml, seed, property);
      steps.push(reason === undefined ? { change: c.change, kept: true } : { change: c.change, kept: false, reason });
      if (reason === undefined) doc = c.doc;
      else rejected.add(yaml);
      o.onProgress?.({ attempt: steps.length, change: c.change, kept: reason === undefined, size: sizeOf(doc) });
      if (reason === undefined) continue search;
    }
    break;
  }
  const after = sizeOf(doc);
  if (doc.get('seed') !== seed) doc.set('seed', seed);
  const name = String(doc.get('name'));
  const kept = steps.filter((s) => s.kept).length;
  doc.commentBefore = [
    ` Shrunk from "${name}" (seed ${seed}): still a safety violation of ${property}, in sim mode.`,
    ` ${kept} of ${steps.length} tried changes kept (${stopped}); fault entries ${before.faultEntries} -> ${after.faultEntries}, decisions ${before.decisions} -> ${after.decisions}, agents ${before.agents} -> ${after.agents}.`,
    ` Replay: conclave run ${o.fileName ?? 'shrunk.yml'}${scenario.mode === 'threads' ? ' --mode sim' : ''}`,
  ].join('\n');
  return {
    original,
    shrunk: doc.toString(PRINT),
    steps,
    attempts: steps.length,
    property,
    failing: true,
    seed,
    size: { before, after },
    stopped,
    ms: Math.round(performance.now() - started),
  };
}

/** Undefined when `yaml`, run, still violates `property`; else why the candidate is rejected. */
async function stillFails(yaml: string, seed: number, property: string): Promise<string | undefined> {
  try {
    const r = await runScenario(parseScenario(yaml), { seed, mode: 'sim' });
    if (r.safetyViolations.some((v) => v.property === property)) return undefined;
    return r.safetyViolations.length === 0 ? 'no violation' : `only other violations (${[...new Set(r.safetyViolations.map((v) => v.property))].join(', ')})`;
  } catch (e) {
    // A change can leave the scenario invalid (a target that no longer exists): not the same bug.
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** The candidates one change away from `doc`, most removed first (see `shrinkScenario`). */
function* candidates(doc: Document, algorithm: string): Generator<Candidate> {
  const edit = (change: string, apply: (d: Document) => void): Candidate => {
    const d = doc.clone();
    apply(d);
    return { change, doc: d };
  };
  const faults = doc.get('faults', true);
  const kinds = isMap(faults) ? faults.items.map((p) => keyOf(p.key)) : [];
  for (const kind of kinds) yield edit(`drop faults.${kind}`, (d) => (kinds.length === 1 ? d.delete('faults') : d.deleteIn(['faults', kind])));
  for (const kind of kinds) {
    const list = doc.getIn(['faults', kind], true);
    if (!isSeq(list) || list.items.length < 2) continue;
    for (let i = 0; i < list.items.length; i++) yield edit(`drop faults.${kind}[${i}]`, (d) => d.deleteIn(['faults', kind, i]));
  }
  const agents = totalAgents(doc);
  for (const { path, entry } of faultEntries(doc)) {
    const count = entry.get('count');
    if (typeof count === 'number')
      for (const n of lowerings(count, 0)) yield edit(`${label([...path, 'count'])}: ${count} -> ${n}`, (d) => d.setIn([...path, 'count'], n));
    const rate = entry.get('failure_rate');
    const liars = typeof rate === 'number' ? Math.round(rate * agents) : 0;
    if (liars > 0) {
      const lower = Math.round(((liars - 1) / agents) * 1e4) / 1e4;
      yield edit(`${label([...path, 'failure_rate'])}: ${rate} -> ${lower}`, (d) => d.setIn([...path, 'failure_rate'], lower));
    }
    const harms = entry.items.map((p) => keyOf(p.key)).filter((k) => HARM_KEYS.includes(k));
    for (const k of harms) {
      // A network entry keeps one effect (one that does nothing is invalid: dropping the entry is the candidate for that).
      if (k === 'wipe' || harms.filter((h) => h !== 'wipe').length > 1) yield edit(`drop ${label([...path, k])}`, (d) => d.deleteIn([...path, k]));
    }
    for (const pair of entry.items) {
      if (!isSeq(pair.value) || pair.value.items.length < 2) continue;
      const at = [...path, keyOf(pair.key)];
      for (let j = 0; j < pair.value.items.length; j++) yield edit(`drop ${label([...at, j])}`, (d) => d.deleteIn([...at, j]));
    }
  }
  for (const field of ['decisions', 'in_flight']) {
    const n = doc.getIn(['task', field]);
    if (typeof n === 'number') for (const m of lowerings(n, 1)) yield edit(`task.${field}: ${n} -> ${m}`, (d) => d.setIn(['task', field], m));
  }
  const groups = doc.get('agents', true);
  const needed = family(algorithm) === 'pbft' ? 4 : family(algorithm) === 'raft' ? 3 : 2;
  const floor = Math.max(needed, byzantineCount(doc) + 1);
  if (isSeq(groups)) {
    for (let i = 0; i < groups.items.length; i++) {
      const count = doc.getIn(['agents', i, 'count']) ?? 1;
      if (typeof count !== 'number') continue;
      for (const n of lowerings(count, Math.max(1, count - (agents - floor))))
        yield edit(`agents[${i}].count: ${count} -> ${n}`, (d) => d.setIn(['agents', i, 'count'], n));
    }
  }
  for (const { path, entry } of faultEntries(doc)) {
    const at = tryParseDuration(entry.get('at'));
    if (at !== undefined && at > 0) {
      for (const ms of [...new Set([0, Math.floor(at / 2)])])
        yield edit(`${label([...path, 'at'])}: ${at}ms -> ${ms}ms`, (d) => d.setIn([...path, 'at'], `${ms}ms`));
    }
    const duration = tryParseDuration(entry.get('duration'));
    if (duration !== undefined && duration >= 2) {
      const ms = Math.floor(duration / 2);
      yield edit(`${label([...path, 'duration'])}: ${duration}ms -> ${ms}ms`, (d) => d.setIn([...path, 'duration'], `${ms}ms`));
    }
  }
}

/** Smaller values for a count, most removed first: half, then one less (never below `min`). */
function lowerings(n: number, min: number): number[] {
  const half = Math.max(min, Math.floor(n / 2));
  return [...(half < n - 1 ? [half] : []), ...(n - 1 >= min ? [n - 1] : [])];
}

/** Every mapping that describes one fault: a kind that is a mapping, or an entry of a kind's list. */
function faultEntries(doc: Document): { path: Path; entry: YAMLMap }[] {
  const faults = doc.get('faults', true);
  if (!isMap(faults)) return [];
  return faults.items.flatMap((pair) => {
    const kind = keyOf(pair.key);
    if (isMap(pair.value)) return [{ path: ['faults', kind], entry: pair.value }];
    if (!isSeq(pair.value)) return [];
    return pair.value.items.flatMap((item, i) => (isMap(item) ? [{ path: ['faults', kind, i], entry: item }] : []));
  });
}

function sizeOf(doc: Document): ScenarioSize {
  const faults = doc.get('faults', true);
  const faultEntries = isMap(faults) ? faults.items.reduce((n, p) => n + (isSeq(p.value) ? p.value.items.length : 1), 0) : 0;
  const number = (path: Path, absent: number) => {
    const v = doc.getIn(path);
    return typeof v === 'number' ? v : absent;
  };
  return { faultEntries, decisions: number(['task', 'decisions'], 1), inFlight: number(['task', 'in_flight'], 1), agents: totalAgents(doc) };
}

function totalAgents(doc: Document): number {
  const groups = doc.get('agents', true);
  if (!isSeq(groups)) return 0;
  return groups.items.reduce((n: number, _, i) => {
    const c = doc.getIn(['agents', i, 'count']) ?? 1;
    return n + (typeof c === 'number' ? c : 0);
  }, 0);
}

/** Liars `faults.byzantine` names: its `count`, or the length of its `target` list. */
function byzantineCount(doc: Document): number {
  const count = doc.getIn(['faults', 'byzantine', 'count']);
  if (typeof count === 'number') return count;
  const target = doc.getIn(['faults', 'byzantine', 'target'], true);
  return isSeq(target) ? target.items.length : 0;
}

function keyOf(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

/** `['faults', 'crash', 0, 'at']` -> `faults.crash[0].at`. */
function label(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
