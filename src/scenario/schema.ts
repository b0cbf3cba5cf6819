/**
 * The scenario file as users write it (snake_case YAML keys) and the normalised shape the rest of
 * Conclave reads (durations in ms, defaults filled, schedule sorted). The schema is pure: the steps
 * that need to know where the file is (module paths) or look across sections after defaults
 * (`weight_reference`) happen in `load-scenario.ts`.
 */
import { z } from 'zod';
import type { RiskLevel } from '../protocols/voting/types.ts';
import { TOPOLOGY_KINDS, type TopologySpec } from '../topologies/route-graph.ts';
import {
  agentExpertise,
  agentWeights,
  duration,
  expecting,
  expertise,
  integer,
  nonEmptyString,
  oneOf,
  positiveNumber,
  probability,
  strictMapping,
  stringList,
  threshold,
  type IssueParams,
} from './fields.ts';
import { clip, listText } from './bounded-text.ts';
import { didYouMean } from './did-you-mean.ts';
import { auditSchema, placeSecuritySections, securitySchema, type AuditSettings, type SecuritySettings } from './security-settings.ts';
import { decisionPolicies, policyClassName, voteAlgorithmFor, type DecisionPolicies, type PolicyClass } from './decision-policies.ts';
import { monitoring, type MonitoringConfig } from './monitoring.ts';
import { count as thousands, MAX_AGENTS, MAX_DECISIONS, MAX_IN_FLIGHT, MAX_OPTIONS, MAX_SEED, MAX_VOTING_TIMEOUT_MS } from './bounds.ts';

/**
 * A behaviour given as a module and an export name.
 *
 * @example
 * ```ts
 * const b: ModuleRef = { module: '/abs/scenarios/voters.ts', export: 'stubbornVoter' };
 * ```
 */
export interface ModuleRef {
  /** Absolute once loaded (written relative to the scenario file's folder). */
  module: string;
  export?: string;
}

/**
 * A group of agents with the same role. `weight` here beats `consensus.agent_weights[role]`.
 *
 * @example
 * ```ts
 * const g: AgentGroup = { role: 'researcher', count: 1, weight: 1.5, accuracy: 0.8 };
 * ```
 */
export interface AgentGroup {
  role: string;
  /** Integer >= 1; default 1. */
  count: number;
  weight?: number;
  /** 0..1, the chance an agent's opinion matches the truth; default 0.7. */
  accuracy?: number;
  expertise?: { weight: number; domains: string[] };
  reasons?: string[];
  behaviour?: ModuleRef;
  /** Fields added to every vote of this group (evidence_level, peer_reviewed...), for policies that read them. */
  vote_fields?: Record<string, unknown>;
  /** The risk this group perceives and reports with its votes (adaptive consensus discovers risk from it). */
  risk_view?: RiskLevel;
}

/**
 * How a decision is reached. Keys the schema does not know stay on the object, for custom policies.
 *
 * @example
 * ```ts
 * const c: ConsensusConfig = { algorithm: 'supermajority', threshold: 0.67, votingTimeoutMs: 60_000, escalation: 'record' };
 * ```
 */
export interface ConsensusConfig {
  /** Default `'simple_majority'`. */
  algorithm: string;
  /** In (0, 1]. */
  threshold?: number;
  min_participants?: number;
  /** From `voting_timeout`; default 60 s. */
  votingTimeoutMs: number;
  agent_weights?: Record<string, number>;
  agent_expertise?: Record<string, { weight: number; domains: string[] }>;
  expert_weight?: number;
  regular_weight?: number;
  dynamic_weights?: boolean;
  /** Always set once loaded: `'truth'` when the task has a truth, else `'outcome'`. */
  weight_reference?: 'truth' | 'outcome';
  byzantine_tolerance?: boolean;
  policy?: { module: string; export?: string; name?: string };
  /** Risk level -> algorithm, for `algorithm: adaptive`. */
  adaptive?: Partial<Record<RiskLevel, string>>;
  /** Default `'record'`. */
  escalation?: 'record' | 'wait';
  /**
   * The behaviour spawned for the protocol's main role (the Raft node, the PBFT replica, the
   * voting coordinator) instead of the built-in one; the module is absolute once loaded.
   */
  implementation?: { module: string; export: string };
  [extra: string]: unknown;
}

