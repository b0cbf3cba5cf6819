import { PBFT_BYZANTINE_KINDS } from '../adversary/byzantine-replica.ts';
import { BYZANTINE_KINDS, SECURITY_BYZANTINE_KINDS } from '../adversary/byzantine-voter.ts';
import { RAFT_BYZANTINE_KINDS } from '../adversary/byzantine-raft.ts';
import { ConfigError } from '../errors.ts';
import { implementationRef } from './implementation.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';
import { createPrng } from '../scheduler/prng.ts';
import { drawRaftSearch, searchShape, type RaftCutPolicy, type RaftSearch } from './raft-search.ts';

/**
 * What `conclave stress` varies: the protocol, the cluster size, how many agents lie, which
 * fault kinds may be drawn, and how much work each run does.
 *
 * @example
 * ```ts
 * const plan: StressPlan = { protocol: 'pbft', agents: 7, byzantine: 2, faults: ['crash', 'partition', 'byzantine'], decisions: 100 };
 * ```
 */
export interface StressPlan {
  readonly protocol: string;
  readonly agents: number;
  /** Byzantine agents per run (drawn up to this many); default: the protocol's bound. */
  readonly byzantine?: number;
  /** Instead of a count: this share of the agents lies in every run that draws Byzantine faults. */
  readonly failureRate?: number;
  readonly faults: readonly StressFault[];
  readonly decisions: number;
  /**
   * `sim` (default): deterministic runs. `threads`: each run on real worker threads in
   * wall-clock time, with the same fault library laid through the threads system's fault
   * control, and no exact replay (a failing run's scenario replays in sim mode, which may not fail).
   */
  readonly mode?: 'sim' | 'threads';
  /**
   * The protocol's main role (Raft node, PBFT replica, voting coordinator) from this module instead
   * of the built-in: `path#export`, or `path` for the built-in's export name (see `implementationRef`).
   */
  readonly implementation?: string;
  /**
   * Raft only: `guided` (default, sim mode) draws about 60% of the runs with an adversary that cuts a
   * node's sends at the instant it is elected or commits (`raft-search.ts`, `leader-cuts`), the
   * others as `targeted` does (keeping all its bare-majority runs); `targeted` draws half the runs from schedules aimed at Raft's
   * subtle rules (a bare majority with stale messages and a leader crash timed with the others'
   * return; leader churn with small batches), the other half as `uniform` does; `uniform` draws
   * every run as before.
   */
  readonly search?: RaftSearch;
}

/**
 * A fault kind a run may draw: a crash, a partition (split, bridge, ring, one-way), a network
 * fault (delay, drop, duplicate, reorder), a pause, a skewed clock, a cascade, or Byzantine
 * agents (`byzantine`: any behaviour the protocol's adversary knows; or one behaviour by name,
 * `equivocate` being `conflicting_votes`).
 *
 * @example
 * ```ts
 * const kinds: StressFault[] = ['crash', 'partition', 'delay', 'equivocate'];
 * ```
 */
export type StressFault = string;

/** The fault kinds laid on the clock; every protocol takes them. */
const TIMED_FAULTS = ['crash', 'partition', 'delay', 'drop', 'duplicate', 'reorder', 'pause', 'skew', 'cascade'] as const;

/** The Byzantine behaviours each protocol family's adversary knows (Raft is not Byzantine-tolerant). */
const BYZANTINE_BY_FAMILY: Record<'raft' | 'pbft' | 'voting', readonly string[]> = {
  raft: RAFT_BYZANTINE_KINDS,
  pbft: PBFT_BYZANTINE_KINDS,
  voting: BYZANTINE_KINDS,
};

/** Names a user may give for a Byzantine behaviour. */
const BYZANTINE_ALIASES: Readonly<Record<string, string>> = { equivocate: 'conflicting_votes', lie: 'false_information', slow: 'delayed_responses' };

