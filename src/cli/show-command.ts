import { decisionsOf, resolveRun, type DecisionRow, type RunRow } from '../store/queries.ts';
import { summarize, type BenchGroup, type HiveFigures, type RunSummary } from '../store/run-summary.ts';
import {
  byzantineOf,
  faultsOf,
  leadersOf,
  participation,
  timeline,
  voteConflicts,
  votesOf,
  weightEvolution,
  type TimelineEntry,
} from '../store/run-sections.ts';
import type { StoreDb } from '../store/open-store.ts';
import { bold, dim, green, heading, int, red, yellow } from '../text/format.ts';
import { EXIT_OK } from './exit-codes.ts';
import { statusText } from './runs-command.ts';
import { checkLimit, traceTime, utc, withStore } from './store-read.ts';

/**
 * Options of `conclave show RUN`: each flag a section after the summary.
 *
 * @example
 * ```ts
 * showCommand('last', { votes: true, reasoning: true, store: '/tmp/s.db' }, console.log);
 * ```
 */
export interface ShowCommandOptions {
  readonly timeline?: boolean;
  readonly votes?: boolean;
  readonly reasoning?: boolean;
  readonly weights?: boolean;
  readonly participation?: boolean;
  readonly voteConflicts?: boolean;
  readonly byzantine?: boolean;
  readonly leaders?: boolean;
  readonly faults?: boolean;
  readonly json?: boolean;
  /** Decisions the per-decision sections show (default 10). */
  readonly limit?: number;
  readonly store?: string;
}

/** The sections, in the order they print. */
const SECTIONS = ['timeline', 'votes', 'weights', 'participation', 'voteConflicts', 'byzantine', 'leaders', 'faults'] as const;
type Section = (typeof SECTIONS)[number];

/**
 * `conclave show RUN`: a stored run's header and result, and the sections asked for (with
 * `--json`, one object; without any section flag, every section). RUN is an id, a unique prefix
 * of one, or `last`. Returns the exit code; an unknown run or a missing store throws a
 * StoreError (exit 2).
 *
 * @example
 * ```ts
 * process.exitCode = showCommand('last', { timeline: true }, (l) => console.log(l));
 * ```
 */
export function showCommand(ref: string, opts: ShowCommandOptions, out: (line: string) => void): number {
  checkLimit('--limit', opts.limit);
  const limit = opts.limit ?? 10;
  return withStore(opts.store, (db, file) => {
    const run = resolveRun(db, file, ref);
    // --reasoning alone means the votes with their reasons.
    const asked = SECTIONS.filter((s) => opts[s] === true || (s === 'votes' && opts.reasoning === true));
    const sections = asked.length === 0 && opts.json ? [...SECTIONS] : asked;
    const summary = summarize(db, run);
    // Participation and vote conflicts both read every stored decision: read them once.
    let all: DecisionRow[] | undefined;
    const decisions = () => (all ??= decisionsOf(db, run.id));
    const data = Object.fromEntries(sections.map((s) => [s, section(db, run, s, limit, decisions)]));
    if (opts.json) {
      out(JSON.stringify({ ...summary, ...data }, null, 2));
      return EXIT_OK;
    }
    printHeader(summary, out);
    const stored = summary.stored.detailed;
    for (const s of sections) PRINT[s](data[s] as never, run, { limit: Math.min(limit, stored), stored, reasoning: opts.reasoning === true }, out);
    if (sections.length === 0)
      out(dim(`\n  more: --timeline --votes [--reasoning] --weights --participation --vote-conflicts --byzantine --leaders --faults (--json for all)`));
    return EXIT_OK;
  });
}

