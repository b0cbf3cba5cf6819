import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConclaveError, ConfigError } from '../errors.ts';
import { checkAlgorithm, VOTING_ALGORITHMS } from '../protocols/voting/algorithms.ts';
import { didYouMean } from '../scenario/index.ts';
import { family, faultsFor, runStress, shrinkScenario, type ShrinkResult, type StressPlan, type StressReport } from '../stress/index.ts';
import { implementationRef } from '../stress/implementation.ts';
import { checkImplementation } from '../swarm/main-role.ts';
import { bold, count, dim, green, heading, int, red, yellow } from '../text/format.ts';
import { brokenRunEnd, ReportRecorder, type RunEnd } from '../store/index.ts';
import { exitCodeForError } from './exit-codes.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { type DashboardServing, dashboardLine } from './dashboard-serving.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';

/**
 * Options of `conclave stress`, as commander parses them.
 *
 * @example
 * ```ts
 * await stressCommand({ protocol: 'pbft', agents: 7, runs: 100, seed: 1, decisions: 100 }, console.log, process.stderr);
 * ```
 */
export interface StressCommandOptions {
  readonly protocol: string;
  readonly agents: number;
  readonly byzantine?: number;
  /** The share of agents that lie in a run that draws Byzantine faults (instead of `byzantine`). */
  readonly failureRate?: number;
  readonly faults?: string;
  readonly runs: number;
  readonly seed: number;
  readonly decisions: number;
  readonly workers?: number;
  readonly json?: boolean;
  readonly save?: string;
  /** Shrink the first run that broke safety to a smaller scenario that still does (default true; `--no-shrink`). */
  readonly shrink?: boolean;
  /** The shrink's bounds: candidate runs at most (default 200) and wall-clock seconds (default 60). */
  readonly shrinkAttempts?: number;
  readonly shrinkSeconds?: number;
  /** `path#export` (or `path`): the protocol's main role from this module instead of the built-in one (a broken variant, say). */
  readonly implementation?: string;
  /** `sim` (default) or `threads` (one run at a time on the worker threads, wall clock, every fault kind). */
  readonly mode?: 'sim' | 'threads';
  /** Raft: `guided` (default: an adversary cuts nodes as they are elected or commit), `targeted` (half the runs aimed at Raft's subtle rules) or `uniform` (every run drawn alike). */
  readonly search?: string;
  /** Exit 0 even when runs within the fault bound stalled (liveness findings are then only reported). */
  readonly allowLiveness?: boolean;
  /** The run store to record the campaign in (the CLI resolves --store and the default); absent or false: not recorded. */
  readonly store?: string | false;
  /** The command line, for the store's record of how the campaign was started. */
  readonly argv?: readonly string[];
  /** Watch the campaign on the live dashboard: its runs one at a time in this process (`--dashboard [port]`). */
  readonly dashboard?: DashboardServing;
}

/**
 * `conclave stress`'s exit codes: a safety violation (or a run that failed outright) is 1; bad
 * options 2 (raised as a ConfigError, before anything runs); a liveness finding in a run whose
 * faults stayed within the protocol's bound and ended is 3, since a stall there is a bug
 * (`--allow-liveness` makes it 0); beyond the bound, stalls are what too many liars cost and
 * only reported.
 *
 * @example
 * ```ts
 * process.exitCode = await stressCommand(o, console.log); // 0, 1 or 3: STRESS_EXIT
 * ```
 */
export const STRESS_EXIT = Object.freeze({ ok: 0, safety: 1, liveness: 3 });

/**
 * `conclave stress`: many seeded runs, each with a fault schedule drawn from its seed, on a
 * piscina pool; prints what the checkers found and, for every failing run, the command and
 * the scenario file that reproduce it. The first run that broke safety is then shrunk (unless
 * `shrink` is false) and printed, and with `save` written beside it. Returns the exit code (see
 * `STRESS_EXIT`): 1 when a run broke safety (or failed outright), 3 when a run within the fault
 * bound stalled (unless `allowLiveness`), else 0.
 */