/**
 * Which driver a protocol id belongs to.
 *
 * @example
 * ```ts
 * family('byzantine_tolerant'); // 'pbft'
 * ```
 */
export function family(protocol: string): 'raft' | 'pbft' | 'voting' {
  if (protocol === 'raft') return 'raft';
  if (protocol === 'pbft' || protocol === 'byzantine_tolerant') return 'pbft';
  return 'voting';
}

/**
 * The fault kinds `protocol` takes, checking a requested list against them.
 *
 * @example
 * ```ts
 * faultsFor('raft', undefined); // ['crash', 'partition', 'delay', ...]
 * faultsFor('raft', ['byzantine']); // throws: --faults byzantine is not a Raft fault
 * ```
 */
export function faultsFor(protocol: string, requested: readonly string[] | undefined): StressFault[] {
  const liars = BYZANTINE_BY_FAMILY[family(protocol)];
  const byzantine = ['byzantine', ...liars, ...Object.keys(BYZANTINE_ALIASES)];
  const known = [...TIMED_FAULTS, ...byzantine];
  // PBFT replicas keep no durable state: one that recovers has forgotten what it agreed to, which
  // counts against f like a lie. A cascade can take down more than f, so it is drawn only when asked.
  const timed = family(protocol) === 'pbft' ? TIMED_FAULTS.filter((f) => f !== 'cascade') : TIMED_FAULTS;
  // Raft tolerates no liar: Byzantine nodes join its runs only when asked for (--faults, --byzantine).
  if (requested === undefined) return [...timed, ...(family(protocol) === 'raft' ? [] : ['byzantine'])];
  return requested.map((f, i) => {
    if (!known.includes(f)) {
      const near = didYouMean(f, known);
      throw new ConfigError(
        `--faults[${i}]`,
        `${near ? `${near} (did you mean it?), or ` : ''}one of ${known.join(', ')} (what ${protocol} runs can be given)`,
        f,
      );
    }
    return f;
  });
}

/**
 * The most Byzantine agents `protocol` tolerates among `n` (PBFT: floor((n - 1) / 3); a vote by
 * simple majority: fewer than half; Raft: none, it is crash-tolerant only).
 *
 * @example
 * ```ts
 * byzantineBound('pbft', 7); // 2
 * ```
 */
export function byzantineBound(protocol: string, n: number): number {
  const f = family(protocol);
  if (f === 'pbft') return Math.floor((n - 1) / 3);
  if (f === 'raft') return 0;
  return Math.max(0, Math.ceil(n / 2) - 1);
}

/** The share of runs drawing Byzantine agents in which they collude (PBFT), when any behaviour may be drawn. */
const COLLUDE_SHARE = 0.3;

/**
 * Who colludes in a run: the primary of view 0 (the strategy needs a Byzantine primary; named
 * `primary`) and `liars - 1` other replicas, a seeded choice. Named one by one, so the scenario
 * file says who lied; `collude` mixes with no other behaviour, whose lies would give it away.
 */
function colluders(n: number, liars: number, seed: number): string[] {
  const rnd = createPrng(seed, '$colluders');
  const others = Array.from({ length: n - 1 }, (_, i) => i + 2);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [others[i], others[j]] = [others[j], others[i]];
  }
  return [
    'primary',
    ...others
      .slice(0, liars - 1)
      .sort((a, b) => a - b)
      .map((i) => `node_${String(i).padStart(3, '0')}`),
  ];
}

/**
 * The scenario of run `seed`: the plan's protocol and size, with faults drawn from the seed
 * (the same seed always draws the same scenario). Returned as YAML, which is also what a
 * failing run is saved as and replayed from. Faults stay within what keeps the protocol safe
 * (liars up to the bound, unless `byzantine` asks for more); crashes, pauses and cascades
 * always end, so a run can finish once they are over.
 *
 * @example
 * ```ts
 * const yaml = drawScenario({ protocol: 'raft', agents: 5, faults: ['crash', 'delay'], decisions: 100 }, 17);
 * ```
 */