/**
 * Task traits a topology selector and a schedule can read or change.
 *
 * @example
 * ```ts
 * const t: Pick<TaskConfig, TaskTrait> = { complexity: 'high', sequential: true };
 * ```
 */
export type TaskTrait = 'complexity' | 'novelty' | 'delegated' | 'sequential' | 'centralised' | 'risk';

/**
 * What is decided, and how many times. Exactly one of `decisions` / `durationMs` is set.
 *
 * @example
 * ```ts
 * const t: TaskConfig = { question: 'Which database?', options: ['PostgreSQL', 'MongoDB'], decisions: 1, inFlight: 1 };
 * ```
 */
export interface TaskConfig {
  /** Empty when the scenario gives none (a replicated log asks nothing). */
  question: string;
  /** At least 2, all different, for voting algorithms; empty when the scenario gives none. */
  options: string[];
  /** Raft: the share of operations that are linearizable reads (ReadIndex); 0 to 1. */
  reads?: number;
  /** One of `options`. */
  truth?: string;
  domain?: string;
  risk?: RiskLevel;
  /** Integer >= 1; 1 when neither this nor `duration` is given. */
  decisions?: number;
  /** From `duration`. */
  durationMs?: number;
  /** From `in_flight`: decisions open at once; default 1. */
  inFlight: number;
  complexity?: 'low' | 'medium' | 'high';
  novelty?: 'low' | 'medium' | 'high';
  delegated?: boolean;
  sequential?: boolean;
  centralised?: boolean;
  /** The class of decision (`decision_policies`) the task's decisions belong to. */
  policy?: PolicyClass;
}

/**
 * One stage of a workflow. A stage without `options` (or `question`) uses the task's.
 *
 * @example
 * ```ts
 * const s: StageConfig = { name: 'review', consensus_algorithm: 'supermajority', depends_on: ['design'] };
 * ```
 */
export interface StageConfig {
  name: string;
  consensus_algorithm: string;
  threshold?: number;
  max_agents?: number;
  expert_domains?: string[];
  /** Default `[]`. */
  depends_on: string[];
  question?: string;
  options?: string[];
  truth?: string;
  risk?: RiskLevel;
  /** The stage's class of decision; its own consensus_algorithm / threshold beat the class's. */
  policy?: PolicyClass;
  /** What the stage decides, for people (the tutorial's workflows have one). */
  description?: string;
}

/**
 * Something that happens at a point in (virtual or real) time. At least one action is set.
 *
 * @example
 * ```ts
 * const e: ScheduleEntry = { atMs: 2_000, switch_topology: 'ring' };
 * ```
 */
export interface ScheduleEntry {
  atMs: number;
  switch_topology?: TopologySpec;
  task?: Partial<Pick<TaskConfig, TaskTrait>>;
}

/**
 * A whole scenario, normalised.
 *
 * @example
 * ```ts
 * const s: Scenario = await loadScenarioFile('scenarios/db-choice.yml');
 * s.consensus.votingTimeoutMs; // 60000
 * ```
 */
export interface Scenario {
  name: string;
  description?: string;
  /** Absolute path of the file it was loaded from. */
  file?: string;
  /** Integer >= 0. */
  seed?: number;
  mode?: 'sim' | 'threads';
  /** Non-empty. */
  agents: AgentGroup[];
  /** Passed through unchecked beyond its shape: the topology builder validates names and options. */
  topology: TopologySpec | 'adaptive';
  consensus: ConsensusConfig;
  task: TaskConfig;
  /** `name` is the tutorial's `workflow_name`. */
  workflow?: { name?: string; stages: StageConfig[] };
  /** As written: the adversary layer validates it. */
  faults?: Record<string, unknown>;
  /** Sorted by `atMs` (entries at the same time keep their file order). */
  schedule: ScheduleEntry[];
  /** Classes of decision, from the top level or `consensus.decision_policies`. */
  decision_policies?: DecisionPolicies;
  /** Alert thresholds, from the top level or `consensus.monitoring`. */
  monitoring?: MonitoringConfig;
  /** From the top level or `consensus.production_mode`: settings that would only be warned about are refused. */
  production_mode?: boolean;
  /** The human-oversight hook, as a module (absolute once loaded). */
  oversight?: ModuleRef;
  /**
   * What loading found accepted but not (fully) used: configuration keys the runtime does not
   * read, small bare-number timeouts. Every run's result lists them in its `warnings`.
   */
  warnings?: string[];
  /** `security:` (at the top level or under `consensus:`), when given: see SecuritySettings. */
  security?: SecuritySettings;
  /** `audit:` (at the top level or under `consensus:`), when given: see AuditSettings. */
  audit?: AuditSettings;
}

