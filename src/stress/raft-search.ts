import { EventCuts } from '../adversary/event-cuts.ts';
import { createPrng } from '../scheduler/prng.ts';

/**
 * Fault schedules aimed at Raft's subtle rules, which the uniform draw of `drawRun` almost never
 * reaches (issue 20: a follower that truncates entries it already holds, and a leader that
 * commits an old-term entry by counting, each survived 2,000 uniform runs of 7 nodes). Three
 * shapes, each a *swarm*: every run picks its own subset and intensity of faults.
 *
 * - `bare-majority`: f of the 2f + 1 nodes go down together, so every commit rests on exactly a
 *   majority; the network duplicates, reorders and delays (stale AppendEntries arrive after
 *   newer ones); and the leader falls just before the f come back, staying down while they
 *   elect. An entry one holder lost is then missing from a majority of the electorate.
 * - `leader-churn`: small AppendEntries batches (`max_batch` 1-4), so a new leader's followers
 *   catch up on old-term entries before its own; the leader crashed again and again, each time
 *   back soon with what it appended; leader-isolating partitions. Old-term entries are then held
 *   by a majority while a node with a newer conflicting entry can still be elected (Figure 8).
 * - `leader-cuts` (the `guided` search only): no crash at all, but an adversary that watches the
 *   trace and cuts a node's outgoing links at the instant it emits `raft-leader` (a new leader's
 *   first AppendEntries never leaves) or `raft-commit` (the batch the commit released never
 *   leaves), with `max_batch` 1 or 2 and, when drawn, duplicating and delaying links. Two leaders
 *   then hold conflicting suffixes while a third commits: the Figure-8 interleaving, which needs
 *   a cut within the same instant as an election (test/MUTATION.md, "Planted mutants").
 *
 * Measured (7 nodes, 100 commands, seeds from 1; see test/MUTATION.md): the truncating mutant
 * was found by none of 2,000 uniform runs and first at seed 1800 by `targeted` (a bare-majority
 * run); the Figure-8 mutant by neither in 2,000 runs, and at seed 1 by `guided`.
 */

/** Which targeted shape a run draws, or `uniform` for `drawRun`'s own draw. */
export type RaftSearchShape = 'uniform' | 'bare-majority' | 'leader-churn' | 'leader-cuts';

/** How `conclave stress --protocol raft` draws its runs (see {@link searchShape}). */
export type RaftSearch = 'guided' | 'targeted' | 'uniform';

/** The share of the `guided` runs not drawing `bare-majority` that draw `leader-cuts`. */
const GUIDED_CUTS_SHARE = 0.85;

/**
 * The shape run `seed` draws under `search`: `uniform`, always `uniform`; `targeted`, as
 * {@link raftSearchShape}; `guided` (sim mode, with `partition` among `faults`: the cuts are
 * partitions of one node's sends) keeps the targeted draw's `bare-majority` runs (about 30%:
 * the shape that finds the truncating mutant) and turns 85% of the others into `leader-cuts`
 * (about 60% of all runs), from a stream of its own.
 *
 * @example
 * ```ts
 * searchShape('guided', 54, ['crash', 'partition', 'duplicate'], 'sim'); // 'leader-cuts' (say)
 * ```
 */
export function searchShape(search: RaftSearch, seed: number, faults: readonly string[], mode: 'sim' | 'threads' = 'sim'): RaftSearchShape {
  if (search === 'uniform') return 'uniform';
  const targeted = raftSearchShape(seed, faults);
  if (
    search === 'guided' &&
    targeted !== 'bare-majority' &&
    mode === 'sim' &&
    faults.includes('partition') &&
    createPrng(seed, '$raft-guided-shape')() < GUIDED_CUTS_SHARE
  )
    return 'leader-cuts';
  return targeted;
}

/** The share of runs each shape takes (the rest stay uniform, so every fault kind still appears). */
const SHARES: readonly [RaftSearchShape, number][] = [
  ['bare-majority', 0.3],
  ['leader-churn', 0.2],
];

