import { algorithmFamily, type BenchAlgorithm } from '../bench/bench-algorithms.ts';
import type { MeasuredGroup } from '../bench/bench-report.ts';
import { benchAgents } from '../bench/bench-scenario.ts';
import { fixed } from './figure-format.ts';
import type { OptimizeTarget } from './recommend.ts';
import type { TaskTypeRule } from './task-types.ts';

/**
 * A scenario setting the recommendation makes, and how it was arrived at.
 *
 * @example
 * ```ts
 * const p: Parameter = { key: 'consensus.voting_timeout', value: '18ms', derivation: '3 x 5.96 virtual ms (the worst iteration p99) = 17.9 ms, rounded up' };
 * ```
 */
export interface Parameter {
  /** Where it goes in a scenario file (`consensus.voting_timeout`, `task.in_flight`, `agents`). */
  readonly key: string;
  readonly value: string | number;
  readonly derivation: string;
}

/** Raft's and PBFT's defaults, kept when a derived value would be smaller. */
const RAFT_ELECTION_MIN_MS = 150;
const PBFT_VIEW_CHANGE_MS = 200;
const DEFAULT_MAX_BATCH = 64;

/**
 * The timeouts and batch size of a measured group's protocol, each with how it was derived from
 * the group's consensus times: the voting timeout is `rule.timeoutFactor` x the worst
 * iteration's p99; Raft's election and PBFT's view-change timeouts, which detect a failed leader,
 * 10 x the median commit time, never below the defaults; a batch is at most the in-flight window.
 *
 * @example
 * ```ts
 * measuredSettings(group, 1, taskTypeRule(undefined)); // [{ key: 'consensus.voting_timeout', value: '18ms', derivation: '3 x 5.96 virtual ms ...' }]
 * ```
 */
export function measuredSettings(g: MeasuredGroup, inFlight: number, rule: TaskTypeRule): Parameter[] {
  const batch = (key: string): Parameter => ({
    key,
    value: Math.min(DEFAULT_MAX_BATCH, inFlight),
    derivation: `a batch carries at most the requests open at once (in_flight ${inFlight}), capped at the default ${DEFAULT_MAX_BATCH}`,
  });
  switch (algorithmFamily(g.algorithm)) {
    case 'voting': {
      const worstP99 = Math.max(g.consensusMs.p99, ...g.runs.filter((r) => r.error === undefined && r.decided > 0).map((r) => r.latencyMs.p99));
      const f = rule.timeoutFactor;
      return [
        {
          key: 'consensus.voting_timeout',
          value: `${roundUp(worstP99 * f)}ms`,
          derivation: `${f} x ${fixed(worstP99)} ${g.consensusMs.clock} ms (the worst iteration's p99 consensus time) = ${fixed(worstP99 * f)}, rounded up; ${f} x for ${rule.label}`,
        },
      ];
    }
    case 'raft': {
      const min = failureDetector(g, RAFT_ELECTION_MIN_MS);
      return [
        {
          key: 'consensus.raft.election_timeout_min',
          value: `${min}ms`,
          derivation: `${detectorWhy(g, RAFT_ELECTION_MIN_MS)}: heartbeats are then never mistaken for a dead leader`,
        },
        {
          key: 'consensus.raft.election_timeout_max',
          value: `${2 * min}ms`,
          derivation: '2 x the minimum: randomised timeouts that far apart rarely split a vote',
        },
        {
          key: 'consensus.raft.heartbeat',
          value: `${Math.floor(min / 3)}ms`,
          derivation: 'a third of the minimum election timeout: a follower hears the leader about three times before it would stand',
        },
        batch('consensus.raft.max_batch'),
      ];
    }
    case 'pbft':
      return [
        {
          key: 'consensus.pbft.view_change_timeout',
          value: `${failureDetector(g, PBFT_VIEW_CHANGE_MS)}ms`,
          derivation: `${detectorWhy(g, PBFT_VIEW_CHANGE_MS)}: a healthy primary then commits well within it and is not deposed`,
        },
        batch('consensus.pbft.max_batch'),
      ];
  }
}

