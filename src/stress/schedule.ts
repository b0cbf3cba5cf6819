import { PBFT_BYZANTINE_KINDS } from '../adversary/byzantine-replica.ts';
import { BYZANTINE_KINDS } from '../adversary/byzantine-voter.ts';
import { ConfigError } from '../errors.ts';
import { createPrng } from '../scheduler/prng.ts';

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
  readonly faults: readonly StressFault[];
  readonly decisions: number;
}

/**
 * A fault kind a run may draw.
 *
 * @example
 * ```ts
 * const kinds: StressFault[] = ['crash', 'partition'];
 * ```
 */
export type StressFault = 'crash' | 'partition' | 'byzantine';

/** The fault kinds each protocol family can be given (voting has no leader to crash or cut off). */
const FAULTS_BY_FAMILY: Record<'raft' | 'pbft' | 'voting', readonly StressFault[]> = {
  raft: ['crash', 'partition'],
  pbft: ['crash', 'partition', 'byzantine'],
  voting: ['byzantine'],
};

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
 * faultsFor('raft', undefined); // ['crash', 'partition']
 * faultsFor('raft', ['byzantine']); // throws: --faults byzantine is not a Raft fault
 * ```
 */
export function faultsFor(protocol: string, requested: readonly string[] | undefined): StressFault[] {
  const known = FAULTS_BY_FAMILY[family(protocol)];
  if (requested === undefined) return [...known];
  return requested.map((f, i) => {
    if (!(known as readonly string[]).includes(f)) throw new ConfigError(`--faults[${i}]`, `one of ${known.join(', ')} (what ${protocol} runs can be given)`, f);
    return f as StressFault;
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

/**
 * The scenario of run `seed`: the plan's protocol and size, with faults drawn from the seed
 * (the same seed always draws the same scenario). Returned as YAML, which is also what a
 * failing run is saved as and replayed from.
 *
 * @example
 * ```ts
 * const yaml = drawScenario({ protocol: 'raft', agents: 5, faults: ['crash'], decisions: 100 }, 17);
 * ```
 */
export function drawScenario(plan: StressPlan, seed: number): string {
  const rnd = createPrng(seed, '$stress');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const fam = family(plan.protocol);
  const n = plan.agents;
  const faults: string[] = [];
  const liars = plan.faults.includes('byzantine') ? int(0, plan.byzantine ?? byzantineBound(plan.protocol, n)) : 0;
  if (liars > 0) {
    const kinds = fam === 'pbft' ? PBFT_BYZANTINE_KINDS.filter((k) => k !== 'split_brain' || liars > byzantineBound(plan.protocol, n)) : BYZANTINE_KINDS;
    const types = [...new Set([pick(kinds), pick(kinds)])];
    faults.push(`  byzantine: { count: ${liars}, types: [${types.join(', ')}] }`);
  }
  // Crashes only while the bound still holds: a crashed replica counts against f like a liar.
  const crashable = fam === 'raft' ? Math.floor((n - 1) / 2) : fam === 'pbft' ? byzantineBound(plan.protocol, n) - liars : 0;
  if (plan.faults.includes('crash') && crashable > 0 && rnd() < 0.7) {
    const target = fam === 'raft' ? 'leader' : 'primary';
    faults.push(`  crash: [{ target: ${target}, at: ${int(50, 600)}ms${rnd() < 0.5 ? `, duration: ${int(100, 800)}ms` : ''} }]`);
  }
  if (plan.faults.includes('partition') && rnd() < 0.5) {
    faults.push(`  partition: [{ at: ${int(50, 800)}ms, split_ratio: ${pick([0.2, 0.3, 0.4])}, duration: ${int(100, 900)}ms }]`);
  }
  const algorithm = fam === 'voting' ? plan.protocol : fam === 'pbft' ? 'byzantine_tolerant' : 'raft';
  return [
    `# conclave stress: run seed ${seed}`,
    `name: stress-${plan.protocol}-${seed}`,
    `seed: ${seed}`,
    `agents: [{ role: node, count: ${n}${fam === 'voting' ? ', accuracy: 0.9' : ''} }]`,
    `consensus: { algorithm: ${algorithm} }`,
    `task: { question: stress, options: [A, B], truth: A, decisions: ${plan.decisions}, in_flight: 4 }`,
    ...(faults.length > 0 ? ['faults:', ...faults] : []),
    '',
  ].join('\n');
}
