import { writeFileSync } from 'node:fs';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { AlertRecord } from '../monitoring/alert-record.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { historyLines } from '../check/history-export.ts';
import { violationText } from '../check/violation.ts';
import { configFileLayers, standardLayers, type ConfigPlaces } from '../config/config-files.ts';
import { ConfigError } from '../errors.ts';
import { enterpriseLines } from '../monitoring/enterprise-text.ts';
import { loadScenarioFile, parseScenario, withScenarioLine } from '../scenario/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import { runScenario, type ScenarioResult } from '../swarm/run-scenario.ts';
import type { LiveRun } from '../swarm/run-options.ts';
import { bold, count, dim, green, heading, int, red, wrapText, yellow } from '../text/format.ts';
import { announcement, progressReporter } from './run-progress.ts';
import { prepareSwarmRun, swarmLines, type SwarmRunFlags } from './node-command.ts';
import { EXIT_OK, EXIT_RUN_FAILED, EXIT_SAFETY, exitCodeForError } from './exit-codes.ts';
import { ConclaveError } from '../errors.ts';
import { brokenRunEnd, RunRecorder, scenarioRunEnd, scenarioRunStart } from '../store/index.ts';
import { storeOversightHook } from '../store/oversight-hook.ts';
import { LiveDashboard } from '../dashboard/live-dashboard.ts';
import { dashboardLine } from './dashboard-serving.ts';
import { runAlerts } from '../alerts/run-alerts.ts';
import { safetyAlert } from '../alerts/safety-alert.ts';

/** Findings a summary lists one per line, at most (the rest are counted). */
const FINDINGS_SHOWN = 10;

/**
 * Options of `conclave run`, as commander parses them.
 *
 * @example
 * ```ts
 * await runCommand('examples/db-choice.yml', { seed: 42, json: true }, console.log);
 * ```
 */
export interface RunCommandOptions {
  /** `--config` files (one or a list), merged in order over the user and project files. */
  readonly config?: string | readonly string[];
  /** Where the user and project files are looked for (default: this process's working directory and environment). */
  readonly places?: ConfigPlaces;
  readonly seed?: number;
  readonly mode?: 'sim' | 'threads';
  readonly workers?: number;
  readonly json?: boolean;
  readonly trace?: string;
  /** Decisions whose votes the timeline shows (default 2; 0 for none). */
  readonly timeline?: number;
  /** Raft runs: write the client-visible history as Jepsen-style JSON lines to this file. */
  readonly history?: string;
  /** Run even when the scenario's estimated memory or time is over this machine's budget. */
  readonly force?: boolean;
  /**
   * The run store file to record the run in (the CLI resolves `--store`, `CONCLAVE_STORE` and the
   * default); absent or `false`: not recorded.
   */
  readonly store?: string | false;
  /** Decisions stored one by one (votes included) before the store keeps aggregates (default: 1,000, or every one when the scenario has an audit: section). */
  readonly storeDetail?: number;
  /** The command line, for the store's record of how the run was started. */
  readonly argv?: readonly string[];
  /** Run across the node processes of a swarm on NATS (`--nats`, `--swarm`, `--nodes`, `--spawn-nodes`). */
  readonly nats?: SwarmRunFlags;
  /** Serve the run live on the dashboard (`--dashboard[=PORT]`); `startPaused` holds a sim run at its start until a page resumes it. */
  readonly dashboard?: { readonly port?: number; readonly host?: string; readonly token?: string; readonly startPaused?: boolean };
  /** Where progress lines of a long run go (default: stderr); the clock they read (default: performance.now). */
  readonly progress?: { readonly write: (line: string) => void; readonly now?: () => number; readonly everyMs?: number };
}

/**
 * The numeric options' ranges (as `conclave run --help` enforces them; checked again here for
 * programs that call {@link runCommand} directly).
 */
const OPTION_RANGES = {
  seed: ['--seed', 0, 2 ** 31 - 1],
  workers: ['--workers', 1, 256],
  timeline: ['--timeline', 0, 1000],
} as const;

