import type { SpawnOptions } from '../actors/actor-host.ts';
import type { ActorId } from '../actors/envelope.ts';
import { DEFAULT_MAILBOX_CAPACITY } from '../actors/mailbox.ts';
import { ConfigError } from '../errors.ts';
import { MAX_AGENTS } from '../scenario/bounds.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import type { CoordinatorProps } from '../protocols/voting/coordinator.ts';
import { BYZANTINE_VOTER } from '../adversary/byzantine-voter.ts';
import { COORDINATOR, VOTER } from '../protocols/voting/refs.ts';
import { byzantinePlan } from './byzantine-plan.ts';
import { voteSecurityPlan } from './vote-security-plan.ts';
import { coordinatorPolicies } from './coordinator-policies.ts';
import type { VoterProps } from '../protocols/voting/voter.ts';
import type { Scenario } from '../scenario/index.ts';
import { selectTopology, DEFAULT_SELECTION_RULES, type Member, type TopologySpec } from '../topologies/index.ts';

/**
 * The coordinator's id in every swarm.
 *
 * @example
 * ```ts
 * const summary = await swarm.system.snapshot(COORDINATOR_ID);
 * ```
 */
export const COORDINATOR_ID = 'coordinator';

/**
 * What a scenario turns into: the actors to spawn (with their props), the topology members and
 * the initial topology. Pure data, so it can be inspected and tested without running anything.
 *
 * @example
 * ```ts
 * const plan = planSwarm(scenario);
 * plan.actors.map((a) => a.id); // ['coordinator', 'researcher_001', 'coder_001', 'coder_002', ...]
 * ```
 */
export interface SwarmPlan {
  readonly actors: readonly { readonly id: ActorId; readonly behaviour: BehaviourRef; readonly props: unknown; readonly options?: SpawnOptions }[];
  readonly members: readonly Member[];
  readonly topology: TopologySpec;
  /** Why this topology (the selector's reason when the scenario says `adaptive`). */
  readonly topologyReason: string;
  readonly voters: number;
  /** Agents the scenario's `faults.byzantine` made Byzantine (seeded choice). */
  readonly byzantine: readonly ActorId[];
}

/**
 * Plans a swarm: agents named `<role>_<nnn>` per group (numbering per role across groups), a
 * coordinator that is also the topology's default hub and root, role weights and expertise
 * merged from the groups into the consensus parameters (a group's own `weight` wins), and the
 * initial topology (the selector's choice for `adaptive`).
 *
 * @example
 * ```ts
 * const plan = planSwarm(await loadScenarioFile('examples/db-choice.yml'));
 * ```
 */
export function planSwarm(scenario: Scenario, options: { traceVotes?: boolean; seed?: number } = {}): SwarmPlan {
  const { consensus, task } = scenario;
  const ids = agentIds(scenario.agents);
  const stageTruths = Object.fromEntries((scenario.workflow?.stages ?? []).flatMap((s) => (s.truth !== undefined ? [[s.name, s.truth]] : [])));
  const voters: { id: ActorId; behaviour: BehaviourRef; props: VoterProps }[] = [];
  const voterInfo: Record<ActorId, { role: string; domains?: string[] }> = {};
  const agentWeights: Record<string, number> = { ...consensus.agent_weights };
  const agentExpertise: Record<string, { weight: number; domains: string[] }> = { ...consensus.agent_expertise };
  const security = voteSecurityPlan(scenario);
  for (const [k, g] of scenario.agents.entries()) {
    if (g.weight !== undefined) agentWeights[g.role] = g.weight;
    if (g.expertise !== undefined) agentExpertise[g.role] = g.expertise;
    const domains = agentExpertise[g.role]?.domains;
    for (const id of ids[k]) {
      const props: VoterProps = {
        role: g.role,
        accuracy: g.accuracy,
        truth: task.truth,
        reasons: g.reasons,
        voteFields: g.vote_fields,
        riskView: g.risk_view,
        stageTruths: Object.keys(stageTruths).length > 0 ? stageTruths : undefined,
        ballot: security.ballot,
      };
      // A user's own agent module: its `export` defaults to `voter`, the shape the coordinator talks to.
      const behaviour: BehaviourRef = g.behaviour ? { module: g.behaviour.module, export: g.behaviour.export ?? 'voter' } : VOTER;
      voters.push({ id, behaviour, props: stripUndefined(props) });
      voterInfo[id] = domains ? { role: g.role, domains } : { role: g.role };
    }
  }
  const byzantine = byzantinePlan(
    scenario.faults?.byzantine,
    voters.map((v) => ({ id: v.id, role: v.props.role })),
    options.seed ?? scenario.seed ?? 1,
  );
  for (const v of voters) {
    if (!byzantine?.agents.has(v.id)) continue;
    v.behaviour = BYZANTINE_VOTER;
    v.props = { ...v.props, byzantine: byzantine.kinds, ...(byzantine.delayMs !== undefined ? { delayMs: byzantine.delayMs } : {}) } as VoterProps;
  }
  const adaptive = scenario.topology === 'adaptive';
  const selection = adaptive
    ? selectTopology({
        complexity: task.complexity,
        novelty: task.novelty,
        delegated: task.delegated,
        sequential: task.sequential,
        centralised: task.centralised,
        agents: voters.length + 1,
      })
    : undefined;
  const topology = selection ? selection.topology : (scenario.topology as TopologySpec);
  const coordinatorProps: CoordinatorProps = {
    consensus: stripUndefined({ ...consensus, agent_weights: agentWeights, agent_expertise: agentExpertise }),
    task: stripUndefined({ ...task }),
    // Stages pick their electorates by expertise, so the coordinator needs to know who is who;
    // otherwise it addresses the topology's members with one broadcast.
    voterInfo: scenario.workflow ? voterInfo : undefined,
    workflow: scenario.workflow,
    schedule: scenario.schedule,
    selectionRules: adaptive ? [...DEFAULT_SELECTION_RULES] : undefined,
    initialTopology: selection ? JSON.stringify(selection.topology) : undefined,
    traceVotes: options.traceVotes,
    security: security.coordinator,
    policies: coordinatorPolicies(scenario),
    experts: Object.values(scenario.decision_policies ?? {}).some((p) => p.expert_review)
      ? Object.fromEntries(Object.entries(voterInfo).map(([id, v]) => [id, v.domains ?? []]))
      : undefined,
  };
  return {
    // The scenario's own coordinator (swarm.ts checks it loads), or the built-in.
    actors: [
      {
        id: COORDINATOR_ID,
        behaviour: consensus.implementation ?? COORDINATOR,
        props: stripUndefined(coordinatorProps),
        options: coordinatorOptions(task.inFlight, voters.length),
      },
      ...voters,
    ],
    members: [{ id: COORDINATOR_ID, role: 'coordinator' }, ...voters.map((v) => ({ id: v.id, role: v.props.role }))],
    topology,
    topologyReason: selection ? selection.reason : 'as the scenario says',
    voters: voters.length,
    byzantine: [...(byzantine?.agents ?? [])],
  };
}

