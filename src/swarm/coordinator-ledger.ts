import type { TraceEvent } from '../actors/trace-event.ts';
import { emptySummary, type RunResume, type RunSummary } from '../protocols/voting/coordinator.ts';
import { record } from '../protocols/voting/latency-histogram.ts';
import type { Scenario } from '../scenario/index.ts';
import { COORDINATOR_ID } from './build-swarm.ts';

/**
 * What a voting coordinator did, as its trace shows it: kept by the swarm so that when the
 * coordinator is lost with its worker (threads mode), what it had decided is not lost with it.
 * The coordinator's own RunSummary dies with its state; this record is rebuilt from the events
 * it emitted (`proposal`, `decided`, `escalated`, `weights`, `stage`, `byzantine-detected`),
 * which main had already received. Refused votes are not traced, so they are not in it.
 *
 * @example
 * ```ts
 * const ledger = new CoordinatorLedger(scenario);
 * system.trace$.subscribe((e) => ledger.observe(e));
 * // the coordinator's worker died:
 * const { summary, lost } = ledger.cut(); // what it had closed; the decisions it left open
 * ```
 */
export class CoordinatorLedger {
  /** The highest decision number opened so far (`d<n>`): a resumed coordinator numbers after it. */
  private seq = 0;
  private open = new Set<string>();
  private summary: RunSummary = emptySummary();
  private readonly stages: NonNullable<RunSummary['stages']> = {};
  /** Decisions opened in the parts of the run before the last cut. */
  private attemptedSoFar = 0;

  constructor(private readonly scenario: Scenario) {}

  observe(e: TraceEvent): void {
    if (e.type !== 'emit' || e.actor !== COORDINATOR_ID) return;
    const ev = e.event as Record<string, unknown> & { type?: string; decision?: string };
    const s = this.summary;
    switch (ev.type) {
      case 'proposal': {
        const id = ev.decision!;
        const n = /^d(\d+)$/.exec(id);
        if (n) this.seq = Math.max(this.seq, Number(n[1]));
        if (s.attempted === 0 && this.open.size === 0) s.startedAt = e.t;
        this.open.add(id);
        s.attempted++;
        if (typeof ev.stage === 'string') setOwn(this.stages, ev.stage, { status: 'open' });
        return;
      }
      case 'decided':
        return this.onDecided(e.t, ev);
      case 'weights':
        s.weights = { ...(ev.weights as Record<string, number>) };
        return;
      case 'byzantine-detected':
        s.byzantine[ev.agent as string] ??= ev.evidence as string;
        return;
      case 'stage':
        if (typeof ev.stage === 'string' && ev.status === 'blocked')
          setOwn(this.stages, ev.stage, { status: 'blocked', reason: `depends on ${String(ev.because)}, which reached no consensus` });
        return;
    }
  }

  /** Books one closed decision as the coordinator's `close` and `settleDecision` do. */
  private onDecided(t: number, ev: Record<string, unknown>): void {
    const s = this.summary;
    const id = ev.decision as string;
    if (!this.open.delete(id)) return;
    const consensus = ev.consensus === true;
    const value = consensus ? (ev.value as string) : undefined;
    if (ev.cause === 'escalated') s.escalated++;
    else if (ev.cause === 'human') {
      s.escalated++;
      if (consensus) s.decided++;
      else s.noConsensus++;
    } else if (consensus) s.decided++;
    else if (ev.cause === 'timeout') s.timedOut++;
    else s.noConsensus++;
    const stage = typeof ev.stage === 'string' ? this.scenario.workflow?.stages.find((x) => x.name === ev.stage) : undefined;
    const truth = stage ? stage.truth : this.scenario.task.truth;
    if (value !== undefined) {
      setOwn(s.byOutcome, value, ownCount(s.byOutcome, value) + 1);
      if (truth !== undefined) {
        s.judged++;
        if (value === truth) s.correct++;
      }
    }
    if (typeof ev.latencyMs === 'number') record(s.latency, ev.latencyMs);
    if (typeof ev.stage === 'string') {
      setOwn(this.stages, ev.stage, {
        status: consensus ? 'passed' : 'failed',
        decision: value,
        strength: ev.strength as number,
        ...(typeof ev.reason === 'string' ? { reason: ev.reason } : {}),
      });
    }
    s.finishedAt = t;
  }