/**
 * The risk levels, in increasing order.
 *
 * @example
 * ```ts
 * RISK_LEVELS.indexOf('high') > RISK_LEVELS.indexOf('low'); // true
 * ```
 */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const satisfies readonly RiskLevel[];

const LEVELS = ['low', 'medium', 'high'] as const;

const TOPOLOGY_NAMES = TOPOLOGY_KINDS.map((k) => JSON.stringify(k)).join(', ');

/**
 * A name or `{ type, ...options }`. The name is checked here (every valid one listed, and the
 * close one a misspelling or other case was meant to be), so the error points at the scenario's
 * line; the options keep one source of truth in the topology builder.
 */
function topology(allowAdaptive: boolean) {
  const known: readonly string[] = allowAdaptive ? [...TOPOLOGY_KINDS, 'adaptive'] : TOPOLOGY_KINDS;
  const names = allowAdaptive ? `${TOPOLOGY_NAMES} or "adaptive"` : TOPOLOGY_NAMES;
  const nearest = (got: unknown, kinds: readonly string[]) => {
    const near = typeof got === 'string' ? didYouMean(got, kinds) : undefined;
    return near ? `"${near}" (did you mean it?), or ` : '';
  };
  return z.unknown().transform((value, ctx): TopologySpec | 'adaptive' => {
    if (typeof value === 'string' && known.includes(value)) return value as TopologySpec | 'adaptive';
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const type = (value as { type?: unknown }).type;
      if (typeof type === 'string' && (TOPOLOGY_KINDS as readonly string[]).includes(type)) return value as TopologySpec;
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${nearest(type, TOPOLOGY_KINDS)}a topology name (${TOPOLOGY_NAMES})`, input: type });
      return z.NEVER;
    }
    const params: IssueParams | undefined = value === 'adaptive' ? { hint: 'Only the top-level topology can be "adaptive".' } : undefined;
    ctx.addIssue({ code: 'custom', message: `${nearest(value, known)}a topology name (${names}) or { type, ...options }`, input: value, params });
    return z.NEVER;
  });
}

/** Reports every repeat of an earlier entry, at the repeat. */
function uniqueEntries(list: readonly string[], ctx: z.RefinementCtx, what: string): void {
  const first = new Map<string, number>();
  list.forEach((entry, i) => {
    const earlier = first.get(entry);
    if (earlier === undefined) first.set(entry, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [i],
        message: what,
        input: entry,
        params: { gotText: `${JSON.stringify(entry)} again (first at index ${earlier})` } satisfies IssueParams,
      });
  });
}

function optionList() {
  return stringList(2, MAX_OPTIONS).superRefine((options, ctx) => {
    uniqueEntries(options, ctx, 'each option only once');
    // A vote for "abstain" is an abstention: an option by that name could never win.
    options.forEach((o, i) => {
      if (o === 'abstain')
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: 'an option name other than "abstain" (it means not voting)',
          input: o,
          params: { hint: 'Rename the option, e.g. "no-action".' } satisfies IssueParams,
        });
    });
  });
}

const moduleRef = strictMapping(
  { module: nonEmptyString('a module path (relative to the scenario file)'), export: nonEmptyString().optional() },
  'a module reference { module, export }',
);

const agentGroup = strictMapping(
  {
    role: nonEmptyString('a role name'),
    count: integer(1, MAX_AGENTS).default(1),
    weight: positiveNumber().optional(),
    accuracy: probability().default(0.7),
    expertise: expertise().optional(),
    reasons: stringList().optional(),
    behaviour: moduleRef.optional(),
    vote_fields: z.record(z.string(), z.unknown(), expecting('a mapping of vote field -> value')).optional(),
    risk_view: oneOf(RISK_LEVELS).optional(),
  },
  'an agent group { role, count, ... }',
).transform(
  ({ role, count, weight, accuracy, expertise, reasons, behaviour, vote_fields, risk_view }): AgentGroup =>
    compact({
      role,
      count,
      weight,
      accuracy,
      expertise,
      reasons,
      behaviour: behaviour && compact({ module: behaviour.module, export: behaviour.export }),
      vote_fields,
      risk_view,
    }),
);

const consensus = z
  .looseObject(
    {
      algorithm: nonEmptyString(
        'an algorithm name (simple_majority, supermajority, weighted_voting, byzantine_tolerant, raft, gossip, adaptive or a policy name)',
      ).default('simple_majority'),
      threshold: threshold().optional(),
      min_participants: integer(1, MAX_AGENTS).optional(),
      voting_timeout: duration({ positive: true, maxMs: MAX_VOTING_TIMEOUT_MS }).default(60_000),
      agent_weights: agentWeights().optional(),
      agent_expertise: agentExpertise().optional(),
      expert_weight: positiveNumber().optional(),
      regular_weight: positiveNumber().optional(),
      dynamic_weights: z.boolean(expecting('true or false')).optional(),
      weight_reference: oneOf(['truth', 'outcome']).optional(),
      byzantine_tolerance: z.boolean(expecting('true or false')).optional(),
      policy: strictMapping(
        { module: nonEmptyString('a module path (relative to the scenario file)'), export: nonEmptyString().optional(), name: nonEmptyString().optional() },
        'a policy { module, export, name }',
      ).optional(),
      adaptive: strictMapping(
        Object.fromEntries(RISK_LEVELS.map((r) => [r, nonEmptyString('an algorithm name').optional()])) as Record<RiskLevel, z.ZodOptional<z.ZodString>>,
        'a mapping of risk level -> algorithm',
      ).optional(),
      escalation: oneOf(['record', 'wait']).default('record'),
      implementation: strictMapping(
        { module: nonEmptyString('a module path (relative to the scenario file)'), export: nonEmptyString('the name of the behaviour the module exports') },
        "a behaviour { module, export } for the protocol's main role (Raft node, PBFT replica or voting coordinator)",
      ).optional(),
      // Enterprise settings as tutorial exercise 18 writes them; moved to the top level below.
      decision_policies: decisionPolicies.optional(),
      monitoring: monitoring.optional(),
      production_mode: z.boolean(expecting('true or false')).optional(),
      // Where the tutorial's enterprise configuration writes them; the scenario moves them to its top level.
      security: securitySchema.optional(),
      audit: auditSchema.optional(),
    },
    expecting('a consensus mapping { algorithm, threshold, voting_timeout, ... }'),
  )
  // Unknown keys are kept: custom policies take their own parameters from here.
  .transform(({ voting_timeout, ...rest }): ConsensusConfig => compact({ ...rest, votingTimeoutMs: voting_timeout }));

const taskTraits = {
  complexity: oneOf(LEVELS).optional(),
  novelty: oneOf(LEVELS).optional(),
  delegated: z.boolean(expecting('true or false')).optional(),
  sequential: z.boolean(expecting('true or false')).optional(),
  centralised: z.boolean(expecting('true or false')).optional(),
  risk: oneOf(RISK_LEVELS).optional(),
};

const task = strictMapping(
  {
    // Voting protocols need both (the driver says so by name); a replicated log votes on nothing.
    question: nonEmptyString('a question').optional(),
    options: optionList().optional(),
    reads: z.number(expecting('a share from 0 to 1')).min(0, expecting('a share from 0 to 1')).max(1, expecting('a share from 0 to 1')).optional(),
    truth: nonEmptyString().optional(),
    domain: nonEmptyString().optional(),
    decisions: integer(1, MAX_DECISIONS).optional(),
    duration: duration({ positive: true }).optional(),
    in_flight: integer(1, MAX_IN_FLIGHT).default(1),
    policy: policyClassName.optional(),
    ...taskTraits,
  },
  'a task mapping { question, options, ... }',
)
  .superRefine((t, ctx) => {
    if (t.truth !== undefined && !(t.options ?? []).includes(t.truth)) {
      ctx.addIssue({
        code: 'custom',
        path: ['truth'],
        message: `one of the task's options (${listText(t.options ?? [])})`,
        input: t.truth,
        params: { hint: 'Add it to task.options or fix its spelling.' } satisfies IssueParams,
      });
    }
    if (t.decisions !== undefined && t.duration !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'either "decisions" or "duration", not both',
        input: t.duration,
        params: { gotText: 'both', hint: 'Run a fixed number of decisions, or as many as fit in a duration: remove one of them.' } satisfies IssueParams,
      });
    }
  })
  .transform(
    ({ in_flight, duration: durationMs, decisions, question, options, ...rest }): TaskConfig =>
      compact({
        ...rest,
        question: question ?? '',
        options: options ?? [],
        decisions: decisions ?? (durationMs === undefined ? 1 : undefined),
        durationMs,
        inFlight: in_flight,
      }),
  );