/**
 * The coordinator holds up to `inFlight x voters` votes at once: its mailbox must take them all
 * (a full mailbox would dead-letter votes and time decisions out). A failure of its own stops
 * it (no failure is tolerated: it escalates at once) rather than restarting it empty in place:
 * a restarted coordinator has forgotten the run it owes a reply to, and the swarm reports the
 * failure instead of waiting for that reply. The crash of its worker is not its failure: the
 * strategy `restart` has the thread system start it again on a live worker, and the swarm
 * resumes the run on it from what the trace showed (Swarm.runOnce).
 */
function coordinatorOptions(inFlight: number, voters: number): SpawnOptions {
  return {
    mailboxCapacity: Math.max(DEFAULT_MAILBOX_CAPACITY, 2 * inFlight * Math.max(1, voters) + 1024),
    supervision: { strategy: 'restart', maxFailures: 0 },
  };
}

/**
 * Every agent's id, group by group: `<role>_<nnn>`, numbered per role across groups (two groups
 * of coders make coder_001..coder_005). Voting swarms and Raft clusters name agents alike.
 *
 * @example
 * ```ts
 * agentIds([{ role: 'coder', count: 2 }, { role: 'tester', count: 1 }]); // [['coder_001', 'coder_002'], ['tester_001']]
 * ```
 */
export function agentIds(groups: readonly { readonly role: string; readonly count: number }[]): ActorId[][] {
  checkAgentCounts(groups);
  const perRole = new Map<string, number>();
  return groups.map((g) =>
    Array.from({ length: g.count }, () => {
      const n = (perRole.get(g.role) ?? 0) + 1;
      perRole.set(g.role, n);
      return `${g.role}_${String(n).padStart(3, '0')}`;
    }),
  );
}

/**
 * The loader refuses out-of-range counts with the file's line; a scenario built in code skips the
 * loader, so every driver (they all name agents here) checks again before allocating: a count
 * of 1e15 must be an error that says so, not "Invalid array length" or an exhausted heap.
 */
function checkAgentCounts(groups: readonly { readonly count: number }[]): void {
  let total = 0;
  groups.forEach((g, i) => {
    if (!Number.isSafeInteger(g.count) || g.count < 1 || g.count > MAX_AGENTS)
      throw new ConfigError(`agents[${i}].count`, `an integer from 1 to ${MAX_AGENTS.toLocaleString('en-US')}`, g.count);
    total += g.count;
  });
  if (total > MAX_AGENTS)
    throw new ConfigError('agents', `at most ${MAX_AGENTS.toLocaleString('en-US')} agents in all`, `${total.toLocaleString('en-US')} agents`);
}

/**
 * Each agent's role, by id (ids as `agentIds` names them).
 *
 * @example
 * ```ts
 * roleMap(scenario).get('coder_002'); // 'coder'
 * ```
 */
export function roleMap(scenario: { readonly agents: readonly { readonly role: string; readonly count: number }[] }): Map<ActorId, string> {
  const ids = agentIds(scenario.agents);
  return new Map(scenario.agents.flatMap((g, i) => ids[i].map((id) => [id, g.role] as const)));
}

/**
 * Props cross to workers by structured clone and into traces: leave out absent fields.
 *
 * @example
 * ```ts
 * stripUndefined({ a: 1, b: undefined }); // { a: 1 }
 * ```
 */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The topology of a swarm whose members are its agents alone (Raft nodes, PBFT replicas): the
 * scenario's topology over them, or for `adaptive` the selector's choice from the task's traits.
 * Whoever drives the run (a client) stays outside it and reaches every member directly.
 *
 * @example
 * ```ts
 * const { members, topology, reason } = memberTopology(scenario, nodes, roleMap(scenario));
 * ```
 */
export function memberTopology(
  scenario: Scenario,
  ids: readonly ActorId[],
  roles: ReadonlyMap<ActorId, string>,
): { members: Member[]; topology: TopologySpec; reason: string } {
  const members = ids.map((id) => ({ id, role: roles.get(id) ?? 'agent' }));
  if (scenario.topology !== 'adaptive') return { members, topology: scenario.topology as TopologySpec, reason: 'as the scenario says' };
  const { task } = scenario;
  const selection = selectTopology({
    complexity: task.complexity,
    novelty: task.novelty,
    delegated: task.delegated,
    sequential: task.sequential,
    centralised: task.centralised,
    agents: ids.length,
  });
  return { members, topology: selection.topology, reason: selection.reason };
}