export async function stressCommand(
  o: StressCommandOptions,
  out: (line: string) => void,
  progress?: { isTTY?: boolean; write(s: string): unknown },
): Promise<number> {
  const plan = stressPlan(o);
  if (o.shrink === false && (o.shrinkAttempts ?? o.shrinkSeconds) !== undefined)
    throw new ConfigError(
      o.shrinkAttempts !== undefined ? '--shrink-attempts' : '--shrink-seconds',
      'no --no-shrink beside it (it bounds the shrink that --no-shrink turns off: drop one of the two)',
      o.shrinkAttempts ?? o.shrinkSeconds,
    );
  if (o.dashboard && o.workers !== undefined && o.workers > 1)
    throw new ConfigError('--workers', '1 with --dashboard (a watched campaign runs one run at a time in this process, where the dashboard is)', o.workers);
  // A module that does not load would fail every run: say so once, naming the option.
  if (plan.implementation !== undefined) await checkImplementation(implementationRef(plan.implementation, family(plan.protocol)), '--implementation');
  let last = 0;
  const recorder =
    typeof o.store === 'string'
      ? ReportRecorder.start(o.store, {
          kind: 'stress',
          name: `stress ${o.protocol}`,
          protocol: o.protocol,
          mode: o.mode ?? 'sim',
          seed: o.seed,
          agents: o.agents,
          scenarioResolved: { plan, runs: o.runs, seed: o.seed },
          argv: o.argv,
          detailLimit: 0,
          signed: true,
        })
      : undefined;
  const dash = o.dashboard
    ? await (await import('../dashboard/live-dashboard.ts')).LiveDashboard.start({
        ...o.dashboard,
        runId: recorder?.id ?? `stress-${process.pid}`,
        label: `stress ${o.protocol}`,
        mode: o.mode ?? 'sim',
        protocol: o.protocol,
      })
    : undefined;
  if (dash) progress?.write(`${dashboardLine(dash, 'this campaign')}\n`);
  const report = await runStress(plan, {
    runs: o.runs,
    seed: o.seed,
    workers: o.workers,
    ...(dash
      ? { watch: (seed: number) => ({ onSystem: (s: ActorSystem) => dash.nextRun(s, `seed ${seed}`), onEvent: (e: TraceEvent) => dash.observe(e) }) }
      : {}),
    onProgress: (done, runs) => {
      recorder?.progress(done, runs);
      if (!progress || o.json) return;
      const pct = Math.floor((done / runs) * 100);
      if (progress.isTTY) progress.write(`\r  ${'█'.repeat(Math.floor(pct / 4)).padEnd(25, '░')} ${done}/${runs} runs`);
      else if (pct >= last + 10 || done === runs) {
        // A line per tenth of the campaign: `last` moves only when one is written.
        progress.write(`  ${done}/${runs} runs\n`);
        last = pct;
      }
    },
  }).catch(async (e: unknown) => {
    await dash?.finish('broken');
    recorder?.finish(brokenRunEnd(e, e instanceof ConclaveError ? exitCodeForError(e) : STRESS_EXIT.safety));
    throw e;
  });
  await dash?.finish(report.failing.length > 0 ? 'violated' : report.stalled.length > 0 ? 'failed' : 'completed');
  if (progress?.isTTY && !o.json) progress.write('\n');
  const saved = o.save ? saveFindings(report, o.save) : new Map<number, string>();
  const shrunk = o.shrink === false ? undefined : await shrinkFirstFailing(report, o, progress);
  if (o.json) out(JSON.stringify({ ...report, saved: [...saved.values()], ...(shrunk ? { shrunk } : {}) }, null, 2));
  else {
    printReport(report, o, saved, out);
    if (shrunk) printShrunk(shrunk, out);
    if (o.save && saved.size === 0)
      out(dim(`\n  --save ${o.save}: no run broke safety, failed or stalled within the bound; nothing written (the folder was not created)`));
  }
  const exitCode = report.failing.length > 0 ? STRESS_EXIT.safety : report.stalled.length > 0 && !o.allowLiveness ? STRESS_EXIT.liveness : STRESS_EXIT.ok;
  if (recorder) {
    recorder.finish(stressRunEnd(report, exitCode, shrunk));
    (o.json ? (l: string) => progress?.write(`${l}\n`) : out)(dim(`  stored as ${recorder.id} · conclave show ${recorder.id}`));
  }
  return exitCode;
}