const stage = strictMapping(
  {
    name: nonEmptyString('a stage name'),
    // Filled from the stage's policy class (or consensus.algorithm) when left out: see the scenario's transform.
    consensus_algorithm: nonEmptyString('an algorithm name').optional(),
    threshold: threshold().optional(),
    max_agents: integer(1, MAX_AGENTS).optional(),
    expert_domains: stringList().optional(),
    depends_on: stringList().default([]),
    question: nonEmptyString('a question').optional(),
    options: optionList().optional(),
    truth: nonEmptyString().optional(),
    risk: oneOf(RISK_LEVELS).optional(),
    policy: policyClassName.optional(),
    description: z.string(expecting('a string')).optional(),
  },
  'a stage { name, consensus_algorithm, depends_on, ... }',
).transform((s) => compact({ ...s }));

const workflow = strictMapping(
  {
    name: nonEmptyString('a workflow name').optional(),
    stages: z.array(stage, expecting('a list of stages')).min(1, expecting('a list of at least 1 stage')).superRefine(checkStageGraph),
  },
  'a workflow mapping { stages }',
).transform(({ name, stages }) => (name === undefined ? { stages } : { name, stages }));

/** Stage names unique, dependencies known, and no cycles, reported at the entry that closes one. */
function checkStageGraph(stages: Pick<StageConfig, 'name' | 'depends_on'>[], ctx: z.RefinementCtx): void {
  const index = new Map<string, number>();
  stages.forEach((s, i) => {
    if (index.has(s.name))
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: 'a stage name not used by another stage',
        input: s.name,
        params: { gotText: `${JSON.stringify(s.name)}, already the name of stages[${index.get(s.name)}]` } satisfies IssueParams,
      });
    else index.set(s.name, i);
  });
  const names = listText([...index.keys()]);
  let missing = false;
  stages.forEach((s, i) =>
    s.depends_on.forEach((dep, j) => {
      if (index.has(dep)) return;
      missing = true;
      ctx.addIssue({ code: 'custom', path: [i, 'depends_on', j], message: `the name of a stage (${names})`, input: dep });
    }),
  );
  if (missing) return; // a cycle through an unknown stage is not worth reporting on top
  const cycle = findCycle(stages, index);
  if (cycle) {
    ctx.addIssue({
      code: 'custom',
      path: [cycle.at, 'depends_on', cycle.entry],
      message: 'stages whose dependencies do not loop back to them',
      input: stages[cycle.at].depends_on[cycle.entry],
      params: {
        gotText: `the cycle ${clip(cycle.names.join(' -> '), 400)}`,
        hint: 'Each stage waits for the stages it depends on, so a cycle never starts: remove one of these dependencies.',
      } satisfies IssueParams,
    });
  }
}