export function drawScenario(plan: StressPlan, seed: number): string {
  return drawRun(plan, seed).scenario;
}

/**
 * What run `seed` draws: its scenario (as `drawScenario`), how many agents lie in it, and
 * whether that keeps it within the protocol's bound (`byzantineBound`). The other faults are
 * drawn within what the protocol tolerates and always end, so within the bound every decision
 * must be reached once they are over: a stall is then a bug, not the price of too many liars.
 * A `leader-cuts` run (the `guided` Raft search) also returns the policy of its adversary, which
 * the run itself applies; given the cuts that adversary laid (`laidCuts`, as `faults.network`
 * entries), the scenario lists them, so that it replays as a plain scenario.
 *
 * @example
 * ```ts
 * drawRun({ protocol: 'pbft', agents: 4, byzantine: 2, faults: ['byzantine'], decisions: 30 }, 2); // { scenario: '...', liars: 2, withinBound: false }
 * ```
 */
export function drawRun(
  plan: StressPlan,
  seed: number,
  laidCuts: readonly string[] = [],
): { scenario: string; liars: number; withinBound: boolean; cuts?: RaftCutPolicy } {
  const rnd = createPrng(seed, '$stress');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const chance = (p: number) => rnd() < p;
  const fam = family(plan.protocol);
  const n = plan.agents;
  const has = (f: string) => plan.faults.includes(f);
  const faults: string[] = [];
  const bound = byzantineBound(plan.protocol, n);
  // Byzantine behaviours: any the adversary knows (`byzantine`), or those named.
  const named = plan.faults.map((f) => BYZANTINE_ALIASES[f] ?? f).filter((f) => BYZANTINE_BY_FAMILY[fam].includes(f));
  let liars = 0;
  if (has('byzantine') || named.length > 0) {
    liars = plan.failureRate !== undefined ? Math.round(plan.failureRate * n) : int(has('byzantine') ? 0 : 1, plan.byzantine ?? bound);
    // split_brain needs colluders beyond the bound to do harm; within it, it is only noise.
    // collude is drawn apart (below), so that adding it left every other seed's draw as it was.
    // (Kinds that attack ballot security are drawn only when named: stress scenarios set no `security:`.)
    const kinds = has('byzantine')
      ? BYZANTINE_BY_FAMILY[fam].filter(
          (k) => (k !== 'split_brain' || liars > bound) && k !== 'collude' && !(SECURITY_BYZANTINE_KINDS as readonly string[]).includes(k),
        )
      : named;
    const types = [...new Set([pick(kinds), pick(kinds)])];
    const colluding =
      liars > 0 &&
      (types.includes('collude') || (has('byzantine') && BYZANTINE_BY_FAMILY[fam].includes('collude') && createPrng(seed, '$collude')() < COLLUDE_SHARE));
    if (colluding) faults.push(`  byzantine: { target: [${colluders(n, liars, seed).join(', ')}], types: [collude] }`);
    else if (liars > 0)
      faults.push(`  byzantine: { ${plan.failureRate !== undefined ? `failure_rate: ${plan.failureRate}` : `count: ${liars}`}, types: [${types.join(', ')}] }`);
  }
  const lying = faults.length; // the Byzantine line, if any: kept whatever the timed faults
  const leader = fam === 'raft' ? 'leader' : fam === 'pbft' ? 'primary' : 'random';
  const target = () => (fam === 'voting' || chance(0.5) ? 'random' : leader);
  // Crashes only while the bound still holds: in PBFT a crashed replica counts against f like a liar.
  const crashable = fam === 'raft' ? Math.floor((n - 1) / 2) : fam === 'pbft' ? bound - liars : n - 1;
  if (has('crash') && crashable > 0 && chance(0.7)) {
    const crashes = Array.from({ length: int(1, Math.min(2, crashable)) }, () => `{ target: ${target()}, at: ${int(20, 400)}ms, duration: ${int(50, 500)}ms }`);
    faults.push(`  crash: [${crashes.join(', ')}]`);
  }
  if (has('partition') && chance(0.5)) {
    const shape = pick(['split', 'split', 'bridge', 'ring'] as const);
    const ways = shape !== 'ring' && chance(0.3) ? ', direction: one_way' : '';
    faults.push(
      `  partition: [{ at: ${int(20, 400)}ms, duration: ${int(50, 600)}ms, split_ratio: ${pick([0.2, 0.3, 0.4])}${shape === 'split' ? '' : `, shape: ${shape}`}${ways} }]`,
    );
  }
  const network: string[] = [];
  if (has('delay') && chance(0.5)) network.push(`delay: { distribution: uniform, min: ${int(1, 5)}ms, max: ${int(10, 40)}ms }`);
  if (has('drop') && chance(0.4)) network.push(`drop_rate: ${pick([0.01, 0.05, 0.1])}`);
  if (has('duplicate') && chance(0.4)) network.push(`duplicate_rate: ${pick([0.01, 0.05, 0.1])}`);
  if (has('reorder') && chance(0.4)) network.push('reorder: true');
  if (network.length > 0) faults.push(`  network: [{ at: ${int(0, 200)}ms, duration: ${int(100, 600)}ms, ${network.join(', ')} }]`);
  if (has('pause') && chance(0.4)) faults.push(`  pause: [{ target: ${target()}, at: ${int(20, 400)}ms, duration: ${int(50, 400)}ms }]`);
  if (has('skew') && chance(0.4))
    faults.push(`  clock_skew: [{ target: ${target()}, rate: ${pick([0.5, 2, 4])}, at: ${int(0, 200)}ms, duration: ${int(100, 600)}ms }]`);
  if (has('cascade') && chance(0.3)) {
    faults.push(
      `  cascade: { at: ${int(20, 300)}ms, initial_failure_rate: ${pick([0.1, 0.2])}, failure_propagation: ${pick([0.1, 0.3, 0.5])}, recovery_time: ${int(100, 400)}ms }`,
    );
  }
  // Raft: a targeted shape replaces the timed faults drawn above (drawn anyway, so a run that
  // stays uniform draws exactly what it drew before the search existed).
  const shape = fam === 'raft' ? searchShape(plan.search ?? 'guided', seed, plan.faults, plan.mode) : 'uniform';
  const targeted = shape === 'uniform' ? undefined : drawRaftSearch(shape, n, plan.faults, seed, laidCuts);
  if (targeted !== undefined) faults.splice(lying, faults.length - lying, ...targeted.faults);
  const algorithm = fam === 'voting' ? plan.protocol : fam === 'pbft' ? 'byzantine_tolerant' : 'raft';
  const scenario = [
    `# conclave stress: run seed ${seed}${shape === 'uniform' ? '' : ` (${shape})`}`,
    `name: stress-${plan.protocol}-${seed}`,
    `seed: ${seed}`,
    `agents: [{ role: node, count: ${n}${fam === 'voting' ? ', accuracy: 0.9' : ''} }]`,
    `consensus: { algorithm: ${algorithm}${fam === 'voting' ? ', voting_timeout: 500ms' : ''}${targeted?.raft === undefined ? '' : `, ${targeted.raft}`}${plan.implementation === undefined ? '' : `, implementation: ${JSON.stringify(implementationRef(plan.implementation, fam))}`} }`,
    // Only a vote has a question: a PBFT or Raft scenario with one had its replay warn that task.options is not used.
    `task: { ${fam === 'voting' ? 'question: stress, options: [A, B], truth: A, ' : ''}decisions: ${plan.decisions}, in_flight: 4 }`,
    ...(faults.length > 0 ? ['faults:', ...faults] : []),
    '',
  ].join('\n');
  return { scenario, liars, withinBound: liars <= bound, ...(targeted?.cuts ? { cuts: targeted.cuts } : {}) };
}