/** A campaign's findings as the store keeps them: each failing or stalled run, with the seed that replays it. */
function stressRunEnd(report: StressReport, exitCode: number, shrunk: unknown): RunEnd {
  const findings = [
    ...report.failing.flatMap((f) =>
      (f.violations.length > 0 ? f.violations : [{ checker: 'run', property: 'failed', detail: f.error ?? 'the run failed' }]).map((v) => ({
        kind: 'safety' as const,
        checker: v.checker,
        text: `seed ${f.seed}: ${v.property}: ${v.detail}`,
        detail: JSON.stringify({ seed: f.seed, ...v, scenario: f.scenario }),
      })),
    ),
    ...report.stalled.map((s) => ({ kind: 'liveness' as const, checker: 'termination', text: `seed ${s.seed}: ${s.detail}`, detail: JSON.stringify(s) })),
  ];
  const status = exitCode === STRESS_EXIT.safety ? 'violated' : exitCode === STRESS_EXIT.liveness ? 'failed' : 'completed';
  return { status, exitCode, result: JSON.stringify({ ...report, ...(shrunk ? { shrunk } : {}) }), findings };
}

/**
 * A --protocol that is no protocol stress knows: every one is listed (votes, raft, PBFT) and the
 * close one suggested whatever its case (`Raft` -> raft), instead of the voting algorithms only.
 */
function checkStressProtocol(name: string): void {
  try {
    checkAlgorithm(name, '--protocol');
  } catch {
    const known = [...VOTING_ALGORITHMS, 'raft', 'byzantine_tolerant', 'pbft'];
    const near = didYouMean(name, known);
    const gossip = name === 'gossip' ? ' (gossip is not stressed yet: conclave run takes it)' : ' (or a custom policy registered in this process)';
    throw new ConfigError('--protocol', `${near ? `${near} (did you mean it?), or ` : ''}one of ${known.join(', ')}${gossip}`, name);
  }
}

/**
 * The plan `conclave stress` (and `conclave replay --seed N`, which must draw the very same
 * scenario) makes of its options, refusing bad ones with the option's name.
 *
 * @example
 * ```ts
 * const plan = stressPlan({ protocol: 'pbft', agents: 4, byzantine: 2, decisions: 30 });
 * drawScenario(plan, 7); // run seed 7's scenario
 * ```
 */