/** Depth-first search in file order, so the same file always reports the same cycle. */
function findCycle(
  stages: readonly Pick<StageConfig, 'name' | 'depends_on'>[],
  index: ReadonlyMap<string, number>,
): { names: string[]; at: number; entry: number } | undefined {
  const state = new Array<'new' | 'open' | 'done'>(stages.length).fill('new');
  const stack: number[] = [];
  const visit = (i: number): { names: string[]; at: number; entry: number } | undefined => {
    state[i] = 'open';
    stack.push(i);
    for (const [entry, dep] of stages[i].depends_on.entries()) {
      const j = index.get(dep)!;
      if (state[j] === 'open') {
        const loop = stack.slice(stack.indexOf(j)).map((k) => stages[k].name);
        return { names: [...loop, stages[j].name], at: i, entry };
      }
      if (state[j] === 'new') {
        const found = visit(j);
        if (found) return found;
      }
    }
    stack.pop();
    state[i] = 'done';
    return undefined;
  };
  for (let i = 0; i < stages.length; i++) {
    if (state[i] !== 'new') continue;
    const found = visit(i);
    if (found) return found;
  }
  return undefined;
}

const scheduleEntry = strictMapping(
  {
    at: duration(),
    switch_topology: topology(false).optional(),
    task: strictMapping(taskTraits, 'a mapping of task traits (complexity, novelty, delegated, sequential, centralised, risk)').optional(),
  },
  'a schedule entry { at, switch_topology | task }',
)
  .superRefine((e, ctx) => {
    if (e.switch_topology === undefined && (e.task === undefined || Object.keys(e.task).length === 0)) {
      ctx.addIssue({
        code: 'custom',
        message: 'at least one action: switch_topology or task',
        input: e,
        params: { gotText: 'no action' } satisfies IssueParams,
      });
    }
  })
  .transform(
    ({ at, switch_topology, task }): ScheduleEntry =>
      compact({ atMs: at, switch_topology: switch_topology as TopologySpec | undefined, task: task && compact({ ...task }) }),
  );

