/**
 * The hive's vocabulary: queen types, the consensus modes a queen settles decisions with, task
 * kinds, subtasks and their graph, and what a worker is. Plain data, so graphs and reports cross
 * worker boundaries in envelope bodies and appear verbatim in traces and the run store.
 */

/**
 * How a queen plans: `strategic` plans the whole graph up front on the most skilled workers
 * (quality first), `tactical` hands each ready subtask to whichever capable worker is free
 * (latency first), `adaptive` starts tactical and re-plans from what it measures.
 *
 * @example
 * ```ts
 * const q: QueenType = 'adaptive';
 * ```
 */
export type QueenType = 'strategic' | 'tactical' | 'adaptive';

/**
 * Every queen type, in the order help texts list them.
 *
 * @example
 * ```ts
 * QUEEN_TYPES.includes('tactical'); // true
 * ```
 */
export const QUEEN_TYPES: readonly QueenType[] = Object.freeze(['strategic', 'tactical', 'adaptive']);

/**
 * How critical decisions are settled: `weighted` (weighted voting by skill, one round),
 * `byzantine` (more than 2/3 of the whole electorate: the byzantine_supermajority policy),
 * `raft` (the lead expert's choice, committed once a majority of the electorate acknowledges it:
 * crash-tolerant, not Byzantine-tolerant), `auto` (by criticality: byzantine at or above
 * {@link CRITICAL_AT}, weighted below).
 *
 * @example
 * ```ts
 * const c: HiveConsensus = 'auto';
 * ```
 */
export type HiveConsensus = 'auto' | 'byzantine' | 'weighted' | 'raft';

/**
 * Every consensus mode, in the order help texts list them.
 *
 * @example
 * ```ts
 * HIVE_CONSENSUS.includes('raft'); // true
 * ```
 */
export const HIVE_CONSENSUS: readonly HiveConsensus[] = Object.freeze(['auto', 'byzantine', 'weighted', 'raft']);

/** The consensus a decision actually ran with (`auto` resolved). */
export type DecisionAlgorithm = Exclude<HiveConsensus, 'auto'>;

/**
 * What a subtask is about; workers have a skill per kind.
 *
 * @example
 * ```ts
 * const k: TaskKind = 'architecture';
 * ```
 */
export type TaskKind = 'research' | 'architecture' | 'security' | 'code' | 'test' | 'docs' | 'review' | 'deployment';

/**
 * Every task kind.
 *
 * @example
 * ```ts
 * TASK_KINDS.length; // 8
 * ```
 */
export const TASK_KINDS: readonly TaskKind[] = Object.freeze(['research', 'architecture', 'security', 'code', 'test', 'docs', 'review', 'deployment']);

/**
 * The kinds whose outcome is a decision the experts settle by consensus (the seed's
 * architecture, security and deployment decisions).
 *
 * @example
 * ```ts
 * DECISION_KINDS.includes('security'); // true
 * ```
 */
export const DECISION_KINDS: readonly TaskKind[] = Object.freeze(['architecture', 'security', 'deployment']);

/**
 * The criticality from which `auto` consensus uses the Byzantine-tolerant vote.
 *
 * @example
 * ```ts
 * const algorithm = task.criticality >= CRITICAL_AT ? 'byzantine' : 'weighted';
 * ```
 */
export const CRITICAL_AT = 0.6;

/**
 * What characterises an objective (each in [0, 1]): how hard, how new, how much rides on its
 * decisions, how much its steps must follow one another, and how hostile the swarm is believed
 * to be (not used by the simulation to make liars: that is the `byzantine` option).
 *
 * @example
 * ```ts
 * const f: ObjectiveFeatures = { complexity: 0.7, novelty: 0.4, criticality: 0.8, sequentiality: 0.2 };
 * ```
 */
export interface ObjectiveFeatures {
  readonly complexity: number;
  readonly novelty: number;
  readonly criticality: number;
  readonly sequentiality: number;
}

/**
 * One node of a task graph.
 *
 * @example
 * ```ts
 * const t: Subtask = { id: 't03', kind: 'code', title: 'implement 1', complexity: 0.6, novelty: 0.3, criticality: 0.1, deps: ['t02'] };
 * ```
 */
export interface Subtask {
  readonly id: string;
  readonly kind: TaskKind;
  readonly title: string;
  readonly complexity: number;
  readonly novelty: number;
  readonly criticality: number;
  /** Ids of subtasks that must be done first (always earlier in the graph: it is acyclic by construction). */
  readonly deps: readonly string[];
}

/**
 * An objective decomposed: subtasks in an order where every dependency comes first.
 *
 * @example
 * ```ts
 * const g: TaskGraph = { objective: 'Document the API', subtasks: [] };
 * ```
 */
export interface TaskGraph {
  readonly objective: string;
  readonly subtasks: readonly Subtask[];
}

/**
 * A section of a documentation-like objective (the mastery project): each becomes a research,
 * writing and review chain after the architecture decision.
 *
 * @example
 * ```ts
 * const s: Section = { name: 'API reference', complexity: 0.8 };
 * ```
 */
export interface Section {
  readonly name: string;
  readonly complexity: number;
}

/**
 * A worker as the queen sees it: its id, its team's lead and its skill per kind (0..1).
 *
 * @example
 * ```ts
 * const w: WorkerInfo = { id: 'worker_01_02', lead: 'lead_01', skills: { code: 0.9 } };
 * ```
 */
export interface WorkerInfo {
  readonly id: string;
  readonly lead: string;
  readonly skills: Readonly<Partial<Record<TaskKind, number>>>;
}
