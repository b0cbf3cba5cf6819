/**
 * The data a voting conversation exchanges and the policies judge. Plain, cloneable objects: they
 * cross worker boundaries in envelope bodies and appear verbatim in traces.
 */

/**
 * A decision's risk level: `adaptive` consensus picks its algorithm from it.
 *
 * @example
 * ```ts
 * const risk: RiskLevel = 'medium'; // adaptive -> weighted_voting
 * ```
 */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/**
 * What a coordinator opens a decision on.
 *
 * @example
 * ```ts
 * const p: Proposal = { id: 'd1', question: 'Which database?', options: ['PostgreSQL', 'MongoDB'], domain: 'architecture', risk: 'low' };
 * ```
 */
export interface Proposal {
  readonly id: string;
  readonly question: string;
  readonly options: readonly string[];
  /** Matched against expert domains by weighted voting. */
  readonly domain?: string;
  readonly risk?: RiskLevel;
  /** Voting timeout in ms, counted from when the coordinator opened the decision. */
  readonly timeoutMs?: number;
  readonly [extra: string]: unknown;
}

/**
 * The decision value of an abstaining vote.
 *
 * @example
 * ```ts
 * const v: Vote = { agent: 'a', role: 'coder', decision: ABSTAIN, reason: 'no opinion', confidence: 0 };
 * ```
 */
export const ABSTAIN = 'abstain';

/**
 * One agent's vote. `decision` is one of the proposal's options or `'abstain'`; further fields
 * (evidence level, risk assessment, peer review...) are for policies that want them.
 *
 * @example
 * ```ts
 * const v: Vote = { agent: 'researcher_001', role: 'researcher', decision: 'PostgreSQL', reason: 'ACID compliance', confidence: 0.9 };
 * ```
 */
export interface Vote {
  readonly agent: string;
  readonly role: string;
  readonly decision: string;
  readonly reason: string;
  /** 0..1 */
  readonly confidence: number;
  readonly [extra: string]: unknown;
}

/**
 * What a policy concludes from the votes so far. `decision` is the leading option (absent when
 * nobody voted for an option); `strength` its share of the counted weight (0..1).
 *
 * @example
 * ```ts
 * const o: Outcome = { consensus: true, decision: 'PostgreSQL', strength: 0.8 };
 * ```
 */
export interface Outcome {
  readonly consensus: boolean;
  readonly decision?: string;
  readonly strength: number;
  /** Why there is no consensus (below threshold, too few participants...). */
  readonly reason?: string;
  readonly [extra: string]: unknown;
}

/**
 * A consensus policy: a pure function of a proposal and its votes. Built-in algorithms and
 * user modules implement the same shape.
 *
 * @example
 * ```ts
 * const unanimous: Policy = { name: 'unanimous', evaluate: (p, votes) => {
 *   const d = votes[0]?.decision;
 *   const ok = votes.length > 0 && votes.every((v) => v.decision === d);
 *   return { consensus: ok, decision: d, strength: ok ? 1 : 0 };
 * } };
 * ```
 */
export interface Policy {
  readonly name: string;
  evaluate(proposal: Proposal, votes: readonly Vote[]): Outcome;
}