/** `{ module: 'path#export' }` or `{ module, export }`. */
const oversightRef = strictMapping(
  {
    module: nonEmptyString('a module path (relative to the scenario file), optionally with #export'),
    export: nonEmptyString().optional(),
  },
  'an oversight hook { module: path#export }',
).transform(({ module, export: name }): ModuleRef => {
  const hash = module.lastIndexOf('#');
  if (name === undefined && hash > 0) return { module: module.slice(0, hash), export: module.slice(hash + 1) };
  return compact({ module, export: name });
});

/**
 * The raw scenario (parsed YAML) -> a {@link Scenario}, except for the steps that need the file's
 * location: module paths are still as written and `consensus.weight_reference` may be unset.
 * Use `parseScenario` / `loadScenarioFile`, which do those and turn issues into ScenarioErrors.
 *
 * @example
 * ```ts
 * const r = scenarioSchema.safeParse({ name: 'x', agents: [{ role: 'coder' }], task: { question: 'q?', options: ['a', 'b'] } });
 * r.success && r.data.task.decisions; // 1
 * ```
 */
export const scenarioSchema = strictMapping(
  {
    name: nonEmptyString('a scenario name'),
    description: z.string(expecting('a string')).optional(),
    seed: integer(0, MAX_SEED).optional(),
    mode: oneOf(['sim', 'threads']).optional(),
    agents: z.array(agentGroup, expecting('a list of agent groups')).min(1, expecting('a list of at least 1 agent group')),
    topology: topology(true).default('mesh'),
    consensus: consensus.prefault({}),
    task,
    workflow: workflow.optional(),
    faults: z.record(z.string(), z.unknown(), expecting('a mapping of fault kinds (byzantine, crash, partition, ...)')).optional(),
    schedule: z.array(scheduleEntry, expecting('a list of schedule entries')).default([]),
    decision_policies: decisionPolicies.optional(),
    monitoring: monitoring.optional(),
    production_mode: z.boolean(expecting('true or false')).optional(),
    oversight: oversightRef.optional(),
    security: securitySchema.optional(),
    audit: auditSchema.optional(),
  },
  'a mapping of scenario settings (name, agents, task, ...)',
)
  .superRefine((s, ctx) => {
    // Each group is within range; together they must be too (a thousand groups of a million).
    // (A group already out of range is reported at its own count.)
    const agents = s.agents.reduce((n, g) => n + g.count, 0);
    if (agents > MAX_AGENTS && s.agents.every((g) => g.count <= MAX_AGENTS)) {
      ctx.addIssue({
        code: 'custom',
        path: ['agents'],
        message: `at most ${thousands(MAX_AGENTS)} agents in all`,
        input: s.agents,
        params: { gotText: `${thousands(agents)} agents in ${thousands(s.agents.length)} groups` } satisfies IssueParams,
      });
    }
    if (s.consensus.weight_reference === 'truth' && s.task.truth === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['consensus', 'weight_reference'],
        message: '"outcome" (there is no task.truth to weigh agents against)',
        input: 'truth',
        params: { hint: 'Give task.truth, or use weight_reference: outcome.' } satisfies IssueParams,
      });
    }
    // A stage without its own options votes on the task's, so its truth must be one of those.
    s.workflow?.stages.forEach((st, i) => {
      const options = st.options ?? s.task.options ?? []; // the task's may be missing when the task mapping was refused
      if (st.truth !== undefined && !options.includes(st.truth)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workflow', 'stages', i, 'truth'],
          message: `one of the stage's options (${listText(options)})`,
          input: st.truth,
        });
      }
    });
    checkEnterprise({ ...s, consensus: s.consensus as Enterprise }, ctx);
  })
  .transform(
    (
      {
        schedule,
        decision_policies,
        monitoring: watch,
        production_mode,
        workflow,
        consensus: { decision_policies: cPolicies, monitoring: cWatch, production_mode: cProduction, ...consensus },
        ...s
      },
      ctx,
    ): Scenario =>
      compact({
        ...s,
        // security: and audit: from under consensus or the top level (placeSecuritySections takes them off consensus).
        ...placeSecuritySections({ security: s.security, audit: s.audit, consensus }, ctx),
        consensus: consensus as ConsensusConfig,
        workflow: workflow && {
          ...(workflow.name !== undefined ? { name: workflow.name } : {}),
          stages: workflow.stages.map(
            (st): StageConfig => ({
              ...st,
              consensus_algorithm:
                st.consensus_algorithm ?? stageAlgorithm(st.policy, decision_policies ?? (cPolicies as DecisionPolicies | undefined), consensus.algorithm),
            }),
          ),
        },
        decision_policies: decision_policies ?? (cPolicies as DecisionPolicies | undefined),
        monitoring: watch ?? (cWatch as MonitoringConfig | undefined),
        production_mode: production_mode ?? (cProduction as boolean | undefined),
        // Array.prototype.sort is stable: entries at the same time keep their file order.
        schedule: [...schedule].sort((a, b) => a.atMs - b.atMs),
      }),
  );