  /**
   * Closes the record at a crash of the coordinator: what it had closed (a RunSummary of that
   * part of the run), the decisions it left open (lost with it), and what a restarted
   * coordinator needs to take the rest of the workload from there. Later events start a new part.
   */
  cut(elapsedMs: number): { summary: RunSummary; lost: string[]; resume: RunResume } {
    const summary = this.summary;
    const lost = [...this.open];
    const task = this.scenario.task;
    const resume: RunResume = {
      seq: this.seq,
      elapsedMs,
      ...(this.scenario.workflow
        ? { stages: structuredClone(this.stages) }
        : task.durationMs === undefined
          ? { decisions: Math.max(0, (task.decisions ?? 1) - this.attemptedSoFar - summary.attempted) }
          : {}),
      ...(Object.keys(summary.weights).length > 0 ? { weights: { ...summary.weights } } : {}),
    };
    if (this.scenario.workflow) summary.stages = structuredClone(this.stages);
    this.attemptedSoFar += summary.attempted;
    this.summary = emptySummary();
    this.summary.weights = { ...summary.weights };
    this.open = new Set();
    return { summary, lost, resume };
  }
}

/**
 * Sets `key` as an own property of `o`: a stage or an option may be named "__proto__", which an
 * assignment would take for the object's prototype (the count or the stage was lost).
 */
function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The count `o` holds under `key` itself (0 if none), never one its prototype lends. */
const ownCount = (o: Readonly<Record<string, number>>, key: string): number => (Object.hasOwn(o, key) ? o[key]! : 0);

/**
 * One RunSummary from the parts of a run split by coordinator crashes, oldest first: counts
 * add up, the first evidence against an agent stands, the last part's weights and stages are
 * the run's.
 *
 * @example
 * ```ts
 * const whole = joinSummaries([beforeCrash, reply.body as RunSummary]);
 * ```
 */
export function joinSummaries(parts: readonly RunSummary[]): RunSummary {
  const out = emptySummary();
  for (const p of parts) {
    for (const k of ['attempted', 'decided', 'noConsensus', 'timedOut', 'escalated', 'judged', 'correct'] as const) out[k] += p[k];
    for (const [o, n] of Object.entries(p.byOutcome)) setOwn(out.byOutcome, o, ownCount(out.byOutcome, o) + n);
    // Every reason, the security ones too (present only where the scenario enforces them).
    for (const [k, n] of Object.entries(p.refusedVotes) as [keyof RunSummary['refusedVotes'], number][]) out.refusedVotes[k] = (out.refusedVotes[k] ?? 0) + n;
    if (p.compliance) {
      const c = (out.compliance ??= { checked: 0, failed: 0, findings: [] });
      c.checked += p.compliance.checked;
      c.failed += p.compliance.failed;
      c.findings.push(...p.compliance.findings.slice(0, Math.max(0, 100 - c.findings.length)));
    }
    for (const [a, ev] of Object.entries(p.byzantine)) out.byzantine[a] ??= ev;
    p.latency.forEach((c, i) => (out.latency[i] += c));
    if (p.attempted > 0 && (out.startedAt === 0 || p.startedAt < out.startedAt)) out.startedAt = p.startedAt;
    out.finishedAt = Math.max(out.finishedAt, p.finishedAt);
    if (Object.keys(p.weights).length > 0) out.weights = { ...p.weights };
    if (p.stages) out.stages = p.stages;
    // Per-class and oversight counts are the coordinator's own (the part before a crash has none: they are not rebuilt from the trace).
    for (const [c, n] of Object.entries(p.byPolicy ?? {})) {
      const o = ((out.byPolicy ??= {})[c] ??= { attempted: 0, decided: 0, noConsensus: 0, timedOut: 0, escalated: 0 });
      for (const k of ['attempted', 'decided', 'noConsensus', 'timedOut', 'escalated'] as const) o[k] += n[k];
    }
    if (p.oversight) {
      const o = (out.oversight ??= { requested: 0, approved: 0, rejected: 0, escalated: 0, timedOut: 0 });
      for (const k of ['requested', 'approved', 'rejected', 'escalated', 'timedOut'] as const) o[k] += p.oversight[k];
    }
  }
  return out;
}
