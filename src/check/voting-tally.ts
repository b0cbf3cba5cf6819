import type { TraceEvent } from '../actors/trace-event.ts';
import type { CoordinatorConsensus, CoordinatorProps } from '../protocols/voting/coordinator.ts';
import { isReferenceAlgorithm, referenceTally, referenceWeight, type Ballot, type ReferenceAlgorithm, type ReferenceOutcome } from './reference-tally.ts';

/**
 * A decision whose outcome is not what its recorded votes give.
 *
 * @example
 * ```ts
 * const v: TallyViolation = { property: 'tally-integrity', decision: 'd3', detail: 'd3: counted 5 votes but 4 were recorded ...', at: 57, positions: [40, 44, 47, 51, 53, 57] };
 * ```
 */
export interface TallyViolation {
  readonly property: 'tally-integrity';
  readonly decision: string;
  readonly detail: string;
  /** Position in the trace of the `decided` event (when the monitor was given positions). */
  readonly at?: number;
  /** The proposal, every recorded vote, then the `decided` event. */
  readonly positions?: readonly number[];
}

/**
 * What the checker must know of the coordinator's configuration to judge as it did: the
 * coordinator's own props (the policies' parameters, weights, stages, the task's domain, and
 * whether votes are traced at all).
 *
 * @example
 * ```ts
 * const config: TallyConfig = plan.actors.find((a) => a.id === COORDINATOR_ID)!.props as CoordinatorProps;
 * ```
 */
export type TallyConfig = Pick<CoordinatorProps, 'consensus' | 'task' | 'workflow' | 'traceVotes' | 'policies' | 'experts'>;

/** How far a traced strength may be from the recomputed one (the same sums in the same order: in practice, not at all). */
const STRENGTH_SLACK = 1e-9;

interface OpenDecision {
  readonly options: readonly string[];
  readonly electorate: number;
  readonly votes: Ballot[];
  readonly positions: number[];
}

interface Decided {
  readonly decision: string;
  readonly value: string | null;
  readonly consensus: boolean;
  readonly strength: number;
  readonly algorithm: string | null;
  readonly votes: number;
  readonly stage?: string;
  readonly policy?: string;
  readonly cause?: string;
  readonly reason?: string;
}

/**
 * Tally integrity, from the trace: every decision is counted again from the votes the
 * coordinator recorded for it (`vote` events: the votes it accepted; a second vote from one
 * agent, a late vote or a stranger's is refused and never recorded), and its `decided` event
 * must agree: the number of votes counted, and for the built-in algorithms the outcome, value
 * and strength that the checker's own reference tally (`reference-tally.ts`, which shares no code
 * with the policies it checks) gives on those votes (dynamic weights as the `weights`
 * events recorded them before the decision). Escalated decisions are checked for their count
 * only. With `traceVotes: false` there are no votes to count, and it checks nothing.
 *
 * Fed one event at a time, with its position in the run's trace when known (as the voting
 * swarm does), it keeps only the open decisions' votes.
 *
 * @example
 * ```ts
 * const monitor = new VotingTallyMonitor(coordinatorProps);
 * let at = 0;
 * system.trace$.subscribe((e) => monitor.observe(e, at++));
 * // ... after the run
 * monitor.violations; // [] (or [{ property: 'tally-integrity', decision: 'd1', detail: 'd1: counted 5 votes but 4 were recorded ...', at: 57, positions: [...] }])
 * ```
 */
export class VotingTallyMonitor {
  readonly violations: TallyViolation[] = [];
  private readonly open = new Map<string, OpenDecision>();
  /** Per coordinator: the dynamic weights its next decision is judged with. */
  private readonly weights = new Map<string, Readonly<Record<string, number>>>();
  /** Per decision: the weights its own close produced (they apply from the next decision on). */
  private readonly nextWeights = new Map<string, Readonly<Record<string, number>>>();
  /** Per decision: how human oversight settled it (`oversight-answered`). */
  private readonly answered = new Map<string, string>();

  constructor(private readonly config: TallyConfig) {}

