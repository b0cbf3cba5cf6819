/**
 * What a run makes of the enterprise settings (tutorial exercise 18: `decision_policies`,
 * `monitoring`, `production_mode`, `oversight`) for its protocol: the class rules a voting
 * coordinator applies, the settings refused, and the warnings that name each setting the run
 * does not honour and say what to write instead. Under `production_mode: true` every such
 * warning is refused instead.
 */
import { ConfigError } from '../errors.ts';
import { POLICY_CLASSES, type PolicyClass } from '../scenario/decision-policies.ts';
import type { Scenario } from '../scenario/index.ts';
import { unusedSettings } from './client-run.ts';

/** How the drivers name their protocol in the warnings they give. */
const PROTOCOL_LABELS: Readonly<Record<string, string>> = { byzantine_tolerant: 'PBFT', pbft: 'PBFT' };

/** The protocols whose decisions are votes get classes; the others only monitoring. */
const VOTING = 'voting';

/** The classes some decision of the scenario names (the task's, the stages'). */
export function classesUsed(scenario: Scenario): Set<PolicyClass> {
  const used = new Set<PolicyClass>();
  if (scenario.workflow) {
    for (const st of scenario.workflow.stages) if (st.policy !== undefined) used.add(st.policy);
  } else if (scenario.task.policy !== undefined) used.add(scenario.task.policy);
  return used;
}

/**
 * The longest a decision of the scenario may take, voting and oversight together (ms): for the
 * run's own timeout and the termination checker's bound.
 *
 * @example
 * ```ts
 * longestDecisionMs(scenario); // 360000 for a critical class of timeout 300s and oversight_timeout 60s
 * ```
 */
export function longestDecisionMs(scenario: Scenario): number {
  let longest = scenario.consensus.votingTimeoutMs;
  for (const p of Object.values(scenario.decision_policies ?? {})) {
    longest = Math.max(longest, (p.timeoutMs ?? scenario.consensus.votingTimeoutMs) + (p.human_oversight ? (p.oversightTimeoutMs ?? 0) : 0));
  }
  return longest;
}

/**
 * Checks the enterprise settings against the protocol that runs them, before anything is
 * spawned: a setting that cannot work is a ConfigError naming it; one the run will not honour is
 * a warning naming it and what to write instead (a ConfigError under `production_mode: true`).
 * `protocol` is `'voting'` or the name of the protocol with its own driver (raft, PBFT, gossip).
 *
 * @example
 * ```ts
 * enterpriseWarnings(scenario, 'voting', { hook: false });
 * // ['decision_policies.emergency.emergency_contacts: alerts are delivered by the dashboard's channels (not built yet); ...']
 * ```
 */
