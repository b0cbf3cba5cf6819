/**
 * The tutorial's `conclave optimize` switches: `--recommended-algorithm ALG` (restrict the choice),
 * `--expert-weighting-enabled` (weighted voting), `--timeout-aggressive` (halve the recommended
 * timeouts) and `--redundancy-high` (the next size that tolerates one more faulty member).
 */
import { algorithmFamily, benchAlgorithm, type BenchAlgorithm } from '../bench/bench-algorithms.ts';
import { benchWeights } from '../bench/bench-scenario.ts';
import { faultTolerance } from '../bench/fault-tolerance.ts';
import { ConfigError } from '../errors.ts';
import type { Recommendation } from './recommend.ts';
import { scenarioFor, type Parameter } from './recommended-settings.ts';

/**
 * The switches, as commander parses them.
 *
 * @example
 * ```ts
 * const o: OptimizeSwitches = { recommendedAlgorithm: 'simple_majority', timeoutAggressive: true };
 * ```
 */
export interface OptimizeSwitches {
  readonly recommendedAlgorithm?: string;
  readonly expertWeightingEnabled?: boolean;
  readonly timeoutAggressive?: boolean;
  readonly redundancyHigh?: boolean;
}

/**
 * The one algorithm the recommendation is restricted to, if any: `--recommended-algorithm`
 * (`pbft` is `byzantine_tolerant`), or `weighted_voting` for `--expert-weighting-enabled`.
 *
 * @example
 * ```ts
 * onlyAlgorithm({ recommendedAlgorithm: 'pbft' }); // 'byzantine_tolerant'
 * onlyAlgorithm({ expertWeightingEnabled: true }); // 'weighted_voting'
 * ```
 */
export function onlyAlgorithm(o: OptimizeSwitches): BenchAlgorithm | undefined {
  const named =
    o.recommendedAlgorithm === undefined
      ? undefined
      : benchAlgorithm(o.recommendedAlgorithm === 'pbft' ? 'byzantine_tolerant' : o.recommendedAlgorithm, '--recommended-algorithm');
  if (o.expertWeightingEnabled) {
    if (named !== undefined && named !== 'weighted_voting') {
      throw new ConfigError(
        '--expert-weighting-enabled',
        `--recommended-algorithm weighted_voting or no --recommended-algorithm: expert weights count only in weighted voting (drop one of the two options)`,
        `--recommended-algorithm ${named}`,
      );
    }
    return 'weighted_voting';
  }
  return named;
}

/** The keys of timeouts in recommended settings. */
const TIMEOUTS = [
  'consensus.voting_timeout',
  'consensus.raft.election_timeout_min',
  'consensus.raft.election_timeout_max',
  'consensus.raft.heartbeat',
  'consensus.pbft.view_change_timeout',
];

/**
 * A recommendation with the switches applied to its settings and scenario: timeouts halved
 * (`--timeout-aggressive`), the size raised to the next that tolerates one more faulty member
 * (`--redundancy-high`), each change said in the parameter's derivation and in the notes.
 *
 * @example
 * ```ts
 * applySwitches(recommend('speed', rule, sources), { timeoutAggressive: true }).parameters; // voting_timeout halved
 * ```
 */
export function applySwitches(r: Recommendation, o: OptimizeSwitches): Recommendation {
  let params = [...r.parameters];
  const notes = [...r.notes];
  let agents = r.agents;
  if (o.expertWeightingEnabled)
    notes.push(
      "--expert-weighting-enabled: weighted_voting, with the agents' weights in the scenario (each role's weight; consensus.agent_expertise and expert_weight multiply an expert's weight in its domain)",
    );
  if (o.redundancyHigh) {
    const before = faultTolerance(r.algorithm, agents, benchWeights(agents));
    let n = agents + 1;
    while (n < agents * 4 + 8 && faultTolerance(r.algorithm, n, benchWeights(n)).maxFaulty <= before.maxFaulty) n++;
    const after = faultTolerance(r.algorithm, n, benchWeights(n));
    agents = n;
    params = params.map((p) =>
      p.key === 'agents'
        ? {
            ...p,
            value: n,
            derivation: `--redundancy-high: ${n} instead of ${r.agents}, the smallest size that tolerates one more faulty member (${after.bound}: up to ${after.maxFaulty}, was ${before.maxFaulty}); ${r.basis === 'measured' ? `n=${n} was not measured: bench it (conclave bench --algorithms ${r.algorithm} --agents ${n})` : 'not measured'}`,
          }
        : p,
    );
    notes.push(`--redundancy-high: n = ${n} (tolerates ${after.maxFaulty} faulty, ${after.bound}) at the cost of more messages per decision`);
  }
  if (o.timeoutAggressive) {
    params = params.map((p) => (TIMEOUTS.includes(p.key) ? halved(p) : p));
    notes.push(
      '--timeout-aggressive: every timeout halved: a failed leader or a silent voter is given up on twice as fast, and more decisions time out under load (a voting timeout near the p99 consensus time lets about 1 in 100 time out)',
    );
  }
  const family = algorithmFamily(r.algorithm);
  const basis = r.basis === 'measured' ? `measured: ${r.from}` : "not measured: from the algorithms' properties";
  return {
    ...r,
    agents,
    parameters: params,
    notes,
    scenario: family === undefined ? r.scenario : scenarioFor(r.target, r.algorithm, agents, r.inFlight, r.topology, params, basis),
  };
}

function halved(p: Parameter): Parameter {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(String(p.value));
  if (!m) return p;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  const half = Math.max(1, Math.round(ms / 2));
  return { ...p, value: `${half}ms`, derivation: `${p.derivation}; halved by --timeout-aggressive (was ${p.value})` };
}