  observe(e: TraceEvent, at?: number): void {
    if (e.type !== 'emit' || this.config.traceVotes === false) return;
    const ev = e.event as { type?: unknown; decision?: unknown };
    if (typeof ev.decision !== 'string') return;
    const key = `${e.actor}\u0000${ev.decision}`;
    switch (ev.type) {
      case 'proposal': {
        const p = e.event as { options?: unknown; voters?: unknown };
        if (Array.isArray(p.options) && typeof p.voters === 'number')
          this.open.set(key, { options: p.options as string[], electorate: p.voters, votes: [], positions: at === undefined ? [] : [at] });
        return;
      }
      case 'vote': {
        const d = this.open.get(key);
        const v = e.event as { agent: string; role: string; vote: string };
        if (d === undefined) return;
        d.votes.push({ agent: v.agent, role: v.role, choice: v.vote });
        if (at !== undefined) d.positions.push(at);
        return;
      }
      case 'oversight-answered':
        this.answered.set(key, String((e.event as { answer?: unknown }).answer));
        return;
      case 'weights':
        this.nextWeights.set(key, (e.event as { weights: Record<string, number> }).weights);
        return;
      case 'decided': {
        const d = this.open.get(key);
        this.open.delete(key);
        if (d !== undefined) this.judge(e.actor, e.event as unknown as Decided, d, at, this.answered.get(key));
        this.answered.delete(key);
        const next = this.nextWeights.get(key);
        if (next !== undefined) {
          this.weights.set(e.actor, next);
          this.nextWeights.delete(key);
        }
      }
    }
  }

  private judge(actor: string, ev: Decided, d: OpenDecision, at: number | undefined, answer: string | undefined): void {
    const problems: string[] = [];
    const rules = ev.policy === undefined ? undefined : this.config.policies?.[ev.policy];
    if (ev.votes !== d.votes.length)
      problems.push(`counted ${ev.votes} vote${ev.votes === 1 ? '' : 's'} but ${d.votes.length} ${d.votes.length === 1 ? 'was' : 'were'} recorded`);
    // A custom policy may read vote fields the trace does not record (evidence levels and the
    // like), so for one only the count is checked; `adaptive` never decides itself (a `decided`
    // event names the algorithm it picked), and an escalated decision names none.
    const expected = ev.algorithm !== null && isReferenceAlgorithm(ev.algorithm) ? this.rejudge(actor, ev.algorithm, ev, d) : undefined;
    // Human oversight: a decision it holds reached consensus; it stands only if approved, and a
    // rejected (or escalated) one closes without consensus, as the answer said.
    const overturned = ev.cause === 'oversight-rejected' ? 'reject' : ev.cause === 'oversight-escalated' ? 'escalate' : undefined;
    if (overturned !== undefined) {
      if (answer !== overturned) problems.push(`closed as ${ev.cause} but oversight answered ${answer ?? 'nothing'}`);
      if (ev.consensus) problems.push(`closed as ${ev.cause} with consensus`);
      if (expected !== undefined && !expected.consensus) problems.push(`was held for oversight but ${ev.algorithm} on the recorded votes gives no consensus`);
    } else if (rules?.human_oversight && ev.consensus && answer !== 'approve') {
      problems.push(
        `decided ${outcomeText(ev.consensus, ev.value, ev.strength)} without the approval its class (${ev.policy}) requires (oversight answered ${answer ?? 'nothing'})`,
      );
    }
    const reviewed = rules?.expert_review && expected?.consensus ? expertVerdict(expected.value!, d.votes, this.domainOf(ev), this.config.experts) : undefined;
    if (overturned === undefined && reviewed !== undefined && !reviewed && ev.consensus)
      problems.push(`decided "${ev.value}" although the experts in its domain did not choose it (expert_review)`);
    if (overturned === undefined && expected !== undefined && !(reviewed === false && !ev.consensus)) {
      const value = expected.value;
      if (expected.consensus !== ev.consensus || value !== ev.value || Math.abs(expected.strength - ev.strength) > STRENGTH_SLACK) {
        problems.push(
          `decided ${outcomeText(ev.consensus, ev.value, ev.strength)} where ${ev.algorithm} on the recorded votes gives ${outcomeText(expected.consensus, value, expected.strength)}`,
        );
      }
    }
    if (problems.length === 0) return;
    const detail = `${ev.decision}: "${actor}" ${problems.join('; ')} (recorded: ${votesText(d)})`;
    const positions = at === undefined ? undefined : [...d.positions, at];
    this.violations.push({ property: 'tally-integrity', decision: ev.decision, detail, ...(at === undefined ? {} : { at, positions }) });
  }