function checkOptions(opts: RunCommandOptions): void {
  for (const [key, [flag, min, max]] of Object.entries(OPTION_RANGES)) {
    const v = opts[key as keyof typeof OPTION_RANGES];
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max))
      throw new ConfigError(flag, `an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`, v);
  }
}

/**
 * `conclave run [scenario]`: loads the scenario (or the built-in one), runs it and prints a
 * summary, or with `--json` the result as one JSON object. Returns the exit code (exit-codes.ts):
 * 0; 1 when the run broke safety or its accounting; 3 when it failed (its workload did not
 * finish: decisions lost with a crashed worker, say), safety taking precedence. Bad input throws
 * a ConclaveError (exit code 2).
 */
export async function runCommand(file: string | undefined, opts: RunCommandOptions, out: (line: string) => void): Promise<number> {
  checkOptions(opts);
  // The user file, then the project file, then each --config file, then the scenario on top.
  const layers = [...standardLayers(opts.places), ...configFileLayers(typeof opts.config === 'string' ? [opts.config] : (opts.config ?? []), opts.places)];
  const scenario = file ? await loadScenarioFile(file, { layers, force: opts.force }) : parseScenario(undefined, undefined, { layers, force: opts.force });
  const show = opts.json ? 0 : (opts.timeline ?? 2);
  const timeline: string[] = [];
  const swarmRun = opts.nats ? await prepareSwarmRun(opts.nats, opts.mode, opts.workers) : undefined;
  const mode = swarmRun ? 'threads' : (opts.mode ?? scenario.mode ?? 'sim');
  const writeTimeline = show > 0 ? timelineWriter(show, mode, timeline) : undefined;
  // The history needs only the client's invocations and completions: keep those, not the trace.
  const history: TraceEvent[] = [];
  /** The trace's earliest event time: time 0 of the history in threads mode (epoch ms there, and workers' batches may arrive out of order; virtual 0 in sim). */
  let traceStart: number | undefined;
  const keepHistory = (e: TraceEvent) => {
    if (traceStart === undefined || e.t < traceStart) traceStart = e.t;
    if (e.type === 'emit' && typeof e.event.type === 'string' && e.event.type.startsWith('client-')) history.push(e);
  };
  // One Jepsen-style process per client lane (no process has two operations open), times on the
  // trace's clock: sim trace times are virtual ms from 0; threads trace times are epoch ms, so
  // there time 0 is the trace's first event. Written whatever the run's outcome.
  const writeHistory = () =>
    writeFileSync(
      opts.history!,
      historyLines(history, { origin: mode === 'sim' ? 0 : (traceStart ?? 0), lanes: true })
        .map((l) => `${l}\n`)
        .join(''),
    );
  // A long run says so up front and then every few seconds, on stderr (stdout may be --json).
  const write = opts.progress?.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A person at a terminal hears after 2 s and then every 5 s; a log gets a line every 10 s.
  const cadence = opts.progress === undefined && process.stderr.isTTY ? { firstMs: 2_000, everyMs: 5_000 } : { everyMs: opts.progress?.everyMs };
  const announced = announcement(scenario, undefined, cadence.everyMs);
  if (announced) write(announced);
  const recorder =
    typeof opts.store === 'string'
      ? RunRecorder.start(opts.store, scenarioRunStart(scenario, { kind: 'run', mode, seed: opts.seed, argv: opts.argv, detailLimit: opts.storeDetail }))
      : undefined;
  const progress = progressReporter({
    planned: scenario.task.decisions,
    mode,
    now: opts.progress?.now ?? (() => performance.now()),
    write,
    ...cadence,
    recorded: recorder && (() => (recorder.current ? recorder.committed().closed : undefined)),
  });
  // In threads mode a decision held for human oversight waits for a person: `conclave approve`
  // answers through the store. (Sim mode cannot wait on the wall clock: it needs a module hook.)
  const approvals = recorder && mode === 'threads' && scenario.oversight === undefined ? storeOversightHook(recorder.file, recorder.id) : undefined;
  /** The run's clock at its first and latest trace event: when a safety alert is raised (the run's end). */
  let firstT: number | undefined;
  let lastT = 0;
  const onEvent = (e: TraceEvent) => {
    firstT ??= e.t;
    lastT = e.t;
    progress(e);
    writeTimeline?.(e);
    if (opts.history) keepHistory(e);
    recorder?.onEvent(e);
    if (approvals && e.type === 'emit' && e.event.type === 'oversight-requested') {
      const ev = e.event as { decision?: unknown; value?: unknown; timeoutMs?: unknown };
      write(
        `conclave: decision ${String(ev.decision)} (${String(ev.value)}) is held for human oversight: conclave approve ${recorder!.id} ${String(ev.decision)} [--reject] within ${Number(ev.timeoutMs) / 1000} s`,
      );
    }
  };
  await recorder?.ready();
  const across = swarmRun ? { createSystem: swarmRun.createSystem } : {};
  const dash =
    opts.dashboard &&
    (await LiveDashboard.start({
      ...opts.dashboard,
      runId: recorder?.id ?? `live-${process.pid}`,
      label: scenario.name,
      mode,
      protocol: scenario.consensus.algorithm,
    }));
  if (dash) write(dashboardLine(dash, 'this run'));
  const channels = runAlerts(scenario.monitoring, { run: recorder?.id ?? 'unrecorded', scenario: scenario.name }, write);
  const raise = (a: AlertRecord) => {
    recorder?.onAlert(a);
    dash?.alert(a);
    channels?.notify(a);
  };
  const alerted = recorder || dash || channels ? { onAlert: raise } : {};
  const watched = dash
    ? {
        onEvent: (e: TraceEvent) => {
          onEvent(e);
          dash.observe(e);
        },
      }
    : { onEvent };
  // The system is handed to whoever needs it live: the NATS swarm (to stop it) and the dashboard (to draw and control it).
  const onSystem =
    swarmRun || dash
      ? {
          onSystem: (s: ActorSystem, run: LiveRun) => {
            swarmRun?.onSystem(s);
            dash?.attach(s, run);
          },
        }
      : {};
  const result = await runScenario(scenario, {
    seed: opts.seed,
    mode,
    workers: opts.workers,
    traceFile: opts.trace,
    ...watched,
    ...across,
    ...onSystem,
    ...alerted,
    ...(recorder ? { runId: recorder.id } : {}),
    ...(approvals ? { oversight: approvals } : {}),
  })
    .finally(async () => {
      approvals?.close();
      await swarmRun?.stop();
    })
    .catch(async (e: unknown) => {
      await dash?.finish('broken');
      await channels?.close();
      // A run that broke off still leaves the history of what its client saw (open operations end `info`).
      if (opts.history && history.length > 0) writeHistory();
      await recorder?.finish(brokenRunEnd(e, e instanceof ConclaveError ? exitCodeForError(e) : EXIT_RUN_FAILED));
      throw withScenarioLine(e, scenario.file);
    });
  const exitCode = runExitCode(result);
  // A safety violation is always an alert: stored, shown and sent like the ones raised while the run went.
  const unsafe = safetyAlert(result.safetyViolations.map(violationText), Math.max(0, lastT - (firstT ?? lastT)));
  if (unsafe) {
    raise(unsafe);
    result.alerts.push(unsafe);
  }
  await channels?.close();
  await dash?.finish(exitCode === EXIT_OK ? 'completed' : exitCode === EXIT_SAFETY ? 'violated' : 'failed');
  // What the summary reports as decided is in the store before the summary is printed.
  const stored = await recorder?.finish(scenarioRunEnd(result, exitCode, opts.trace));
  if (opts.history) {
    if (result.raft === undefined)
      throw new ConfigError('--history', 'a Raft scenario (consensus.algorithm: raft): only Raft has a client-visible history', result.algorithm);
    writeHistory();
  }
  const nats = swarmRun?.report();
  if (opts.json) out(JSON.stringify({ ...(recorder ? { runId: recorder.id } : {}), ...result, ...(nats ? { nats } : {}) }, null, 2));
  else {
    printSummary(result, scenario, timeline, opts.trace, out);
    if (nats) swarmLines(nats).forEach((l) => out(l));
  }
  if (recorder) {
    const line =
      recorder.error !== undefined
        ? yellow(`  store        not fully recorded: ${recorder.error} (${recorder.file}); the run itself is unaffected`)
        : dim(
            `  stored as ${recorder.id} (${int(stored!.closed)} decisions${stored!.closed > recorder.detailLimit ? `, the first ${int(recorder.detailLimit)} one by one` : ''}) · conclave show ${recorder.id}`,
          );
    if (opts.json) write(line);
    else out(line);
  }
  return exitCode;
}

