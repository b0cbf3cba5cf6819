import { algorithmFamily, type BenchAlgorithm } from './bench-algorithms.ts';
import { faultsYaml, liarsAmong } from './bench-faults.ts';
import type { BenchPlan } from './bench-plan.ts';

/**
 * The agents of a bench run of size `n`: a third of them (rounded up) experts, whose votes weigh
 * 2 and match the truth 90 % of the time, the others generalists (weight 1, 70 %). Every
 * algorithm gets the same agents, so decision quality compares; only weighted voting reads the
 * weights, and Raft and PBFT read neither (their nodes are `expert_001`, `generalist_001`, ...).
 *
 * @example
 * ```ts
 * benchAgents(5); // [{ role: 'expert', count: 2, weight: 2, accuracy: 0.9 }, { role: 'generalist', count: 3, weight: 1, accuracy: 0.7 }]
 * ```
 */
export function benchAgents(n: number): { role: string; count: number; weight: number; accuracy: number }[] {
  const experts = Math.ceil(n / 3);
  return [
    { role: 'expert', count: experts, weight: 2, accuracy: 0.9 },
    ...(n > experts ? [{ role: 'generalist', count: n - experts, weight: 1, accuracy: 0.7 }] : []),
  ];
}

/**
 * Each agent's weight, for the bound of weighted voting.
 *
 * @example
 * ```ts
 * benchWeights(3); // [2, 1, 1]
 * ```
 */
export function benchWeights(n: number): number[] {
  return benchAgents(n).flatMap((g) => new Array<number>(g.count).fill(g.weight));
}

/** How long a vote waits for its last ballots: long beside a vote (a few ms), short beside a crash. */
const VOTING_TIMEOUT = '1s';

/**
 * The scenario of one bench run, as YAML (`conclave run` on it replays the run exactly in sim
 * mode): the bench's agents, one binary choice with a ground truth decided `decisions` times
 * (or for a duration; Raft and PBFT: commands), `inFlight` at once, over the plan's topology, with the plan's faults at
 * times drawn from the seed.
 *
 * @example
 * ```ts
 * const yaml = benchScenario(plan, 'raft', 5, 3);
 * const result = await runScenario(parseScenario(yaml), { seed: 3, mode: 'sim' });
 * ```
 */
export function benchScenario(plan: BenchPlan, algorithm: BenchAlgorithm, n: number, seed: number): string {
  const voting = algorithmFamily(algorithm) === 'voting';
  const amount = 'decisions' in plan.workload ? `decisions: ${plan.workload.decisions}` : `duration: ${plan.workload.durationMs}ms`;
  return [
    `# conclave bench: ${algorithm}, n = ${n}, seed ${seed}`,
    `name: bench-${algorithm}-${n}-${seed}`,
    `seed: ${seed}`,
    'agents:',
    // Raft and PBFT nodes do not vote: their groups carry names only (a weight would be named as not used).
    ...benchAgents(n).map((g) => `  - { role: ${g.role}, count: ${g.count}${voting ? `, weight: ${g.weight}, accuracy: ${g.accuracy}` : ''} }`),
    `topology: ${plan.topology}`,
    `consensus: { algorithm: ${algorithm}${voting ? `, voting_timeout: ${VOTING_TIMEOUT}` : ''} }`,
    // A replicated log votes on nothing: options would only be named in the result's warnings.
    `task: { ${voting ? 'question: benchmark decision, options: [A, B], truth: A, ' : ''}${amount}, in_flight: ${plan.inFlight} }`,
    ...faultsYaml(plan.faults, seed),
    '',
  ].join('\n');
}

/**
 * Why `algorithm` at size `n` is not run under this plan, or `undefined` when it is: PBFT needs
 * four replicas to tolerate one liar, Raft tolerates no liar at all (a Byzantine benchmark of it
 * would measure a broken protocol), a supermajority needs three participants, and a run needs an
 * honest agent.
 *
 * @example
 * ```ts
 * notApplicable(plan, 'byzantine_tolerant', 3); // 'PBFT needs n >= 4 replicas (n = 3f + 1 with f >= 1)'
 * notApplicable(plan, 'raft', 5);               // undefined
 * ```
 */
export function notApplicable(plan: BenchPlan, algorithm: BenchAlgorithm, n: number): string | undefined {
  const liars = liarsAmong(plan.faults, n);
  if (algorithmFamily(algorithm) === 'pbft' && n < 4) return 'PBFT needs n >= 4 replicas (n = 3f + 1 with f >= 1)';
  if (algorithmFamily(algorithm) === 'raft' && plan.faults.byzantine !== undefined) {
    return 'Raft tolerates no Byzantine agent (crash faults only), so --faults byzantine is not run against it (conclave stress --protocol raft --byzantine 1 shows its checkers catching liars)';
  }
  if (algorithm === 'supermajority' && n < 3) return 'a supermajority needs at least 3 participants';
  if (liars >= n) return `--faults byzantine asks for ${liars} liars among ${n} agents: no honest agent is left`;
  return undefined;
}
