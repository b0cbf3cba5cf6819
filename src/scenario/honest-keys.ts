/**
 * Keys of `consensus:` that the consensus configuration users already have writes and that are
 * not settings of one protocol: each is honoured (and how is said here), refused with what to
 * write instead, or named in the run's warnings. Runs on the raw scenario, configuration merged
 * under it, before validation; `origin` says where a key came from, for messages.
 */
import { ConfigError } from '../errors.ts';
import { PBFT_NAMES } from './apply-config.ts';
import { isMapping } from './deep-merge.ts';
import { didYouMean } from './did-you-mean.ts';
import { ENTERPRISE_KEYS } from './enterprise-keys.ts';
import { tryParseDuration } from './duration.ts';

/** Algorithms that keep their decisions safe with f < n/3 Byzantine agents. */
const BYZANTINE_TOLERANT = [...PBFT_NAMES, 'byzantine_supermajority'];

/**
 * The raw scenario without the keys handled here (`consensus.malicious_detection`,
 * `consensus.raft.enabled`, `consensus.raft.leader_timeout`), the warnings they earn, and the
 * refusals (ConfigError) for contradictions:
 * - `byzantine_tolerance: true` needs a Byzantine-tolerant algorithm (`byzantine_tolerant` / `pbft`
 *   or `byzantine_supermajority`), `false` refuses one; from a configuration file, against an
 *   algorithm the scenario names itself, it is named instead (the scenario is on top);
 * - `malicious_detection` is PBFT's (always on: signed proof, reported in `byzantineDetected`);
 *   with another algorithm, or `false` with PBFT, it is named as not used;
 * - `raft.enabled: false` with `algorithm: raft` is refused; `true` with another algorithm is named;
 * - `raft.leader_timeout` is named as not used (Raft's follower-side timer is the election timeout);
 * - any other key of `consensus:` no part of Conclave reads is named (unless a custom policy,
 *   which may read any, is loaded); `byzantine_detection` is `malicious_detection`;
 * - weights given to a vote that counts one per agent are named;
 * - a bare-number timeout that is small for its key is named (bare numbers are milliseconds).
 *
 * @example
 * ```ts
 * honestKeys({ consensus: { algorithm: 'raft', raft: { leader_timeout: 5000 } } }).warnings;
 * // ['consensus.raft.leader_timeout: Raft has no leader timeout, so it is not used: ...']
 * ```
 */
export function honestKeys(raw: unknown, origin: (path: string) => string | undefined = () => undefined): { raw: unknown; warnings: string[] } {
  if (!isMapping(raw) || !isMapping(raw.consensus)) return { raw, warnings: [] };
  const warnings: string[] = [];
  const at = (path: string) => {
    const o = origin(path);
    return o ? `${path} (${o})` : path;
  };
  /** For a refusal: the origin goes in the text, the path stays a path. */
  const fromFile = (path: string) => {
    const o = origin(path);
    return o ? ` (set in ${o})` : '';
  };
  const { malicious_detection: maliciousKey, byzantine_detection: byzantineKey, ...consensus } = raw.consensus;
  // The tutorial writes detection both ways: one setting.
  const malicious = maliciousKey ?? byzantineKey;
  const detectionPath = maliciousKey === undefined ? 'consensus.byzantine_detection' : 'consensus.malicious_detection';
  const algorithm = typeof consensus.algorithm === 'string' ? consensus.algorithm : 'simple_majority';
  const pbft = PBFT_NAMES.includes(algorithm);

  const bt = consensus.byzantine_tolerance;
  // A configuration file's byzantine_tolerance is a default; a scenario that names its own
  // algorithm is on top of it: the contradiction is named, the scenario's algorithm runs.
  const scenarioOverrides =
    typeof consensus.algorithm === 'string' && origin('consensus.algorithm') === undefined && origin('consensus.byzantine_tolerance') !== undefined;
  if (scenarioOverrides && typeof bt === 'boolean' && bt !== BYZANTINE_TOLERANT.includes(algorithm)) {
    warnings.push(
      `${at('consensus.byzantine_tolerance')}: ${bt}, but this scenario names consensus.algorithm: ${algorithm}, which ${bt ? 'does not tolerate' : 'tolerates'} Byzantine agents; the scenario's algorithm runs (a scenario is on top of the configuration files)`,
    );
  } else if (bt === true && !BYZANTINE_TOLERANT.includes(algorithm)) {
    throw new ConfigError(
      'consensus.byzantine_tolerance',
      `an algorithm that tolerates Byzantine agents with byzantine_tolerance: true${fromFile('consensus.byzantine_tolerance')}: write consensus.algorithm: byzantine_tolerant (PBFT; default_algorithm in a configuration file) or byzantine_supermajority (a vote), or byzantine_tolerance: false`,
      `true with algorithm ${algorithm}`,
    );
  } else if (bt === false && BYZANTINE_TOLERANT.includes(algorithm)) {
    throw new ConfigError(
      'consensus.byzantine_tolerance',
      `true (or no byzantine_tolerance${fromFile('consensus.byzantine_tolerance')}) with algorithm ${algorithm}, which is Byzantine-tolerant; for a vote that is not, write consensus.algorithm: supermajority`,
      `false with algorithm ${algorithm}`,
    );
  }

  if (malicious !== undefined) {
    if (typeof malicious !== 'boolean') throw new ConfigError(detectionPath, `true or false${fromFile(detectionPath)}`, malicious);
    if (!pbft && malicious)
      warnings.push(
        `${at(detectionPath)}: ${algorithm} does not detect lying agents, so it is not used; PBFT does (consensus.algorithm: byzantine_tolerant: signed proof of equivocation, listed in the result's byzantineDetected)`,
      );
    if (pbft && !malicious)
      warnings.push(`${at(detectionPath)}: false is not used: PBFT always checks signatures and reports the replicas it catches (byzantineDetected)`);
  }

  if (isMapping(consensus.raft)) {
    const { enabled, leader_timeout, ...raft } = consensus.raft;
    if (enabled === false && algorithm === 'raft')
      throw new ConfigError(
        'consensus.raft.enabled',
        `true (or no enabled${fromFile('consensus.raft.enabled')}) with consensus.algorithm: raft; to run something else, change consensus.algorithm`,
        false,
      );
    if (enabled !== undefined && typeof enabled !== 'boolean')
      throw new ConfigError('consensus.raft.enabled', `true or false${fromFile('consensus.raft.enabled')}`, enabled);
    if (enabled === true && algorithm !== 'raft')
      warnings.push(
        `${at('consensus.raft.enabled')}: the algorithm is ${algorithm}, so Raft does not run; write consensus.algorithm: raft (default_algorithm: raft in a configuration file) to run it`,
      );
    if (leader_timeout !== undefined)
      warnings.push(
        `${at('consensus.raft.leader_timeout')}: Raft has no leader timeout, so it is not used: a follower stands for election when it has not heard its leader for a random time between consensus.raft.election_timeout_min and election_timeout_max; set those instead`,
      );
    consensus.raft = raft;
    if (algorithm !== 'raft' && Object.keys(raft).length > 0)
      warnings.push(`${at('consensus.raft')}: the algorithm is ${algorithm}, so the Raft settings (${Object.keys(raft).join(', ')}) are not used`);
    if (Object.keys(raft).length === 0) delete consensus.raft;
  }

  if (UNWEIGHTED.includes(algorithm)) {
    const given = WEIGHT_KEYS.filter((k) => consensus[k] !== undefined);
    if (given.length > 0)
      warnings.push(
        `${given.map((k) => at(`consensus.${k}`)).join(', ')}: ${algorithm} counts one vote per agent, so ${given.length === 1 ? 'it is' : 'they are'} not used; weights count under consensus.algorithm: weighted_voting`,
      );
  }
  // Keys no part of Conclave reads (a custom policy may read any: then they are its own).
  if (consensus.policy === undefined && BUILT_IN.includes(algorithm)) {
    for (const key of Object.keys(consensus)) {
      if (SCENARIO_CONSENSUS_KEYS.includes(key) || ENTERPRISE_KEYS.includes(key)) continue;
      warnings.push(`${at(`consensus.${key}`)}: not a setting ${algorithm} or any part of Conclave reads, so it is not used${nearestText(key)}`);
    }
  }
  warnings.push(...bareDurationWarnings(consensus, at));
  return { raw: { ...raw, consensus }, warnings };
}