/**
 * The exit code a run's result earns: a broken protocol or books first, then a run that did
 * not finish. A worker that died without costing a decision does not fail the run (it shows in
 * `hostCrashes`): the runtime did its job.
 *
 * @example
 * ```ts
 * process.exitCode = runExitCode(await runScenario(scenario));
 * ```
 */
export function runExitCode(result: ScenarioResult): number {
  if (result.safetyViolations.length > 0 || result.accountingImbalance !== 0) return EXIT_SAFETY;
  return result.status === 'failed' ? EXIT_RUN_FAILED : EXIT_OK;
}

/** At most this many vote lines per decision in a run's timeline; the rest are counted in one line. */
const VOTE_LINES = 12;

/**
 * Collects readable lines for the first `decisions` decisions: proposal, votes (at most
 * {@link VOTE_LINES} each, the rest counted), outcome (and
 * topology switches), from the trace as it happens.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await runScenario(scenario, { onEvent: timelineWriter(2, 'sim', lines) });
 * ```
 */
export function timelineWriter(decisions: number, mode: 'sim' | 'threads', lines: string[]): (e: TraceEvent) => void {
  const shown = new Set<string>();
  /** Vote lines printed per shown decision: a swarm of 100,000 would print 100,000 of them. */
  const votesShown = new Map<string, number>();
  /** The question and options of the last decision shown opening. */
  let lastAsked: string | undefined;
  const when = (t: number) => (mode === 'sim' ? `${t.toFixed(2).padStart(9)} ms` : new Date(t).toISOString().slice(11, 23));
  return (e) => {
    if (e.type === 'fault') {
      lines.push(`${dim(when(e.t))}  ${e.fault === 'crash' ? red(`${e.detail} crashed`) : yellow(`${e.fault}: ${e.detail}`)}`);
      return;
    }
    // A worker's death, and where its actors went (threads mode).
    if (e.type === 'host-crash') {
      lines.push(`${dim(when(e.t))}  ${red(`worker ${e.host} died (${e.detail}): ${e.actors} actors, ${e.lostInFlight} envelopes lost in flight`)}`);
      return;
    }
    if (e.type === 'restart' && e.reason.startsWith('worker ')) {
      lines.push(`${dim(when(e.t))}  ${yellow(`${e.actor} restarted on worker ${e.host}`)} ${dim(`(${e.reason})`)}`);
      return;
    }
    if (e.type === 'stop' && e.reason.startsWith('worker ')) {
      lines.push(`${dim(when(e.t))}  ${red(`${e.actor} stopped`)} ${dim(`(${e.reason})`)}`);
      return;
    }
    if (e.type === 'emit' && (e.event as { type?: string }).type === 'raft-leader') {
      lines.push(`${dim(when(e.t))}  ${green(`${e.actor} elected leader of term ${(e.event as { term: number }).term}`)}`);
      return;
    }
    if (e.type === 'emit' && (e.event.type === 'pbft-view' || e.event.type === 'pbft-detected')) {
      // Once per view and per suspect, whichever replica saw it first.
      const ev = e.event as { type: string; view?: number; primary?: string; suspect?: string; kind?: string; phase?: string };
      const key = ev.type === 'pbft-view' ? `view ${ev.view}` : `caught ${ev.suspect}`;
      if (shown.has(key)) return;
      shown.add(key);
      lines.push(
        `${dim(when(e.t))}  ${ev.type === 'pbft-view' ? green(`view ${ev.view}: ${ev.primary} is primary`) : yellow(`${e.actor} caught ${ev.suspect}: ${ev.kind} in ${ev.phase}, signed evidence shared`)}`,
      );
      return;
    }
    if (e.type === 'topology') {
      lines.push(`${dim(when(e.t))}  ${yellow(`topology ${e.from ?? '(none)'} -> ${e.to}`)} ${dim(`(epoch ${e.epoch}: ${e.reason})`)}`);
      return;
    }
    if (e.type !== 'emit') return;
    const ev = e.event as Record<string, unknown> & { type?: string; decision?: string };
    if (typeof ev.decision !== 'string') return;
    if (ev.type === 'proposal' && shown.size < decisions) shown.add(ev.decision);
    if (!shown.has(ev.decision)) return;
    const at = dim(when(e.t));
    if (ev.type === 'proposal') {
      // A workload asks one question many times: its text (often longer than the line) once, then "the same".
      const asked = `${ev.question} [${(ev.options as string[]).join(' | ')}]`;
      lines.push(`${at}  ${bold(e.actor)} opens ${ev.decision}: ${asked === lastAsked ? dim('the same question') : asked}`);
      lastAsked = asked;
    } else if (ev.type === 'vote') {
      const n = (votesShown.get(ev.decision) ?? 0) + 1;
      votesShown.set(ev.decision, n);
      if (n <= VOTE_LINES) lines.push(`${at}  ${ev.agent} votes ${bold(String(ev.vote))} (${ev.reason}; confidence ${Number(ev.confidence).toFixed(2)})`);
    } else if (ev.type === 'decided') {
      const unshown = (votesShown.get(ev.decision) ?? 0) - VOTE_LINES;
      if (unshown > 0) lines.push(`${at}  ${dim(`… and ${int(unshown)} more votes on ${ev.decision}`)}`);
      // A vote that closed at its timeout without consensus is counted as timed out (the summary's count), whatever the tally said.
      const closedBy = ev.cause === 'timeout' ? 'timed out' : 'no consensus';
      const verdict = ev.consensus ? green(`decided ${ev.value}`) : red(`${closedBy}${ev.reason ? `: ${ev.reason}` : ''}`);
      lines.push(
        `${at}  ${ev.decision} ${verdict} ${dim(`(${ev.policy !== undefined ? `${ev.policy}: ` : ''}${ev.algorithm ?? 'escalated'}, strength ${Number(ev.strength).toFixed(2)}, ${ev.votes}/${ev.of} votes)`)}`,
      );
    } else if (ev.type === 'escalated') lines.push(`${at}  ${ev.decision} ${yellow(`escalated to human oversight (risk ${ev.risk})`)}`);
    else if (ev.type === 'oversight-requested')
      lines.push(`${at}  ${ev.decision} ${yellow(`held for human oversight (${ev.policy}): ${ev.value}, strength ${Number(ev.strength).toFixed(2)}`)}`);
    else if (ev.type === 'oversight-answered')
      lines.push(
        `${at}  ${ev.decision} ${ev.answer === 'approve' ? green('approved') : red(String(ev.answer === 'reject' ? 'rejected' : 'escalated'))} ${dim(ev.by === 'timeout' ? '(no answer by its oversight timeout)' : '(by the oversight hook)')}`,
      );
  };
}