/**
 * A timeout that detects a failed leader or primary: an order of magnitude above the median
 * commit time (Raft's broadcast time << election timeout), never below the protocol's default.
 * Not the p99: it includes the waits of elections and recoveries, the very thing being timed.
 */
function failureDetector(g: MeasuredGroup, defaultMs: number): number {
  return Math.max(defaultMs, roundUp(10 * g.consensusMs.p50));
}

function detectorWhy(g: MeasuredGroup, defaultMs: number): string {
  return `at least 10 x the median commit time (${fixed(g.consensusMs.p50)} ${g.consensusMs.clock} ms) and no less than the default ${defaultMs} ms; not from the p99 (${fixed(g.consensusMs.p99)} ms), which includes the waits of elections and recoveries`;
}

/**
 * The protocol defaults, for a recommendation no measurement backs.
 *
 * @example
 * ```ts
 * defaultSettings('raft'); // [{ key: 'consensus.raft.election_timeout_min', value: '150ms', derivation: 'the default: ...' }]
 * ```
 */
export function defaultSettings(algorithm: BenchAlgorithm): Parameter[] {
  const note = 'the default: no measurement to derive it from';
  switch (algorithmFamily(algorithm)) {
    case 'voting':
      return [{ key: 'consensus.voting_timeout', value: '60s', derivation: note }];
    case 'raft':
      return [{ key: 'consensus.raft.election_timeout_min', value: `${RAFT_ELECTION_MIN_MS}ms`, derivation: note }];
    case 'pbft':
      return [{ key: 'consensus.pbft.view_change_timeout', value: `${PBFT_VIEW_CHANGE_MS}ms`, derivation: note }];
  }
}

/**
 * A scenario file that runs a recommendation: the bench's agents at size `n`, its binary question
 * with a ground truth, the recommended settings (`consensus.*` keys) and in-flight window.
 *
 * @example
 * ```ts
 * parseScenario(scenarioFor('speed', 'simple_majority', 3, 1, 'mesh', settings, 'measured: bench.json')); // runs with conclave run
 * ```
 */
export function scenarioFor(
  target: OptimizeTarget,
  algorithm: BenchAlgorithm,
  n: number,
  inFlight: number,
  topology: string,
  settings: readonly Parameter[],
  basis: string,
): string {
  const family = algorithmFamily(algorithm);
  const nested = settings.filter((p) => p.key.startsWith(`consensus.${family}.`)).map((p) => `${p.key.slice(`consensus.${family}.`.length)}: ${p.value}`);
  const flat = settings.filter((p) => p.key === 'consensus.voting_timeout').map((p) => `voting_timeout: ${p.value}`);
  const consensus = [`algorithm: ${algorithm}`, ...flat, ...(nested.length > 0 ? [`${family}: { ${nested.join(', ')} }`] : [])];
  return [
    `# conclave optimize --target ${target}: ${algorithm}, n = ${n} (${basis})`,
    `name: optimized-${target}`,
    'agents:',
    ...benchAgents(n).map((a) => `  - { role: ${a.role}, count: ${a.count}, weight: ${a.weight}, accuracy: ${a.accuracy} }`),
    `topology: ${topology}`,
    `consensus: { ${consensus.join(', ')} }`,
    `task: { question: "benchmark decision (put yours here)", options: [A, B], truth: A, decisions: 100, in_flight: ${inFlight} }`,
    '',
  ].join('\n');
}

/** Two significant figures, rounded up (a timeout errs long): 17.88 -> 18, 738 -> 740, 5.81 -> 5.9. */
function roundUp(x: number): number {
  if (!(x > 0)) return 1;
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.ceil(x / step - 1e-9) * step).toPrecision(2));
}