/** The keys of a scenario's `consensus:` the runtime reads (the schema's, and each protocol's section). */
const SCENARIO_CONSENSUS_KEYS = [
  'algorithm',
  'threshold',
  'min_participants',
  'voting_timeout',
  'agent_weights',
  'agent_expertise',
  'expert_weight',
  'regular_weight',
  'dynamic_weights',
  'weight_reference',
  'byzantine_tolerance',
  'policy',
  'adaptive',
  'escalation',
  'implementation',
  'raft',
  'pbft',
  'gossip',
];

/** Algorithms that read no parameters of their own from `consensus:` (a registered policy may). */
const BUILT_IN = ['simple_majority', 'supermajority', 'weighted_voting', 'byzantine_supermajority', 'adaptive', 'raft', 'gossip', ...PBFT_NAMES];

function nearestText(key: string): string {
  const near = didYouMean(key, SCENARIO_CONSENSUS_KEYS);
  return near === undefined ? ` (a custom policy's parameter needs consensus.policy)` : `; did you mean consensus.${near}?`;
}

/** Voting algorithms that count one vote per agent, and the weight keys they do not read. */
const UNWEIGHTED = ['simple_majority', 'supermajority', 'byzantine_supermajority'];
const WEIGHT_KEYS = ['agent_weights', 'agent_expertise', 'expert_weight', 'regular_weight'];

/** Timeouts and how small a bare number may be before it looks like seconds meant. */
const SMALL: readonly [path: string, belowMs: number][] = [
  ['voting_timeout', 1_000],
  ['raft.election_timeout_min', 50],
  ['raft.election_timeout_max', 50],
  ['pbft.view_change_timeout', 50],
];

/**
 * A warning for each timeout written as a bare number small enough that seconds were probably
 * meant (a bare number is milliseconds).
 *
 * @example
 * ```ts
 * bareDurationWarnings({ voting_timeout: 60 }, (p) => p); // ['consensus.voting_timeout: 60 is read as 60 ms ...']
 * ```
 */
export function bareDurationWarnings(consensus: Record<string, unknown>, at: (path: string) => string = (p) => p): string[] {
  const out: string[] = [];
  for (const [path, below] of SMALL) {
    const [a, b] = path.split('.');
    const v = b === undefined ? consensus[a] : isMapping(consensus[a]) ? (consensus[a] as Record<string, unknown>)[b] : undefined;
    if (typeof v !== 'number' || tryParseDuration(v) === undefined || v >= below) continue;
    out.push(
      `${at(`consensus.${path}`)}: ${v} is read as ${v} ms (a bare number is milliseconds); write ${v}s if seconds were meant, or ${v}ms to keep it and silence this`,
    );
  }
  return out;
}