export function enterpriseWarnings(scenario: Scenario, protocol: string, o: { hook: boolean; traced: boolean }): string[] {
  const out: string[] = [];
  const policies = scenario.decision_policies ?? {};
  const used = classesUsed(scenario);
  const voting = protocol === VOTING;
  for (const name of POLICY_CLASSES) {
    const p = policies[name];
    if (p === undefined) continue;
    const at = `decision_policies.${name}`;
    if (!voting) {
      const keys = Object.keys(p).filter((k) => k !== 'oversightTimeoutMs' && k !== 'on_timeout' && k !== 'leader_override');
      if (keys.length > 0)
        out.push(
          `${at} (${keys.join(', ')}): ${protocol} does not vote, so a class of decision is not applied (its own settings, e.g. consensus.voting_timeout / the client's, still are); the monitoring alerts work for ${protocol}`,
        );
      if (p.leader_override)
        out.push(
          `${at}.leader_override: ${protocol === 'raft' ? 'a Raft leader already commits without a vote, so there is nothing to override; remove it' : `${protocol} has no leader that could override it; remove it`}`,
        );
      continue;
    }
    if (!used.has(name)) {
      out.push(`${at}: no decision names this class (task.policy, or a workflow stage's policy), so it is not applied`);
      if (p.algorithm === 'raft')
        out.push(
          `${at}.algorithm: raft cannot judge a vote (it replicates a log through a leader); write a voting algorithm here, or run the scenario with consensus.algorithm: raft`,
        );
    } else if (p.algorithm === 'raft') {
      throw new ConfigError(
        `${at}.algorithm`,
        'a voting algorithm (simple_majority, supermajority, weighted_voting, byzantine_supermajority, byzantine_tolerant, adaptive or a custom policy): raft replicates a log through a leader and cannot judge one vote; to run Raft, set consensus.algorithm: raft',
        'raft',
      );
    }
    if (p.algorithm === 'byzantine_tolerant' || p.algorithm === 'pbft') {
      out.push(
        `${at}.algorithm: ${p.algorithm} is a protocol among replicas; a vote of this class is counted with its quorum rule instead (byzantine_supermajority: more than two thirds of the electorate) — write byzantine_supermajority to say so, or consensus.algorithm: byzantine_tolerant to run PBFT`,
      );
      if (p.threshold !== undefined)
        out.push(
          `${at}.threshold: byzantine_supermajority's quorum is fixed (more than two thirds), so ${p.threshold} is not read; remove it, or use supermajority with a threshold`,
        );
    }
    if (p.leader_override)
      out.push(
        `${at}.leader_override: a vote has no leader (the coordinator only counts ballots), so nothing overrides it; remove it (a leader that decides alone is consensus.algorithm: raft)`,
      );
    if (p.emergency_contacts !== undefined)
      out.push(
        `${at}.emergency_contacts: alerts are delivered by the dashboard's channels (not built yet); a run reports its alerts in result.alerts and to RunOptions.onAlert`,
      );
    if (p.audit_trail && !o.traced) out.push(`${at}.audit_trail: the trace is off (traceLevel: off), so no vote is recorded; run with the trace on`);
    if (p.human_oversight && used.has(name) && !o.hook) {
      throw new ConfigError(
        `${at}.human_oversight`,
        'true together with an oversight hook (oversight: { module: path#export } in the scenario, or RunOptions.oversight; on the command line, conclave run --mode threads with the run store asks a person, who answers with conclave approve RUN DECISION), or false',
        true,
      );
    }
    if (p.expert_review && used.has(name)) {
      const domain = scenario.task.domain;
      const experts = scenario.agents.filter((g) =>
        (g.expertise?.domains ?? scenario.consensus.agent_expertise?.[g.role]?.domains ?? []).includes(domain ?? ''),
      );
      if (!scenario.workflow && domain === undefined)
        out.push(`${at}.expert_review: the task has no domain, so no agent is its expert and every decision of this class fails review; give task.domain`);
      else if (!scenario.workflow && experts.length === 0)
        out.push(
          `${at}.expert_review: no agent group has expertise in ${domain}, so every decision of this class fails review; give a group expertise: { domains: [${domain}] }`,
        );
    }
  }
  if (!voting && scenario.task.policy !== undefined) out.push(`task.policy: ${protocol} does not vote, so the class ${scenario.task.policy} is not applied`);
  if (scenario.oversight !== undefined && !(voting && [...used].some((c) => policies[c]?.human_oversight))) {
    out.push(
      `oversight: no decision of this run is held for oversight (that needs ${voting ? 'a class with human_oversight: true named by task.policy or a stage' : 'a vote'}), so the hook is never asked`,
    );
  }
  const m = scenario.monitoring;
  if (m?.consensusMetrics === false)
    out.push('monitoring.consensus_metrics: the figures are always measured and reported, so false changes nothing; remove it');
  if (m?.performanceAlerts === false && (m.slowConsensusMs !== undefined || m.failureRate !== undefined))
    out.push('monitoring.performance_alerts: false turns off the slow-consensus and failure-rate alerts, so their thresholds are not used');
  if (m?.byzantineDetection && (protocol === 'raft' || protocol === 'gossip'))
    out.push(
      `monitoring.byzantine_detection: ${protocol} does not detect Byzantine agents (it is not Byzantine tolerant), so no such alert can be raised; use a vote or byzantine_tolerant`,
    );
  // The protocol's own warnings (a vote's settings given to Raft...) are refused too; they stay the driver's to report.
  const refused = scenario.production_mode
    ? [
        ...(voting
          ? []
          : unusedSettings(scenario, PROTOCOL_LABELS[protocol] ?? protocol, {
              reads: protocol === 'raft',
              ...(PROTOCOL_LABELS[protocol] === 'PBFT' ? { signs: true, detectsByzantine: true } : {}),
            })),
        ...out,
      ]
    : [];
  if (refused.length > 0) {
    throw new ConfigError(
      'production_mode',
      `a scenario every setting of which this run honours (production_mode: true refuses what would only be warned about): ${refused[0]}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}`,
      true,
    );
  }
  return out;
}