/**
 * The shape run `seed` draws under the `targeted` search, from a stream of its own (a uniform run
 * draws what it drew before this search existed). Its shapes need crashes; without `crash` among
 * `faults`, uniform.
 *
 * @example
 * ```ts
 * raftSearchShape(54, ['crash', 'duplicate', 'reorder', 'delay']); // 'bare-majority' (say)
 * ```
 */
export function raftSearchShape(seed: number, faults: readonly string[]): RaftSearchShape {
  if (!faults.includes('crash')) return 'uniform';
  const u = createPrng(seed, '$raft-search-shape')();
  let acc = 0;
  for (const [shape, share] of SHARES) {
    acc += share;
    if (u < acc) return shape;
  }
  return 'uniform';
}

/**
 * The `faults:` lines (and a `consensus.raft` override, if any) of a targeted run: only fault
 * kinds among `faults` are drawn. `n` is the cluster size. A `leader-cuts` run also returns its
 * cut policy, and lists `laidCuts` (the cuts a run of it laid, as `faults.network` entries) after
 * its own network entry, so that the scenario replays without the adversary.
 *
 * @example
 * ```ts
 * const { faults, raft } = drawRaftSearch('bare-majority', 7, ['crash', 'duplicate', 'reorder', 'delay'], 54);
 * ```
 */
export function drawRaftSearch(
  shape: Exclude<RaftSearchShape, 'uniform'>,
  n: number,
  faults: readonly string[],
  seed: number,
  laidCuts: readonly string[] = [],
): { faults: string[]; raft?: string; cuts?: RaftCutPolicy } {
  if (shape === 'leader-cuts') return leaderCuts(faults, seed, laidCuts);
  const rnd = createPrng(seed, '$raft-search');
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const has = (f: string) => faults.includes(f);
  return shape === 'bare-majority' ? bareMajority(n, has, int, pick) : leaderChurn(has, int, pick, rnd);
}

type Int = (lo: number, hi: number) => number;
type Pick = <T>(xs: readonly T[]) => T;

function bareMajority(n: number, has: (f: string) => boolean, int: Int, pick: Pick): { faults: string[] } {
  const f = Math.floor((n - 1) / 2);
  const t0 = int(20, 150);
  const down = int(100, 300);
  const crashes = Array.from({ length: f }, () => `{ target: random, at: ${t0}ms, duration: ${down}ms }`);
  // The leader falls at most 60 ms before the f return, and stays down while they elect.
  const leaderAt = t0 + down - int(0, 60);
  crashes.push(`{ target: leader, at: ${leaderAt}ms, duration: ${int(200, 500)}ms }`);
  const out = [`  crash: [${crashes.join(', ')}]`];
  const network: string[] = [];
  if (has('delay')) network.push(`delay: { distribution: uniform, min: 1ms, max: ${int(5, 40)}ms }`);
  if (has('duplicate')) network.push(`duplicate_rate: ${pick([0.1, 0.2, 0.3, 0.5])}`);
  if (has('reorder')) network.push('reorder: true');
  if (network.length > 0) out.push(`  network: [{ at: 0ms, duration: ${leaderAt + 100}ms, ${network.join(', ')} }]`);
  return { faults: out };
}

function leaderChurn(has: (f: string) => boolean, int: Int, pick: Pick, rnd: () => number): { faults: string[]; raft: string } {
  const crashes: string[] = [];
  let t = int(20, 100);
  for (let i = int(3, 6); i > 0; i--) {
    crashes.push(`{ target: leader, at: ${t}ms, duration: ${int(50, 400)}ms }`);
    t += int(150, 350);
  }
  const out = [`  crash: [${crashes.join(', ')}]`];
  if (has('partition')) {
    const parts: string[] = [];
    let u = int(20, 200);
    for (let i = int(0, 3); i > 0; i--) {
      parts.push(`{ at: ${u}ms, duration: ${int(50, 300)}ms, split_ratio: ${pick([0.3, 0.4])} }`);
      u += int(150, 400);
    }
    if (parts.length > 0) out.push(`  partition: [${parts.join(', ')}]`);
  }
  const network: string[] = [];
  if (has('delay')) network.push(`delay: { distribution: uniform, min: 1ms, max: ${int(5, 40)}ms }`);
  if (has('drop') && rnd() < 0.5) network.push(`drop_rate: ${pick([0.05, 0.1, 0.2])}`);
  if (network.length > 0) out.push(`  network: [{ at: 0ms, duration: ${t}ms, ${network.join(', ')} }]`);
  return { faults: out, raft: `raft: { max_batch: ${pick([1, 1, 2, 4])} }` };
}