/** Prints a run's result for a person (what `conclave run` shows). */
export function printSummary(
  r: ScenarioResult,
  scenario: Pick<Scenario, 'task' | 'workflow'>,
  timeline: readonly string[],
  traceFile: string | undefined,
  out: (line: string) => void,
): void {
  const truth = scenario.task.truth;
  // A workflow's stages each run their own algorithm: the header says so, each stage line names its own.
  const stageAlgorithms = new Map((scenario.workflow?.stages ?? []).map((s) => [s.name, s.consensus_algorithm]));
  const algorithm = stageAlgorithms.size > 0 ? `a workflow of ${count(stageAlgorithms.size, 'stage')}` : r.algorithm;
  out(bold(`${r.scenario}`) + dim(` · ${algorithm} · ${count(r.agents, 'agent')} · ${r.topology} · ${r.mode} mode · seed ${r.seed}`));
  if (timeline.length > 0) {
    out(heading('Timeline'));
    for (const l of timeline) out(l);
  }
  out(heading('Result'));
  for (const w of r.warnings ?? []) {
    const [first, ...rest] = wrapText(w, 100, 15);
    out(`  ${yellow('not used')}     ${first}`);
    for (const line of rest) out(`${' '.repeat(15)}${line}`);
  }
  const d = r.decisions;
  if (r.status === 'failed') out(`  ${red('RUN FAILED')}   ${r.failure ? r.failure.message : `${int(d.aborted)} decisions lost with a crashed worker`}`);
  out(
    `  decisions    ${int(d.attempted)} attempted · ${green(`${int(d.decided)} decided`)} · ${int(d.noConsensus)} no consensus · ${d.timedOut ? red(`${int(d.timedOut)} timed out`) : '0 timed out'} · ${int(d.escalated)} escalated${d.aborted ? ` · ${red(`${int(d.aborted)} aborted (lost in a crash)`)}` : ''}`,
  );
  for (const c of r.hostCrashes) {
    out(
      `  crash        ${red(`worker ${c.host} died`)} at ${int(Math.round(c.at))} ms (${c.detail}) · restarted ${c.restarted.length ? names(c.restarted) : 'none'}${c.stopped.length ? ` · stopped ${names(c.stopped)}` : ''} · ${int(c.lostInFlight)} envelopes dead-lettered host-crashed`,
    );
  }
  const outcomes = Object.entries(r.byOutcome).sort((a, b) => b[1] - a[1]);
  const widest = Math.max(1, ...outcomes.map(([, n]) => n));
  // Option names whole, aligned on the longest (up to 40 characters; a longer one ends in …).
  const width = Math.min(40, Math.max(12, ...outcomes.map(([o]) => o.length)));
  const label = (o: string) => (o.length > width ? `${o.slice(0, width - 1)}…` : o.padEnd(width));
  for (const [option, n] of outcomes) out(`  ${label(option)} ${'█'.repeat(Math.max(1, Math.round((n / widest) * 30)))} ${int(n)}`);
  if (r.stages) {
    const stageWidth = Math.max(0, ...Object.keys(r.stages).map((n) => n.length));
    const algorithmOf = (name: string) => stageAlgorithms.get(name) ?? r.algorithm;
    const algorithmWidth = Math.max(0, ...Object.keys(r.stages).map((n) => algorithmOf(n).length));
    for (const [name, s] of Object.entries(r.stages)) {
      const status = s.status === 'passed' ? green(s.status) : s.status === 'blocked' || s.status === 'failed' ? red(s.status) : s.status;
      out(
        `  stage ${name.padEnd(stageWidth)}  ${dim(algorithmOf(name).padEnd(algorithmWidth))}  ${status}${s.decision ? ` → ${s.decision}` : ''}${s.reason ? dim(` (${s.reason})`) : ''}`,
      );
    }
  }
  for (const line of enterpriseLines(r, { red, yellow, dim })) out(line);
  const sim = r.simDecisionsPerMinute !== undefined ? ` · ${int(r.simDecisionsPerMinute)} per simulated minute` : '';
  out(`  throughput   ${bold(int(r.decisionsPerMinute))} decisions/min wall clock${sim}`);
  out(
    `  latency      p50 ${r.latencyMs.p50.toFixed(2)} ms · p99 ${r.latencyMs.p99.toFixed(2)} ms ${dim(r.mode === 'sim' ? '(simulated time)' : '(wall clock)')}`,
  );
  if (r.quality !== null) out(`  quality      ${(r.quality * 100).toFixed(1)}% of decided decisions chose the ground truth${truth ? ` (${truth})` : ''}`);
  // The books are judged even with the trace off: a violation shows either way.
  const safety =
    r.safetyViolations.length > 0
      ? red(`${r.safetyViolations.length} VIOLATIONS`)
      : !r.safetyChecked
        ? yellow('not checked (trace off)')
        : green('0 violations');
  const checked = r.raft
    ? 'election safety, state-machine safety, leader completeness, acknowledged commands'
    : r.pbft
      ? 'agreement, validity, integrity, results the client accepted'
      : 'agreement and validity';
  out(`  safety       ${safety} ${dim(`(${checked}, checked over the trace)`)}`);
  for (const v of r.safetyViolations.slice(0, FINDINGS_SHOWN)) out(`               ${red(violationText(v))}`);
  if (r.safetyViolations.length > FINDINGS_SHOWN) out(dim(`               ... and ${r.safetyViolations.length - FINDINGS_SHOWN} more (--json lists them all)`));
  for (const v of r.livenessViolations) out(`  liveness     ${yellow(violationText(v))}`);
  const m = r.messages;
  const ok = r.accountingImbalance === 0 ? green('✓ balanced') : red(`✗ off by ${r.accountingImbalance}`);
  out(
    `  messages     ${int(m.sent)} sent = ${int(m.delivered)} delivered + ${int(m.dropped)} dropped + ${int(m.deadLettered)} dead-lettered + ${int(m.inFlight)} in flight ${ok}`,
  );
  // A relay hop: an envelope forwarded by a member between two that are not linked (a star's hub, a ring's neighbours).
  out(
    `               ${r.messagesPerDecision.toFixed(1)} per decision · ${m.relayed === 0 ? 'no envelope relayed (every sender linked to its receiver)' : `${int(m.relayed)} relay hops (envelopes forwarded by a member between two that are not linked)`}`,
  );
  const refused = Object.values(r.refusedVotes).reduce<number>((n, k) => n + (k ?? 0), 0);
  const why = Object.entries(r.refusedVotes)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([reason, n]) => `${int(n ?? 0)} ${reason}`);
  if (refused > 0) out(`  refused      ${count(refused, 'vote')} ${dim(`(${why.join(' · ')})`)}`);
  if (r.compliance)
    out(
      `  compliance   ${int(r.compliance.checked - r.compliance.failed)} of ${int(r.compliance.checked)} decided decisions compliant${r.compliance.failed > 0 ? ` · ${int(r.compliance.failed)} findings, first: ${r.compliance.findings[0]?.decision}: ${r.compliance.findings[0]?.finding}` : ''}`,
    );
  if (r.byzantineDetected.length > 0)
    out(`  byzantine    ${yellow(`${r.byzantineDetected.length} caught`)}: ${r.byzantineDetected.map((d) => `${d.agent} (${d.evidence})`).join(' · ')}`);
  if (r.weights)
    out(
      `  weights      ${Object.entries(r.weights)
        .map(([a, w]) => `${a} ${w.toFixed(2)}`)
        .join(' · ')}`,
    );
  if (r.raft) {
    out(heading('Raft'));
    out(`  leaders      ${r.raft.leaders.map((l) => `term ${l.term}: ${l.leader} at ${int(Math.round(l.at))} ms`).join(' · ') || 'none elected'}`);
    for (const f of r.raft.failovers) {
      out(
        `  failover     ${f.crashed} crashed at ${int(Math.round(f.at))} ms → ${f.newLeader ? `${bold(f.newLeader)} led ${int(Math.round(f.ms!))} ms later` : red('no new leader')}`,
      );
    }
    const refused = Object.entries(r.raft.rejected).sort((a, b) => b[1] - a[1]);
    if (refused.length > 0) out(`  refused      ${refused.map(([why, n]) => `${int(n)} ${why}`).join(' · ')}`);
    out(`  client       ${int(r.raft.retries)} retries (redirects and timeouts); every acknowledged command checked against what the nodes applied`);
  }
  if (r.pbft) printPbft(r.pbft, out);
  if (r.topologyEpochs.length > 1) {
    out(heading('By topology'));
    out(dim('  epoch  topology       decisions  msgs/decision  links/msg  p50 latency'));
    for (const e of r.topologyEpochs) {
      out(
        `  ${String(e.epoch).padStart(5)}  ${e.kind.padEnd(13)}  ${int(e.decisions).padStart(9)}  ${e.messagesPerDecision.toFixed(1).padStart(13)}  ${e.linksPerMessage.toFixed(2).padStart(9)}  ${e.latencyP50Ms.toFixed(2).padStart(8)} ms`,
      );
    }
  }
  out(
    dim(
      `\n  trace ${r.traceHash.slice(0, 16)}…${traceFile ? ` written to ${traceFile}` : ''} · ${int(Math.round(r.wallMs))} ms wall${r.replayable ? '' : ' · threads mode: wall clock, a rerun differs (replay in sim mode)'}`,
    ),
  );
}