export function stressPlan(
  o: Pick<StressCommandOptions, 'protocol' | 'agents' | 'byzantine' | 'failureRate' | 'faults' | 'decisions' | 'implementation' | 'mode' | 'search'>,
): StressPlan {
  if (family(o.protocol) === 'voting') checkStressProtocol(o.protocol);
  const plan: { -readonly [K in keyof StressPlan]: StressPlan[K] } = {
    protocol: o.protocol,
    agents: o.agents,
    byzantine: o.byzantine,
    failureRate: o.failureRate,
    faults: faultsFor(
      o.protocol,
      o.faults
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
    decisions: o.decisions,
    ...(o.mode === 'threads' ? { mode: 'threads' as const } : {}),
  };
  // Raft tolerates no liar, but may be given some (to see its checkers catch what they do).
  if ((o.byzantine !== undefined || o.failureRate !== undefined) && !o.faults && family(o.protocol) === 'raft') plan.faults = [...plan.faults, 'byzantine'];
  if (o.byzantine !== undefined && o.failureRate !== undefined)
    throw new ConfigError('--failure-rate', 'either --byzantine or --failure-rate, not both', o.failureRate);
  if (o.byzantine !== undefined && o.byzantine >= o.agents) throw new ConfigError('--byzantine', `fewer than --agents (${o.agents})`, o.byzantine);
  if (o.failureRate !== undefined && !(o.failureRate >= 0 && o.failureRate < 1))
    throw new ConfigError('--failure-rate', 'a share of the agents in [0, 1)', o.failureRate);
  if (o.search !== undefined) {
    if (o.search !== 'guided' && o.search !== 'targeted' && o.search !== 'uniform') throw new ConfigError('--search', 'guided, targeted or uniform', o.search);
    // Only Raft has a targeted search: refused elsewhere rather than accepted and ignored.
    if (family(o.protocol) !== 'raft') throw new ConfigError('--search', `a Raft option (--protocol raft); ${o.protocol} runs are drawn uniformly`, o.search);
    // The targeted shapes crash leaders: without crashes (--faults without crash) every run is
    // uniform, so asking for them is refused rather than ignored.
    if (o.search === 'targeted' && !plan.faults.includes('crash'))
      throw new ConfigError('--search', 'uniform here: the targeted search crashes leaders, and these runs draw no crashes (add crash to --faults)', o.search);
    // Guided cuts a node's sends (a partition of one) the instant it emits an event, which only
    // a single-threaded run can do; with neither partitions nor crashes it would be uniform.
    if (o.search === 'guided' && o.mode === 'threads')
      throw new ConfigError(
        '--search',
        'targeted or uniform in threads mode: the guided search cuts a node in the instant it is elected, which only sim mode can',
        o.search,
      );
    if (o.search === 'guided' && !plan.faults.includes('partition') && !plan.faults.includes('crash'))
      throw new ConfigError(
        '--search',
        'uniform here: the guided search cuts nodes off (a partition) or crashes them, and these runs draw neither (add partition to --faults)',
        o.search,
      );
    plan.search = o.search;
  }
  if (o.implementation !== undefined) {
    const ref = implementationRef(o.implementation, family(o.protocol));
    plan.implementation = `${ref.module}#${ref.export}`;
  }
  return plan;
}

/**
 * Writes each run that broke safety, failed, or stalled within the bound as a scenario file
 * (`stress-<protocol>-<seed>.yml`), by seed. Nothing to write: no folder is made, so an empty
 * folder never suggests that something was saved.
 */
function saveFindings(report: StressReport, dir: string): Map<number, string> {
  const runs = [...report.failing, ...report.stalled.filter((s) => !report.failing.some((f) => f.seed === s.seed))];
  const saved = new Map<number, string>();
  if (runs.length === 0) return saved;
  mkdirSync(dir, { recursive: true });
  for (const r of runs) {
    const file = join(dir, `stress-${report.plan.protocol}-${r.seed}.yml`);
    writeFileSync(file, r.scenario);
    saved.set(r.seed, file);
  }
  return saved;
}

/**
 * Shrinks the first run that broke safety (one that failed outright is a bug of its own, with
 * nothing to shrink), keeping the property it broke first; with `--save`, writes the result as
 * `stress-<protocol>-<seed>.shrunk.yml` beside the run's own file. Only the first: each shrink
 * reruns the scenario up to its attempt bound, and one small reproduction is what a reader needs.
 */
async function shrinkFirstFailing(
  report: StressReport,
  o: StressCommandOptions,
  progress: { isTTY?: boolean; write(s: string): unknown } | undefined,
): Promise<(ShrinkResult & { file?: string }) | undefined> {
  const failing = report.failing.find((f) => f.violations.length > 0);
  if (!failing) return undefined;
  const name = `stress-${report.plan.protocol}-${failing.seed}.shrunk.yml`;
  const file = o.save ? join(o.save, name) : undefined;
  const show = progress && !o.json ? progress : undefined;
  const r = await shrinkScenario(failing.scenario, {
    seed: failing.seed,
    property: failing.violations[0].property,
    fileName: file ?? name,
    ...(o.shrinkAttempts !== undefined && { maxAttempts: o.shrinkAttempts }),
    ...(o.shrinkSeconds !== undefined && { timeBudgetMs: o.shrinkSeconds * 1000 }),
    onProgress: (p) => {
      const size = `${count(p.size.faultEntries, 'fault entry', 'fault entries')}, ${count(p.size.decisions, 'decision')}, ${count(p.size.agents, 'agent')}`;
      if (show?.isTTY) show.write(`\r  shrinking seed ${failing.seed}: attempt ${p.attempt} · ${size}`.padEnd(90));
      else if (p.kept) show?.write(`  shrinking seed ${failing.seed}: attempt ${p.attempt} kept ${p.change} (${size})\n`);
    },
  });
  if (show?.isTTY) show.write('\n');
  if (file) {
    mkdirSync(o.save!, { recursive: true });
    writeFileSync(file, r.shrunk);
  }
  return file ? { ...r, file } : r;
}

/** Why the shrink stopped, as the summary says it: a bound it hit says how to go on. */
const STOPPED: Record<ShrinkResult['stopped'], string> = {
  minimal: 'minimal: no single change keeps the violation',
  'max-attempts': 'not minimal yet: --shrink-attempts N tries more',
  'time-budget': 'not minimal yet: --shrink-seconds S allows longer',
  'not-failing': 'the run no longer fails alone',
};

function printShrunk(s: ShrinkResult & { file?: string }, out: (line: string) => void): void {
  const { before: b, after: a } = s.size;
  out(heading('Shrunk'));
  out(
    `  seed ${s.seed}: ${s.property} still violated · fault entries ${b.faultEntries} -> ${a.faultEntries} · decisions ${b.decisions} -> ${a.decisions} · agents ${b.agents} -> ${a.agents}`,
  );
  out(
    dim(
      `  ${s.attempts} attempts in ${(s.ms / 1000).toFixed(1)} s (${STOPPED[s.stopped]})${s.file ? ` · replay: conclave run ${s.file}` : ' · (--save DIR writes it to a file; --no-shrink skips this)'}`,
    ),
  );
  out('');
  for (const line of s.shrunk.trimEnd().split('\n')) out(`    ${line}`);
}

/**
 * The options that draw a stress run's scenario, as command-line text (for the replay line).
 *
 * @example
 * ```ts
 * stressOptionsText({ protocol: 'raft', agents: 5, decisions: 100 }); // '--protocol raft --agents 5 --decisions 100'
 * ```
 */
export function stressOptionsText(
  o: Pick<StressCommandOptions, 'protocol' | 'agents' | 'byzantine' | 'failureRate' | 'faults' | 'decisions' | 'implementation' | 'search'>,
): string {
  return `--protocol ${o.protocol} --agents ${o.agents}${o.byzantine !== undefined ? ` --byzantine ${o.byzantine}` : ''}${o.failureRate !== undefined ? ` --failure-rate ${o.failureRate}` : ''}${o.faults ? ` --faults ${o.faults}` : ''}${o.implementation ? ` --implementation ${o.implementation}` : ''}${o.search ? ` --search ${o.search}` : ''} --decisions ${o.decisions}`;
}

/** Replays one run with its trace around each violation (`conclave run` on a saved file does too). */
function replayCommand(o: StressCommandOptions, plan: StressPlan, seed: number): string {
  // Threads mode drew from fewer fault kinds: name them, so the replay (in sim mode) draws the same scenario.
  if (plan.mode === 'threads') {
    if (plan.faults.length === 0) return `conclave run <the run's scenario, --save DIR writes it> (threads-mode runs are not replayed exactly)`;
    return `conclave replay ${stressOptionsText({ ...o, faults: plan.faults.join(',') })} --seed ${seed} (in sim mode: a threads-mode run is not replayed exactly)`;
  }
  return `conclave replay ${stressOptionsText(o)} --seed ${seed}`;
}

function printReport(r: StressReport, o: StressCommandOptions, saved: ReadonlyMap<number, string>, out: (line: string) => void): void {
  out(
    bold(`stress · ${r.plan.protocol} · ${count(r.plan.agents, 'agent')} · ${count(r.runs, 'run')} from seed ${r.seed}`) +
      dim(
        r.plan.mode === 'threads'
          ? ' · threads mode (one run at a time, each on the worker threads; wall clock, not replayable exactly)'
          : ` · ${count(r.workers, 'worker')} · sim mode`,
      ),
  );
  // The fault kinds on a line of their own: with them the header ran to 170 columns.
  out(dim(`  faults ${r.plan.faults.join(', ')}`));
  out(heading('Summary'));
  out(
    `  runs         ${int(r.runs)} in ${(r.wallMs / 1000).toFixed(1)} s (${int(Math.round((r.runs / r.wallMs) * 60_000))} runs/min) · slowest seed ${r.slowest.seed} (${r.slowest.wallMs} ms)`,
  );
  out(`  decisions    ${int(r.decisions.decided)} of ${int(r.decisions.attempted)} reached`);
  const safety = Object.entries(r.violations);
  out(
    `  safety       ${
      safety.length === 0
        ? green('0 violations')
        : red(safety.map(([p, n]) => `${count(n, `${p} violation`)}`).join(' · ')) +
          dim(
            ` (by checker: ${Object.entries(r.byChecker)
              .map(([c, n]) => `${c} ${n}`)
              .join(', ')})`,
          )
    }`,
  );
  const seeds = (xs: number[]) => `${xs.length === 1 ? 'seed' : 'seeds'} ${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ', ...' : ''}`;
  out(
    `  liveness     ${r.unfinished.length === 0 ? green('every run finished its work') : yellow(`${count(r.unfinished.length, 'run')} did not finish (${seeds(r.unfinished)})`)}`,
  );
  // Liars lie to the end of a run: termination is then judged from the last timed fault's end, or from the start.
  if (r.notTerminated.length > 0)
    out(
      `               ${yellow(`${count(r.notTerminated.length, 'run')} left decisions unreached after their timed faults ended, or with only liars laid (termination after heal; ${seeds(r.notTerminated)})`)}`,
    );
  if (r.notTerminated.length > 0) {
    const beyond = r.notTerminated.length - r.stalled.length;
    out(
      `               ${r.stalled.length > 0 ? red(`${r.stalled.length} of them within the fault bound: a stall there is a bug${o.allowLiveness ? ' (allowed by --allow-liveness)' : ' (exit 3)'}`) : dim('none within the fault bound')}${beyond > 0 ? dim(` · ${beyond} with more liars than the protocol tolerates`) : ''}`,
    );
  }
  if (r.slowestRecovery)
    out(
      `  recovery     slowest ${Math.round(r.slowestRecovery.ms)} ms from a leader's crash to its successor (seed ${r.slowestRecovery.seed})${r.unreplacedCrashes > 0 ? dim(` · ${r.unreplacedCrashes} leader crashes without a successor (it came back first, or the run ended)`) : ''}`,
    );
  if (r.detected > 0) out(`  byzantine    ${int(r.detected)} liars caught over all runs`);
  const replayLine = (seed: number) => dim(`    replay: ${replayCommand(o, r.plan, seed)}${saved.has(seed) ? `   or   conclave run ${saved.get(seed)}` : ''}`);
  if (r.failing.length > 0) {
    out(heading('Failing runs'));
    r.failing.slice(0, 20).forEach((f) => {
      // One finding a line (three joined with '; ' made a line of 350 columns).
      const [first, ...rest] = f.error !== undefined ? [f.error] : f.violations.slice(0, 3).map((v) => `${v.property}: ${v.detail}`);
      out(`  ${red(`seed ${f.seed}`)}: ${first}`);
      for (const line of rest) out(`    ${line}`);
      if (f.violations.length > 3) out(dim(`    ... and ${int(f.violations.length - 3)} more (the replay below lists them)`));
      out(replayLine(f.seed));
    });
    if (r.failing.length > 20) out(dim(`  ... and ${r.failing.length - 20} more`));
  }
  if (r.stalled.length > 0) {
    out(heading('Stalled within the bound'));
    r.stalled.slice(0, 10).forEach((s) => {
      out(`  ${yellow(`seed ${s.seed}`)}: ${s.detail}`);
      out(replayLine(s.seed));
    });
    if (r.stalled.length > 10) out(dim(`  ... and ${r.stalled.length - 10} more`));
  }
  if (r.failing.length + r.stalled.length > 0 && saved.size === 0) out(dim('  (--save DIR writes each of these runs as a scenario file)'));
}