/**
 * What the `leader-cuts` adversary does in one run (plain data: it crosses to pool workers): the
 * chance of cutting a node's sends when it emits `raft-leader`, when it commits entries of an
 * earlier term than its own (`raft-commit` with `term < leaderTerm`, the state the Figure-8 rule
 * is about), and when it commits its own; how long a cut lasts; how many a run lays at most.
 *
 * @example
 * ```ts
 * const p: RaftCutPolicy = { leader: 0.4, oldCommit: 0.6, commit: 0.03, minMs: 150, maxMs: 799, max: 60 };
 * ```
 */
export interface RaftCutPolicy {
  readonly leader: number;
  readonly oldCommit: number;
  readonly commit: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly max: number;
}

/**
 * The chance a `raft-leader` or `raft-commit` event gets its emitter cut, under `p`. Both are
 * events every Raft node emits; nothing here reads a node's state.
 *
 * @example
 * ```ts
 * raftCutChance(p, { type: 'raft-commit', index: 9, term: 2, leaderTerm: 4 }); // p.oldCommit
 * ```
 */
export function raftCutChance(p: RaftCutPolicy, event: Readonly<Record<string, unknown>>): number | undefined {
  if (event.type === 'raft-leader') return p.leader;
  if (event.type !== 'raft-commit') return undefined;
  return (event.term as number) < (event.leaderTerm as number) ? p.oldCommit : p.commit;
}

/**
 * The adversary of a `leader-cuts` run: {@link EventCuts} under `p`, drawing from the run's own
 * stream, so that the stress run and `conclave replay --seed` cut alike. Attach it to the run's
 * fault control (`onSystem`) and show it every trace event (`onEvent`).
 *
 * @example
 * ```ts
 * const cuts = raftCutAdversary(drawRun(plan, seed).cuts!, seed);
 * await runScenario(scenario, { seed, onSystem: (s) => cuts.attach(s.faults), onEvent: (e) => cuts.observe(e) });
 * ```
 */
export function raftCutAdversary(p: RaftCutPolicy, seed: number): EventCuts {
  return new EventCuts({ chance: (e) => raftCutChance(p, e), minMs: p.minMs, maxMs: p.maxMs, max: p.max }, createPrng(seed, '$event-cuts'));
}

function leaderCuts(faults: readonly string[], seed: number, laidCuts: readonly string[]): { faults: string[]; raft: string; cuts: RaftCutPolicy } {
  const rnd = createPrng(seed, '$raft-leader-cuts');
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const has = (f: string) => faults.includes(f);
  // Swarm testing: each run its own mixture of link faults under the cuts.
  const network: string[] = [];
  if (has('delay') && rnd() < 0.7) network.push(`delay: { distribution: uniform, min: 1ms, max: ${int(5, 30)}ms }`);
  if (has('duplicate') && rnd() < 0.6) network.push(`duplicate_rate: ${pick([0.1, 0.2, 0.3])}`);
  // No reorder: with one-entry batches, reordered AppendEntries kept a node that truncates what
  // it holds (test/fixtures/raft-mutants.ts) resending without end, millions of events a run.
  const entries = [...(network.length > 0 ? [`{ at: 0ms, duration: ${int(2000, 6000)}ms, ${network.join(', ')} }`] : []), ...laidCuts];
  const cuts: RaftCutPolicy = {
    leader: pick([0.3, 0.4, 0.5]),
    oldCommit: pick([0.5, 0.6, 0.8]),
    commit: pick([0.02, 0.03, 0.05]),
    minMs: 150,
    maxMs: 799,
    max: 60,
  };
  return { faults: entries.length > 0 ? [`  network: [${entries.join(', ')}]`] : [], raft: `raft: { max_batch: ${pick([1, 1, 1, 2])} }`, cuts };
}