/** Actor names for a summary line: a worker may have hosted thousands (--json lists them all). */
function names(ids: readonly string[], shown = 6): string {
  return ids.length <= shown ? ids.join(', ') : `${ids.slice(0, shown).join(', ')} and ${int(ids.length - shown)} more`;
}

/** The PBFT part of a run's summary: views, failovers, liars and what was refused. */
function printPbft(p: NonNullable<ScenarioResult['pbft']>, out: (line: string) => void): void {
  out(heading('PBFT'));
  const auth = p.signatures === 'none' ? 'not signed (channels only)' : p.signatures === 'token' ? 'signed (modelled signatures)' : 'signed (Ed25519)';
  out(`  replicas     n = ${p.n}, tolerates f = ${p.f} Byzantine · messages ${auth}`);
  out(`  views        ${p.views.map((v) => `view ${v.view}: ${v.primary} at ${int(Math.round(v.at))} ms`).join(' · ') || 'view 0 throughout'}`);
  for (const f of p.failovers) {
    const after = f.newPrimary
      ? `${bold(f.newPrimary)} primary ${int(Math.round(f.ms!))} ms later`
      : f.recoveredMs !== undefined
        ? yellow(`no new view: ${f.crashed} recovered ${int(Math.round(f.recoveredMs))} ms later and went on as primary`)
        : red('no new view');
    out(`  failover     primary ${f.crashed} crashed at ${int(Math.round(f.at))} ms → ${after}`);
  }
  if (p.byzantine.agents.length > 0)
    out(
      `  byzantine    ${p.byzantine.agents.join(', ')} (${p.byzantine.kinds.join(', ')})${p.byzantine.agents.length > p.f ? red(` · ${p.byzantine.agents.length} > f: beyond what PBFT tolerates`) : ''}`,
    );
  for (const d of p.detected) {
    const digests = d.evidence.map((m) => String((m as { d?: unknown }).d ?? '?').slice(0, 8)).join(' vs ');
    out(
      `  ${yellow('caught')}       ${bold(d.suspect)}: ${d.kind} in ${d.phase} (view ${d.view}, seq ${d.seq}) at ${int(Math.round(d.at))} ms, proven to ${d.by} by ${d.evidence.length} signed message${d.evidence.length === 1 ? '' : 's'} (digest ${digests}); isolated`,
    );
  }
  const refused = Object.entries(p.rejected).sort((a, b) => b[1] - a[1]);
  if (refused.length > 0) out(`  refused      ${refused.map(([why, n]) => `${int(n)} ${why}`).join(' · ')}`);
  out(`  client       ${int(p.retries)} resends`);
}