function section(db: StoreDb, run: RunRow, s: Section, limit: number, decisions: () => DecisionRow[]): unknown {
  switch (s) {
    case 'timeline':
      return timeline(db, run, limit);
    case 'votes':
      return votesOf(db, run, limit);
    case 'weights':
      return weightEvolution(db, run);
    case 'participation':
      return participation(db, run, decisions());
    case 'voteConflicts':
      return voteConflicts(db, run, limit, decisions());
    case 'byzantine':
      return byzantineOf(db, run);
    case 'leaders':
      return leadersOf(db, run);
    case 'faults':
      return faultsOf(db, run);
  }
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const msText = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)} ms`);

/**
 * Prints a stored run's header and result summary (what `conclave show RUN` begins with).
 *
 * @example
 * ```ts
 * printHeader(summarize(db, resolveRun(db, file, 'last')), console.log);
 * ```
 */
export function printHeader(s: RunSummary, out: (line: string) => void): void {
  const r = s.run;
  const about = [
    r.protocol,
    r.agents !== null ? `${r.agents} agents` : null,
    r.topology,
    r.mode !== null ? `${r.mode} mode` : null,
    r.seed !== null ? `seed ${r.seed}` : null,
  ].filter((x) => x !== null);
  out(bold(r.name) + dim(` · ${about.join(' · ')}`));
  const took = r.durationMs !== null ? ` · ${(r.durationMs / 1000).toFixed(1)} s` : '';
  out(
    `  run          ${bold(r.id)} · ${r.kind} · ${statusText(r.status)}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''} · started ${utc(r.startedAt)} UTC${took} · pid ${r.pid} on ${r.host}`,
  );
  if (r.file) out(`  scenario     ${r.file}`);
  if (r.status === 'interrupted') out(`  ${yellow('interrupted')}  its process (pid ${r.pid}) is gone: what it stored up to then is below`);
  if (r.error) out(`  ${red('error')}        ${r.error}`);
  out(heading('Result'));
  const d = s.decisions;
  out(
    `  decisions    ${int(d.attempted)} attempted · ${green(`${int(d.decided)} decided`)} (${pct(s.successRate)}) · ${int(d.noConsensus)} no consensus · ${d.timedOut ? red(`${int(d.timedOut)} timed out`) : '0 timed out'}${d.escalated ? ` · ${int(d.escalated)} escalated` : ''}${d.aborted ? ` · ${red(`${int(d.aborted)} aborted`)}` : ''}${d.unclosed ? ` · ${yellow(`${int(d.unclosed)} still open`)}` : ''}`,
  );
  const outcomes = Object.entries(s.byOutcome).sort((a, b) => b[1] - a[1]);
  if (outcomes.length > 0) out(`  outcomes     ${outcomes.map(([v, n]) => `${v} ${int(n)}`).join(' · ')}`);
  const l = s.latencyMs;
  if (l.source !== 'none')
    out(
      `  consensus    p50 ${msText(l.p50)} · p99 ${msText(l.p99)} ${dim(`(${l.clock === 'simulated' ? 'simulated time' : 'wall clock'}; ${l.source === 'result' ? "the run's own figures" : l.source})`)}`,
    );
  if (s.throughput.wallPerMinute !== null)
    out(
      `  throughput   ${int(s.throughput.wallPerMinute)} decisions/min wall clock${s.throughput.simPerMinute !== null ? ` · ${int(s.throughput.simPerMinute)} per simulated minute` : ''}`,
    );
  if (s.messagesPerDecision !== null)
    out(`  messages     ${s.messagesPerDecision.toFixed(1)} per decision${typeof s.messages?.sent === 'number' ? dim(` (${int(s.messages.sent)} sent)`) : ''}`);
  if (s.quality !== null) out(`  quality      ${pct(s.quality)} of decided decisions chose the ground truth${s.truth ? ` (${s.truth})` : ''}`);
  const safety =
    s.safety.violations > 0
      ? red(`${s.safety.violations} VIOLATIONS`)
      : s.safety.checked === false
        ? yellow('not checked (trace off)')
        : s.safety.checked === null
          ? yellow('not judged: the run has no result (it did not finish)')
          : green('0 violations');
  out(`  safety       ${safety}`);
  for (const f of s.safety.findings.slice(0, 10)) out(`               ${f.kind === 'safety' ? red(f.text) : yellow(`liveness: ${f.text}`)}`);
  if (s.safety.findings.length > 10) out(dim(`               ... and ${s.safety.findings.length - 10} more (--json lists them all)`));
  for (const a of s.approvals)
    out(`  approval     ${a.decision}: ${a.verdict === 'approve' ? green(a.verdict) : red(a.verdict)} by ${a.by} at ${utc(a.at)} UTC`);
  if (s.bench) printBench(s.bench, out);
  const x = s.stress;
  if (x) {
    out(
      `  campaign     ${int(x.runs)} runs · faults ${x.faults.join(', ') || 'none'} · ${x.failing ? red(`${x.failing} failing`) : '0 failing'} · ${x.stalled} stalled · ${x.notTerminated} not terminated · ${x.unfinished} unfinished · ${x.detected} liars caught`,
    );
    const checkers = Object.entries(x.byChecker);
    if (checkers.length) out(`  violations   ${red(checkers.map(([c, n]) => `${c} ${n}`).join(' · '))}`);
    if (x.slowestRecoveryMs !== null) out(`  recovery     slowest ${int(Math.round(x.slowestRecoveryMs))} ms`);
  }
  if (s.hive) printHive(s.hive, out);
  const st = s.stored;
  if (r.kind === 'run' || r.kind === 'replay' || st.detailed > 0)
    out(`  stored       ${st.note ?? `${int(st.detailed)} decisions one by one, with their votes`}`);
  else
    out(
      `  stored       the ${r.kind === 'stress' ? "campaign's report and its findings (its runs'" : r.kind === 'hive' ? "session's report and its findings (its" : "benchmark's report and its findings (its runs'"} decisions are not stored one by one)`,
    );
}

/** A hive session: the queen and her teams, the work done, the critical decisions and what the bank chose. */
function printHive(h: HiveFigures, out: (line: string) => void): void {
  const about = [
    h.queen ? `${h.queen} queen` : null,
    h.workers !== null ? `${h.workers} workers` : null,
    h.teams !== null ? `${h.teams} teams` : null,
    h.topology,
    h.consensus ? `consensus ${h.consensus}` : null,
  ];
  out(`  hive         ${about.filter((x) => x !== null).join(' · ')}`);
  out(
    `  work         ${int(h.objectivesDone)} of ${int(h.objectives)} objectives done · ${int(h.subtasksDone)} of ${int(h.subtasks)} subtasks done${h.subtasksFailed ? ` · ${red(`${int(h.subtasksFailed)} failed`)}` : ''}${h.quality !== null ? ` · quality ${h.quality.toFixed(3)}` : ''}${h.simulatedMs !== null ? ` · ${int(Math.round(h.simulatedMs))} ms simulated` : ''}`,
  );
  out(
    `  critical     ${int(h.decisions)} decisions by consensus · ${h.undecided ? yellow(`${int(h.undecided)} undecided`) : '0 undecided'} · ${h.unsound ? red(`${int(h.unsound)} against the honest experts`) : green('0 against the honest experts')}`,
  );
  if (h.pattern !== null) out(`  learned      ${h.pattern}${h.choice ? dim(` (${h.choice})`) : ''}`);
}

/** A benchmark's groups, one line each (conclave analyze compares them in depth). */
function printBench(groups: readonly BenchGroup[], out: (line: string) => void): void {
  out(dim(`  ${'algorithm'.padEnd(24)}  agents  iterations      decided  success        p50        p99  msgs/decision  quality  violations`));
  for (const g of groups) {
    out(
      `  ${g.algorithm.padEnd(24)}  ${String(g.agents).padStart(6)}  ${String(g.iterations).padStart(10)}  ${`${int(g.decided)}/${int(g.attempted)}`.padStart(11)}  ${pct(g.successRate).padStart(7)}  ${msText(g.p50).padStart(9)}  ${msText(g.p99).padStart(9)}  ${(g.messagesPerDecision === null ? '-' : g.messagesPerDecision.toFixed(1)).padStart(13)}  ${pct(g.quality).padStart(7)}  ${String(g.safetyViolations).padStart(10)}`,
    );
  }
}

interface PrintOptions {
  readonly limit: number;
  readonly stored: number;
  readonly reasoning: boolean;
}
type Printer<T> = (data: T, run: RunRow, o: PrintOptions, out: (line: string) => void) => void;

const PRINT: { [K in Section]: Printer<ReturnType<SectionFns[K]>> } = {
  timeline: printTimeline,
  votes: printVotes,
  weights: printWeights,
  participation: printParticipation,
  voteConflicts: printConflicts,
  byzantine: printByzantine,
  leaders: printLeaders,
  faults: printFaults,
};

interface SectionFns {
  timeline: typeof timeline;
  votes: typeof votesOf;
  weights: typeof weightEvolution;
  participation: typeof participation;
  voteConflicts: typeof voteConflicts;
  byzantine: typeof byzantineOf;
  leaders: typeof leadersOf;
  faults: typeof faultsOf;
}

function printTimeline(entries: TimelineEntry[], run: RunRow, o: PrintOptions, out: (line: string) => void): void {
  out(heading(`Timeline (${storedShown(o)}${o.stored > 0 ? ', every event' : ''})`));
  if (entries.length === 0) out('  nothing stored');
  for (const e of entries) out(`${dim(traceTime(e.t, run.mode))}  ${entryText(e)}`);
}

const s = (v: unknown) => String(v);

/**
 * Which stored decisions a section shows, without "the first 10 of 3" or "the first 0 of 0".
 *
 * @example
 * ```ts
 * storedShown({ limit: 10, stored: 1000 }); // 'the first 10 of 1,000 stored decisions'
 * storedShown({ limit: 10, stored: 3 }); // 'all 3 stored decisions'
 * ```
 */
export function storedShown(o: { readonly limit: number; readonly stored: number }): string {
  if (o.stored === 0) return 'no decision stored one by one';
  if (o.stored === 1) return 'the one stored decision';
  if (o.stored <= o.limit) return `all ${int(o.stored)} stored decisions`;
  return `the first ${int(o.limit)} of ${int(o.stored)} stored decisions`;
}

/**
 * One timeline entry as a person reads it.
 *
 * @example
 * ```ts
 * entryText({ t: 169.5, kind: 'leader', actor: 'node_001', detail: { type: 'raft-leader', term: 1, votes: 3 } }); // 'node_001 elected leader of term 1 (3 votes)'
 * ```
 */
export function entryText(e: TimelineEntry, reasoning = true): string {
  const d = e.detail;
  switch (e.kind) {
    case 'opened':
      return `${bold(e.decision!)} opened`;
    case 'vote': {
      const parts = [
        reasoning && d.reason !== null && d.reason !== undefined ? s(d.reason) : null,
        typeof d.confidence === 'number' ? `confidence ${d.confidence.toFixed(2)}` : null,
      ].filter((x) => x !== null);
      return `${dim(`${e.decision}:`)} ${e.actor} votes ${bold(s(d.vote))}${parts.length ? ` (${parts.join('; ')})` : ''}`;
    }
    case 'closed':
      return `${e.decision} ${closedText(d)}`;
    case 'topology':
      return yellow(`topology ${d.from === null || d.from === undefined ? '(none)' : s(d.from)} -> ${s(d.to)}`) + dim(` (epoch ${s(d.epoch)}: ${s(d.reason)})`);
    case 'fault':
      return d.fault === 'crash' ? red(`${s(d.detail)} crashed`) : yellow(`${s(d.fault)}: ${s(d.detail)}`);
    case 'leader':
      if (d.type === 'raft-leader') return green(`${e.actor} elected leader of term ${s(d.term)}`) + dim(` (${s(d.votes)} votes)`);
      if (d.type === 'raft-step-down') return yellow(`${e.actor} stepped down from term ${s(d.term)}`) + dim(` (${s(d.reason)})`);
      if (d.type === 'raft-snapshot') return `${e.actor} ${s(d.how)} a snapshot up to index ${s(d.index)}` + dim(` (term ${s(d.term)}, ${s(d.chars)} chars)`);
      if (d.type === 'raft-snapshot-send') return yellow(`${e.actor} sends ${s(d.to)} its snapshot up to index ${s(d.index)}`) + dim(` (${s(d.chars)} chars)`);
      if (d.type === 'raft-learner')
        return (
          `${e.actor}: ${s(d.learner)} ${d.phase === 'start' ? 'catches up as a learner' : d.phase === 'promoted' ? 'caught up, joins as a voter' : 'was not added'}` +
          (d.reason === undefined ? '' : dim(` (${s(d.reason)})`))
        );
      break;
    case 'view':
      if (d.type === 'pbft-view') return green(`${e.actor} enters view ${s(d.view)}: ${s(d.primary)} is primary`);
      if (d.type === 'pbft-view-change') return yellow(`${e.actor} asks for view ${s(d.view)}`) + dim(` (${s(d.reason)})`);
      break;
    case 'byzantine':
      if (d.type === 'pbft-detected') return yellow(`${e.actor} caught ${s(d.suspect)}: ${s(d.kind)} in ${s(d.phase)} (view ${s(d.view)}, seq ${s(d.seq)})`);
      if (d.type === 'byzantine-detected') return yellow(`${e.actor} caught ${s(d.agent)}: ${s(d.evidence)}`);
      break;
    case 'crash':
      return red(`worker ${s(d.host ?? e.actor)} died${d.detail ? ` (${s(d.detail)})` : ''}`);
    case 'restart':
      return yellow(`${e.actor} restarted${d.reason ? ` (${s(d.reason)})` : ''}`);
    case 'alert':
      return red(`alert ${s(d.rule ?? '')}: ${typeof d.message === 'string' ? d.message : rest(d)}`);
    case 'oversight':
      if (d.type === 'oversight-requested') return yellow(`${s(d.decision)} held for human oversight (${s(d.policy)}): ${s(d.value)} by ${s(d.votes)} votes`);
      if (d.type === 'oversight-answered') return `${s(d.decision)} oversight answered ${bold(s(d.answer))} by ${s(d.by)}`;
      break;
    case 'escalated':
      return yellow(`${s(d.decision)} escalated to human oversight (risk ${s(d.risk)}, ${s(d.mode)})`);
    case 'stage':
      return `stage ${s(d.stage)} ${d.status === 'passed' ? green(s(d.status)) : red(s(d.status))}${d.because ? dim(` (because ${s(d.because)})`) : ''}`;
  }
  return `${e.kind}${e.actor ? ` ${e.actor}` : ''}: ${rest(d)}`;
}

function closedText(d: Record<string, unknown>): string {
  const votes = d.votes !== null && d.of !== null ? `, ${s(d.votes)}/${s(d.of)} votes` : '';
  const strength = typeof d.strength === 'number' ? `, strength ${d.strength.toFixed(2)}` : '';
  switch (d.outcome) {
    case 'decided':
      return green(`decided ${s(d.value)}`) + dim(` (${s(d.algorithm ?? 'escalated')}${strength}${votes})`);
    case 'no-consensus':
      return red(`no consensus${typeof d.reason === 'string' ? `: ${d.reason}` : ''}`) + dim(` (${s(d.algorithm ?? '?')}${strength}${votes})`);
    case 'ok':
      return green('committed') + dim(` (${[d.f, d.key].filter((x) => x !== undefined).join(' ')}${d.index !== undefined ? `, log index ${s(d.index)}` : ''})`);
    case 'accepted':
      return green('committed') + dim(` (the client accepted result ${s(d.value)})`);
    case 'unclosed':
      return yellow('still open when the run ended');
    default:
      return s(d.outcome);
  }
}

function rest(d: Record<string, unknown>): string {
  const { type, ...others } = d;
  const text = `${type !== undefined ? `${s(type)} ` : ''}${JSON.stringify(others)}`;
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function printVotes(decisions: ReturnType<typeof votesOf>, run: RunRow, o: PrintOptions, out: (line: string) => void): void {
  out(heading(`Votes (${storedShown(o)}${o.reasoning ? ', with reasons' : ''})`));
  if (decisions.length === 0) out('  no decision stored');
  const noBallots = decisions.every((d) => d.ballots.length === 0);
  for (const d of decisions) {
    const lat = d.latencyMs !== null ? ` · ${d.latencyMs.toFixed(2)} ms` : '';
    out(
      `  ${bold(d.decision)}  ${closedText({ ...(d.detail ?? {}), outcome: d.outcome, value: d.value, strength: d.strength, votes: d.votes, of: d.of, algorithm: d.algorithm ?? run.protocol, reason: d.reason })}${dim(lat)}`,
    );
    if (noBallots) continue;
    const width = Math.max(8, ...d.ballots.map((b) => b.agent.length));
    const vw = Math.max(4, ...d.ballots.map((b) => s(b.vote).length));
    for (const b of d.ballots) {
      const conf = b.confidence === null ? '   -' : b.confidence.toFixed(2).padStart(4);
      out(`      ${b.agent.padEnd(width)}  ${s(b.vote).padEnd(vw)}  ${conf}${o.reasoning && b.reason !== null ? `  ${dim(b.reason)}` : ''}`.trimEnd());
    }
    if (d.of !== null && d.ballots.length < d.of) out(dim(`      (${d.of - d.ballots.length} of ${d.of} agents did not vote)`));
  }
  if (noBallots && decisions.length > 0)
    out(
      dim(
        `  no votes stored: ${run.protocol} decisions are ${run.protocol === 'raft' ? 'client commands the cluster committed (see --leaders)' : run.protocol === 'gossip' ? 'gossip rounds' : 'client requests the replicas committed (see --byzantine, --leaders)'}`,
      ),
    );
}

function printWeights(w: ReturnType<typeof weightEvolution>, _run: RunRow, _o: PrintOptions, out: (line: string) => void): void {
  out(heading(`Weight evolution (${int(w.updates)} updates)`));
  if (w.updates === 0) {
    out('  no weight update stored: weights change only with consensus.dynamic_weights (weighted voting)');
    return;
  }
  const aw = Math.max(5, ...w.agents.map((a) => a.agent.length));
  const cols = w.samples.map((x) => x.decision ?? `${x.t.toFixed(0)}ms`);
  const cw = Math.max(6, ...cols.map((c) => c.length));
  out(
    dim(`  ${'agent'.padEnd(aw)}  ${'start'.padStart(6)}  ${cols.map((c) => c.padStart(cw)).join('  ')}  ${'min'.padStart(6)}  ${'max'.padStart(6)}  changes`),
  );
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(2)).padStart(6);
  for (const a of w.agents) {
    const trend = a.final > (a.initial ?? a.final) ? green('↑') : a.final < (a.initial ?? a.final) ? red('↓') : ' ';
    out(
      `  ${a.agent.padEnd(aw)}  ${f(a.initial)}  ${a.series.map((x) => f(x).padStart(cw)).join('  ')}  ${f(a.min)}  ${f(a.max)}  ${String(a.changes).padStart(7)} ${trend}`,
    );
  }
  out(dim(`  columns: each agent's weight after these decisions (sampled evenly; start: the scenario's weight)`));
}

function printParticipation(p: ReturnType<typeof participation>, _run: RunRow, _o: PrintOptions, out: (line: string) => void): void {
  out(heading('Participation'));
  if (p.decisions === 0) {
    out('  no voting decision stored (Raft, PBFT and gossip runs have no ballots)');
    return;
  }
  out(
    `  ${int(p.decisions)} voting decisions stored · ${int(p.votesCast)} of ${int(p.votesOwed)} votes cast (${pct(p.votesOwed ? p.votesCast / p.votesOwed : null)}) · ${int(p.short)} decisions closed short of votes`,
  );
  if (p.unattributed > 0) out(dim(`  ${int(p.unattributed)} missing votes were owed by smaller electorates (workflow stages): not put on any agent below`));
  const aw = Math.max(5, ...p.agents.map((a) => a.agent.length));
  out(dim(`  ${'agent'.padEnd(aw)}  ${'cast / asked'.padStart(14)}  ${'share'.padStart(6)}  missing  abstained`));
  for (const a of p.agents) {
    const missing = a.missing > 0 ? yellow(String(a.missing).padStart(7)) : String(a.missing).padStart(7);
    out(
      `  ${a.agent.padEnd(aw)}  ${`${int(a.cast)} / ${int(a.asked)}`.padStart(14)}  ${pct(a.asked ? a.cast / a.asked : null).padStart(6)}  ${missing}  ${String(a.abstained).padStart(9)}`,
    );
  }
}

function printConflicts(c: ReturnType<typeof voteConflicts>, _run: RunRow, o: PrintOptions, out: (line: string) => void): void {
  out(heading('Vote conflicts'));
  if (c.decisions === 0) {
    out('  no votes stored (Raft, PBFT and gossip runs have no ballots)');
    return;
  }
  out(`  ${int(c.split)} of ${int(c.decisions)} decisions with votes split (${pct(c.split / c.decisions)}) · ${int(c.noConsensus)} of them without consensus`);
  if (c.split === 0) return;
  out(`  by split     ${c.byShape.map((x) => `${x.shape}: ${int(x.decisions)}${x.noConsensus ? ` (${int(x.noConsensus)} no consensus)` : ''}`).join(' · ')}`);
  out(`  dissenters   ${c.byDissenter.map((x) => `${x.agent} ${int(x.dissents)} (${pct(x.share)} of its votes)`).join(' · ')}`);
  out(dim(`  the first ${Math.min(o.limit, c.split)}:`));
  for (const x of c.conflicts) {
    const split = x.split.map((v) => `${v.value ?? '(abstain)'} ${v.votes}`).join(' · ');
    out(
      `  ${bold(x.decision)}  ${split} ${dim(`(${x.outcome === 'decided' ? `decided ${x.majority}` : 'no consensus'})`)} · minority ${pct(x.minorityShare)} · dissent: ${x.dissenters.join(', ')}`,
    );
  }
}

function printByzantine(b: ReturnType<typeof byzantineOf>, run: RunRow, _o: PrintOptions, out: (line: string) => void): void {
  out(heading(`Byzantine detection (${b.detected.length} caught)`));
  if (b.detected.length === 0) out('  no agent was caught lying');
  for (const d of b.detected) {
    const by = d.caughtBy.length > 4 ? `${d.caughtBy.slice(0, 4).join(', ')} and ${d.caughtBy.length - 4} more` : d.caughtBy.join(', ');
    out(
      `  ${yellow(bold(d.suspect))}  ${d.kinds.join(', ')} · caught at ${traceTime(d.firstAt, run.mode).trim()} by ${by || '?'}${d.detections > 1 ? ` (${d.detections} detections)` : ''}${d.isolatedAt !== null ? ` · isolated at ${traceTime(d.isolatedAt, run.mode).trim()}` : ''}`,
    );
    out(`      evidence: ${evidenceText(d.evidence)}`);
  }
  if (b.configured)
    out(
      `  byzantine by the scenario: ${b.configured.join(', ') || 'none'}${b.undetected!.length ? ` · ${red(`never caught: ${b.undetected!.join(', ')}`)}` : b.configured.length ? ` · ${green('all caught')}` : ''}`,
    );
}

function evidenceText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) {
    const digests = e.map((m) => String((m as { d?: unknown }).d ?? '?').slice(0, 8)).join(' vs ');
    return `${e.length} signed message${e.length === 1 ? '' : 's'} (digest ${digests})`;
  }
  return e === null || e === undefined ? '-' : JSON.stringify(e);
}

function printLeaders(l: ReturnType<typeof leadersOf>, run: RunRow, _o: PrintOptions, out: (line: string) => void): void {
  const t = (x: number) => traceTime(x, run.mode).trim();
  if (l.protocol === null) {
    out(heading('Leaders'));
    out(`  ${run.protocol} has no leader (Raft terms and PBFT views show here)`);
    return;
  }
  const raft = l.protocol === 'raft';
  out(heading(raft ? 'Raft leaders' : 'PBFT views'));
  for (const r of l.terms) {
    const held = r.until !== null ? `${t(r.from)} → ${t(r.until)} (${(r.until - r.from).toFixed(0)} ms) · ${r.ended}` : `${t(r.from)} → the end`;
    out(`  ${(raft ? `term ${r.term}` : `view ${r.term}`).padEnd(8)}  ${bold(r.leader.padEnd(10))}  ${held}`);
  }
  if (l.terms.length === 0) out(`  ${red('no leader was elected')}`);
  const gaps = l.gaps.filter((g) => (g.until ?? Infinity) > g.from);
  out(
    `  ${raft ? 'leaderless' : 'no primary'}   ${int(Math.round(l.leaderlessMs))} ms in all${gaps.length ? `: ${gaps.map((g) => `${t(g.from)} → ${g.until === null ? 'the end' : t(g.until)} (${g.why})`).join(' · ')}` : ''}`,
  );
  for (const f of l.failovers as { crashed: string; at: number; newLeader?: string | null; newPrimary?: string | null; ms?: number | null }[]) {
    const next = f.newLeader ?? f.newPrimary;
    out(
      `  failover     ${f.crashed} crashed at ${int(Math.round(f.at))} ms → ${next ? `${bold(next)} ${raft ? 'led' : 'primary'} ${(f.ms ?? 0).toFixed(0)} ms later` : red(raft ? 'no new leader' : 'no new view')}`,
    );
  }
  for (const v of l.viewChanges)
    out(
      `  view ${v.view}       asked for at ${t(v.startedAt)} (${v.reason ?? '?'}) · ${v.installedAt !== null ? `${v.primary} primary at ${t(v.installedAt)}, ${v.replicas} replicas in it` : red('never installed')}`,
    );
  out(`  ${raft ? 'current leader' : 'current primary'}  ${l.currentLeader ? bold(l.currentLeader) : red('none')}`);
}

function printFaults(faults: ReturnType<typeof faultsOf>, run: RunRow, _o: PrintOptions, out: (line: string) => void): void {
  out(heading(`Faults (${faults.length})`));
  if (faults.length === 0) out('  no fault injected');
  const fw = Math.max(5, ...faults.map((f) => f.fault.length));
  const tw = Math.min(24, Math.max(6, ...faults.map((f) => f.target.length)));
  for (const f of faults) {
    const span =
      f.end !== null
        ? `${traceTime(f.start, run.mode).trim()} → ${traceTime(f.end, run.mode).trim()} (${int(Math.round(f.durationMs!))} ms, ${f.endedBy})`
        : `${traceTime(f.start, run.mode).trim()}${f.fault === 'isolated' || f.fault === 'cascade' ? '' : dim(' → not lifted')}`;
    out(`  ${(f.fault === 'crash' ? red : yellow)(f.fault.padEnd(fw))}  ${f.target.padEnd(tw)}  ${span}`.trimEnd());
  }
}