  /**
   * The outcome the reference tally gives on the recorded votes, configured as the coordinator
   * configures its policy: a stage's algorithm and threshold replace the scenario's; the
   * configured threshold and minimum participants apply only to the configured algorithm (one
   * `adaptive` picks runs with its defaults); weighted voting weighs by the dynamic weights
   * recorded before the decision, else by role and expertise in the proposal's domain.
   */
  private domainOf(ev: Decided): string | undefined {
    const stage = ev.stage === undefined ? undefined : this.config.workflow?.stages.find((s) => s.name === ev.stage);
    return stage?.expert_domains?.[0] ?? this.config.task.domain;
  }

  private rejudge(actor: string, algorithm: ReferenceAlgorithm, ev: Decided, d: OpenDecision): ReferenceOutcome {
    const { consensus, task, workflow } = this.config;
    const stage = ev.stage === undefined ? undefined : workflow?.stages.find((s) => s.name === ev.stage);
    // A class's algorithm and threshold, as the coordinator applies them (a stage's own first).
    const rules = ev.policy === undefined ? undefined : this.config.policies?.[ev.policy];
    const config: CoordinatorConsensus = stage
      ? { ...consensus, algorithm: stage.consensus_algorithm, threshold: stage.threshold ?? rules?.threshold }
      : rules
        ? {
            ...consensus,
            algorithm: rules.algorithm ?? consensus.algorithm,
            threshold: rules.threshold ?? (rules.algorithm === undefined ? consensus.threshold : undefined),
          }
        : consensus;
    const own = config.algorithm === algorithm;
    const dynamic = config.dynamic_weights && config.algorithm === 'weighted_voting' ? (this.weights.get(actor) ?? {}) : undefined;
    const domain = stage?.expert_domains?.[0] ?? task.domain;
    return referenceTally(
      {
        algorithm,
        electorate: d.electorate,
        weight: referenceWeight(config, domain, dynamic),
        ...(own ? { threshold: config.threshold, minParticipants: config.min_participants } : {}),
      },
      d.options,
      d.votes,
    );
  }
}

/**
 * Whether the experts in `domain` who voted chose `value` by a strict majority of their votes
 * (abstentions left out); no expert voting is not an approval. Written apart from the
 * coordinator's review, as a reference.
 */
function expertVerdict(value: string, votes: readonly Ballot[], domain: string | undefined, experts: TallyConfig['experts']): boolean {
  if (domain === undefined) return false;
  let of = 0;
  let agree = 0;
  for (const v of votes) {
    if (v.choice === 'abstain' || !(experts?.[v.agent] ?? []).includes(domain)) continue;
    of++;
    if (v.choice === value) agree++;
  }
  return of > 0 && 2 * agree > of;
}

function outcomeText(consensus: boolean, value: string | null, strength: number): string {
  return `${consensus ? `"${value}"` : 'no consensus'} (strength ${Number(strength.toFixed(4))})`;
}

/** `A 3, B 1, abstain 1`, in option order, then anything else voted. */
function votesText(d: OpenDecision): string {
  const counts = new Map<string, number>(d.options.map((o) => [o, 0]));
  for (const v of d.votes) counts.set(v.choice, (counts.get(v.choice) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o} ${n}`).join(', ');
}

/**
 * Checks a whole voting trace for tally integrity (see {@link VotingTallyMonitor}). Pure: the
 * same events and configuration give the same answer.
 *
 * @example
 * ```ts
 * const violations = checkVotingTally(sim.recorder.events!, coordinatorProps);
 * ```
 */
export function checkVotingTally(events: Iterable<TraceEvent>, config: TallyConfig): TallyViolation[] {
  const monitor = new VotingTallyMonitor(config);
  let at = 0;
  for (const e of events) monitor.observe(e, at++);
  return monitor.violations;
}