/** A stage that names a class and no algorithm of its own votes with the class's (or the scenario's). */
function stageAlgorithm(policy: PolicyClass | undefined, policies: DecisionPolicies | undefined, fallback: string): string {
  const own = policy === undefined ? undefined : policies?.[policy]?.algorithm;
  return own === undefined ? fallback : voteAlgorithmFor(own);
}

type Enterprise = { decision_policies?: DecisionPolicies; monitoring?: MonitoringConfig; production_mode?: boolean };

/** Each enterprise setting given once (top level or under consensus), and every class named defined. */
function checkEnterprise(
  s: Enterprise & { consensus: Enterprise; task: { policy?: PolicyClass }; workflow?: { stages: { policy?: PolicyClass }[] } },
  ctx: z.RefinementCtx,
): void {
  for (const key of ['decision_policies', 'monitoring', 'production_mode'] as const) {
    if (s[key] !== undefined && s.consensus[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['consensus', key],
        message: `${key} once: at the top level or under consensus, not both`,
        input: s.consensus[key],
        params: { gotText: 'both', hint: `Merge consensus.${key} into the top-level ${key}.` } satisfies IssueParams,
      });
    }
  }
  const policies = s.decision_policies ?? s.consensus.decision_policies ?? {};
  const defined = Object.keys(policies);
  const named = (policy: PolicyClass | undefined, path: (string | number)[]) => {
    if (policy === undefined || Object.hasOwn(policies, policy)) return;
    const text = defined.length > 0 ? `a class defined in decision_policies (${listText(defined)})` : 'a class defined in decision_policies (there is none)';
    ctx.addIssue({
      code: 'custom',
      path,
      message: text,
      input: policy,
      params: { hint: `Add decision_policies.${policy} { algorithm, threshold, timeout, ... }, or remove the policy.` } satisfies IssueParams,
    });
  };
  named(s.task?.policy, ['task', 'policy']);
  s.workflow?.stages.forEach((st, i) => named(st.policy, ['workflow', 'stages', i, 'policy']));
}

/** Drops keys whose value is undefined, so a normalised scenario prints and compares cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
