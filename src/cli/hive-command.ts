import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.ts';
import type { HiveSession } from '../hive/hive-session.ts';
import type { HiveOptions } from '../hive/hive-options.ts';
import type { Arm } from '../hive/chooser.ts';
import { DEFAULT_STORE, storePath } from '../store/store-path.ts';
import { badFlagsExitTwo, EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, EXIT_SAFETY } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';
import { portOption } from './dashboard-command.ts';
import { prepareSwarmRun, swarmLines, type SwarmRun } from './node-command.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { LiveDashboard } from '../dashboard/live-dashboard.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { addServingOptions, type DashboardServing, dashboardLine, dashboardServing } from './dashboard-serving.ts';

const STORE_HELP = `the run store (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory)`;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    return n;
  };
}

function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')} (got "${value}").`);
    return value as T;
  };
}

interface SpawnFlags {
  queen?: HiveOptions['queen'];
  workers?: number;
  teams?: number;
  consensus?: HiveOptions['consensus'];
  topology?: HiveOptions['topology'];
  sessions: number;
  scenario?: string;
  /** Options to start from instead of a scenario file (a resumed session's). */
  base?: HiveOptions;
  seed?: number;
  mode?: 'sim' | 'threads';
  json?: boolean;
  store?: string | false;
  /** Choose each session's configuration with the ReasoningBank in the run store. */
  learn?: boolean;
  /** Serve each session live on the dashboard (`--dashboard [port]`), as `conclave run --dashboard` does. */
  dashboard?: number | true;
  dashboardHost?: string;
  dashboardToken?: string;
  /** Run the hive across the node processes of a swarm on NATS (as `conclave run --nats`). */
  nats?: string;
  swarm?: string;
  nodes?: number;
  spawnNodes?: number;
}

function sessionLine(i: number, s: HiveSession): string {
  const r = s.report;
  const o = r.objectives[0];
  return `session ${i}: ${o.status} — ${o.done}/${o.subtasks} subtasks, quality ${o.quality}, ${o.durationMs.toLocaleString('en-US')} ms ${r.mode === 'sim' ? 'virtual' : 'wall'}; ${o.attempts} attempts (${o.failures} failed, ${o.timeouts} timed out, ${o.reassigned} reassigned); ${o.decisions} decision rounds (${o.unsound} unsound, ${o.undecided} undecided); ${r.safety.length} safety findings; ${r.subtasksPerMinute.toLocaleString('en-US')} subtasks/min wall`;
}

/**
 * What `--learn` hands each session: the ReasoningBank of the run store, and the candidate
 * configurations it chooses among: the 48 of the learning benchmark (hiveCandidates), narrowed to
 * what the user fixed (--queen, --consensus, --topology; --teams fixes the team size), plus the
 * configuration the options name. A flag given is a constraint the bank keeps, not a default it
 * may overrule.
 */
async function openLearning(base: HiveOptions, flags: SpawnFlags) {
  const file = storePath({ store: flags.store });
  if (file === undefined) throw new ConfigError('--learn', 'a run store to learn in (drop --no-store, or give --store PATH)', 'no store');
  if (flags.consensus === 'auto' || flags.consensus === 'raft')
    throw new ConfigError('--consensus', 'weighted or byzantine with --learn (the configurations the bank learns among)', flags.consensus);
  const [{ ReasoningBank }, { hiveCandidates }, { armOf }] = await Promise.all([
    import('../reasoning-bank/reasoning-bank.ts'),
    import('../hive/hive-candidates.ts'),
    import('../hive/hive-session.ts'),
  ]);
  const own = armOf(base);
  const fixed = (arm: Arm): Arm => (flags.teams !== undefined ? { ...arm, teamSize: own.teamSize } : arm);
  const seen = new Set<string>();
  const candidates = [own, ...hiveCandidates().map(fixed)].filter((arm) => {
    const key = JSON.stringify(arm);
    if (seen.has(key)) return false;
    seen.add(key);
    return (
      (flags.queen === undefined || arm.queen === flags.queen) &&
      (flags.consensus === undefined || arm.consensus === flags.consensus) &&
      (flags.topology === undefined || arm.topology === flags.topology)
    );
  });
  return { chooser: ReasoningBank.open(file), candidates };
}

/**
 * `conclave hive-mind spawn`: runs `sessions` hive sessions (seeds seed, seed + 1, ...), each
 * recorded in the run store as a run of kind `hive`. Exit 0 every objective done, 1 a safety
 * finding, 3 an objective failed.
 *
 * @example
 * ```ts
 * process.exitCode = await hiveSpawnCommand('Document the API', { sessions: 1 }, console.log);
 * ```
 */
export async function hiveSpawnCommand(
  objective: string | undefined,
  flags: SpawnFlags,
  out: (l: string) => void,
  argv: readonly string[] = [],
): Promise<number> {
  // Loaded here, not at the top: every other command's start-up stays free of the hive's modules.
  const { loadHiveScenario } = await import('../hive/hive-scenario.ts');
  const fromFile = flags.scenario ? loadHiveScenario(flags.scenario) : flags.base ? { name: flags.base.objective, options: flags.base } : undefined;
  const text = objective ?? fromFile?.options.objective;
  if (text === undefined)
    throw new UsageError('conclave hive-mind spawn', 'give the objective (conclave hive-mind spawn "Document the API") or --scenario FILE');
  const base: HiveOptions = {
    ...fromFile?.options,
    objective: text,
    ...(flags.queen && { queen: flags.queen }),
    ...(flags.workers !== undefined && { workers: flags.workers }),
    ...(flags.teams !== undefined && { teams: flags.teams }),
    ...(flags.consensus && { consensus: flags.consensus }),
    ...(flags.topology && { topology: flags.topology }),
    ...(flags.mode && { mode: flags.mode }),
  };
  const serving = dashboardServing(flags, 'each session');
  const orphan = flags.swarm !== undefined ? '--swarm' : flags.nodes !== undefined ? '--nodes' : flags.spawnNodes !== undefined ? '--spawn-nodes' : undefined;
  if (flags.nats === undefined && orphan !== undefined)
    throw new ConfigError(orphan, 'it only together with --nats URL (the NATS server the nodes joined)', flags.swarm ?? flags.nodes ?? flags.spawnNodes);
  // Across nodes: the swarm's hosts instead of this process's threads (real time, as threads mode).
  const swarmRun =
    flags.nats === undefined
      ? undefined
      : await prepareSwarmRun({ nats: flags.nats, swarm: flags.swarm, nodes: flags.nodes, spawnNodes: flags.spawnNodes }, flags.mode, undefined);
  try {
    return await spawnSessions(text, flags, argv, out, swarmRun ? { ...base, mode: 'threads' } : base, fromFile, swarmRun, serving);
  } finally {
    await swarmRun?.stop();
  }
}

/** The sessions of `hive-mind spawn`, one after another (see hiveSpawnCommand). */
async function spawnSessions(
  text: string,
  flags: SpawnFlags,
  argv: readonly string[],
  out: (line: string) => void,
  base: HiveOptions,
  fromFile: { name: string; options: HiveOptions } | undefined,
  swarmRun: SwarmRun | undefined,
  serving: DashboardServing | undefined,
): Promise<number> {
  const [{ runHiveSession }, { ReportRecorder }] = await Promise.all([import('../hive/hive-session.ts'), import('../store/report-recorder.ts')]);
  const seed0 = flags.seed ?? fromFile?.options.seed ?? 1;
  const learning = flags.learn ? await openLearning(base, flags) : undefined;
  let code = EXIT_OK;
  const all: unknown[] = [];
  for (let i = 0; i < flags.sessions; i++) {
    const options = { ...base, seed: seed0 + i };
    const file = storePath({ store: flags.store });
    const rec =
      file === undefined
        ? undefined
        : ReportRecorder.start(file, {
            kind: 'hive',
            name: fromFile?.name ?? text,
            protocol: 'hive',
            mode: options.mode ?? 'sim',
            seed: options.seed,
            argv: [...argv],
            scenarioResolved: options,
            ...(flags.scenario ? { file: flags.scenario } : {}),
            detailLimit: 0,
            signed: false,
          });
    const dash = serving === undefined ? undefined : await hiveDashboard(serving, rec?.id ?? `hive-${process.pid}-${i + 1}`, options.mode ?? 'sim');
    if (dash) console.error(dashboardLine(dash, `session ${i + 1}`));
    try {
      const s = await runHiveSession(options, {
        ...(learning ?? {}),
        ...(dash ? { onEvent: (e: TraceEvent) => dash.observe(e) } : {}),
        ...(swarmRun ? { createSystem: swarmRun.createSystem } : {}),
        onSystem: (system: ActorSystem) => {
          dash?.attach(system);
          swarmRun?.onSystem(system);
        },
      });
      await dash?.finish(s.report.safety.length > 0 ? 'violated' : s.report.objectives.some((o) => o.status !== 'done') ? 'failed' : 'completed');
      const failed = s.report.objectives.some((o) => o.status !== 'done');
      const exit = s.report.safety.length > 0 ? EXIT_SAFETY : failed ? EXIT_RUN_FAILED : EXIT_OK;
      if (exit !== EXIT_OK && code !== EXIT_SAFETY) code = exit;
      rec?.finish({
        status: exit === EXIT_SAFETY ? 'violated' : exit === EXIT_RUN_FAILED ? 'failed' : 'completed',
        exitCode: exit,
        result: JSON.stringify({ choice: s.choice, outcome: s.outcome, report: s.report }),
        traceHash: s.report.traceHash,
        findings: s.report.safety.map((v) => ({ kind: v.kind, checker: v.checker, text: v.property, detail: v.detail })),
      });
      if (flags.json) all.push({ session: rec?.id ?? null, choice: s.choice, outcome: s.outcome, report: s.report });
      else {
        if (i === 0)
          out(
            `hive: ${s.report.agents} agents (queen, ${s.report.teams} team leads, ${s.report.workers} workers), ${s.report.mode} mode; configuration: ${armText(s.choice.arm)} (${s.choice.reason})`,
          );
        out(`${sessionLine(i + 1, s)}${rec ? ` [${rec.id}]` : ''}`);
        const nats = swarmRun?.report();
        if (nats) for (const l of swarmLines(nats)) out(l);
        for (const sw of s.report.objectives[0].switches) out(`  re-plan at ${Math.round(sw.at)} ms: ${sw.what} (${sw.reason})`);
        for (const v of s.report.safety) out(`  SAFETY ${v.checker}: ${v.detail}`);
      }
    } catch (e) {
      await dash?.finish('broken');
      rec?.finish({ status: 'broken', exitCode: EXIT_BAD_INPUT, error: (e as Error).message });
      learning?.chooser.close();
      throw e;
    }
  }
  learning?.chooser.close();
  if (flags.json) out(JSON.stringify(all.length === 1 ? all[0] : all));
  return code;
}

interface HiveRow {
  id: string;
  status: string;
  name: string;
  started_at: number;
  seed: number | null;
  mode: string | null;
  result: string | null;
  scenario_resolved: string | null;
}

async function hiveRows(file: string): Promise<HiveRow[]> {
  const { openStore } = await import('../store/open-store.ts');
  const db = openStore(file, { readonly: true });
  try {
    return db
      .prepare(`SELECT id, status, name, started_at, seed, mode, result, scenario_resolved FROM runs WHERE kind = 'hive' ORDER BY started_at, id`)
      .all() as HiveRow[];
  } finally {
    db.close();
  }
}

async function findSession(file: string, ref: string | undefined): Promise<HiveRow> {
  const rows = await hiveRows(file);
  if (rows.length === 0) throw new ConfigError('session', `a hive session in ${file} (none yet: run conclave hive-mind spawn "<objective>")`, ref);
  if (ref === undefined || ref === 'last') return rows[rows.length - 1];
  const hits = rows.filter((r) => r.id.startsWith(ref));
  if (hits.length !== 1)
    throw new ConfigError(
      'session',
      `a hive session id or a unique prefix of one (see conclave hive-mind sessions)${hits.length > 1 ? `: "${ref}" matches ${hits.length}` : ''}`,
      ref,
    );
  return hits[0];
}

function storeFile(store: string | undefined): string {
  const file = storePath({ store });
  if (file === undefined) throw new ConfigError('--store', 'the store to read (CONCLAVE_STORE=off turns recording off; give --store PATH)', 'off');
  return file;
}

interface WizardFlags {
  complexity?: 'low' | 'medium' | 'high';
  agents?: number;
  criticalDecisions?: 'yes' | 'no';
  security?: 'standard' | 'high';
  objective?: string;
  output: string;
  start?: boolean;
}

/** The wizard's answers turned into a hive scenario (what `hive-mind wizard` writes). */
export function wizardScenario(a: Required<Omit<WizardFlags, 'output' | 'start'>>): Record<string, unknown> {
  const complexity = { low: 0.2, medium: 0.5, high: 0.85 }[a.complexity];
  const teams = Math.max(1, Math.min(8, Math.round(a.agents / 5)));
  return {
    name: a.objective,
    objective: a.objective,
    features: { complexity, novelty: a.complexity === 'high' ? 0.7 : 0.3, criticality: a.criticalDecisions === 'yes' ? 0.85 : 0.3, sequentiality: 0.2 },
    queen: a.complexity === 'high' ? 'adaptive' : a.complexity === 'medium' ? 'strategic' : 'tactical',
    workers: a.agents,
    teams,
    consensus: a.security === 'high' || a.criticalDecisions === 'yes' ? 'byzantine' : 'weighted',
    topology: a.complexity === 'low' ? 'star' : 'hierarchical',
    seed: 1,
  };
}

/**
 * The wizard's answers: the flags given, and for the rest prompts (@inquirer/prompts) when stdin
 * is a terminal; a script without a terminal must give every answer as a flag.
 */
async function ask(flags: WizardFlags): Promise<Required<Omit<WizardFlags, 'output' | 'start'>>> {
  const missing =
    flags.complexity === undefined ||
    flags.agents === undefined ||
    flags.criticalDecisions === undefined ||
    flags.security === undefined ||
    flags.objective === undefined;
  if (missing && !process.stdin.isTTY)
    throw new ConfigError(
      'wizard',
      'every answer as a flag when stdin is not a terminal (--objective, --complexity, --agents, --critical-decisions, --security)',
      'missing flags',
    );
  // Loaded only when a question is left to ask: scripts never pay for the prompt library.
  const p = missing ? await import('@inquirer/prompts') : undefined;
  const level = (v: string) => ({ name: v, value: v });
  return {
    objective: flags.objective ?? (await p!.input({ message: 'Objective?', validate: (s) => s.trim() !== '' || 'an objective, please' })).trim(),
    complexity:
      flags.complexity ?? ((await p!.select({ message: 'Project complexity?', choices: ['low', 'medium', 'high'].map(level) })) as 'low' | 'medium' | 'high'),
    agents: flags.agents ?? ((await p!.number({ message: 'Number of agents (workers)?', default: 20, min: 3, max: 200, step: 1, required: true })) as number),
    criticalDecisions:
      flags.criticalDecisions ?? ((await p!.confirm({ message: 'Critical decisions (architecture, security, deployment)?', default: true })) ? 'yes' : 'no'),
    security: flags.security ?? ((await p!.select({ message: 'Security requirements?', choices: ['standard', 'high'].map(level) })) as 'standard' | 'high'),
  };
}

/**
 * Registers `conclave hive-mind spawn | status | sessions | resume | wizard`.
 *
 * @example
 * ```ts
 * registerHiveCommand(new Command('conclave'));
 * ```
 */
export function registerHiveCommand(program: Command): void {
  const hive = program
    .command('hive-mind')
    .description(
      'A queen-led hive: the queen decomposes an objective into a task graph, teams of workers (under team leads) do the subtasks, critical decisions go to the experts by consensus. Sessions are recorded in the run store (kind hive).',
    );
  badFlagsExitTwo(hive);
  addServingOptions(
    badFlagsExitTwo(hive.command('spawn'))
      .description(
        'Run a hive on an objective: the queen decomposes it, assigns subtasks by skill and load, retries and reassigns failures, settles architecture, security and deployment decisions by consensus, and reports.',
      )
      .argument('[objective]', 'what the hive should achieve (or give --scenario)')
      .option(
        '--queen <type>',
        'strategic (plans up front, quality first), tactical (whoever is free, latency first) or adaptive (re-plans, switches topology and consensus)',
        choice('--queen', ['strategic', 'tactical', 'adaptive'] as const),
      )
      .option('--workers <n>', 'workers (besides the queen and one lead per team), default 20', integer('--workers', 1, 1000))
      .option('--teams <n>', 'teams, each under its own lead, default 4', integer('--teams', 1, 1000))
      .option(
        '--consensus <mode>',
        "auto (byzantine for critical decisions, weighted for routine), byzantine, weighted or raft (the lead expert's choice committed by a majority: not Byzantine-tolerant)",
        choice('--consensus', ['auto', 'byzantine', 'weighted', 'raft'] as const),
      )
      .option('--topology <kind>', 'hierarchical (default), mesh, star or ring', choice('--topology', ['mesh', 'hierarchical', 'star', 'ring'] as const))
      .option('--sessions <n>', 'sessions to run one after another (seeds seed, seed + 1, ...)', integer('--sessions', 1, 10_000), 1)
      .option('--scenario <file>', 'a hive scenario YAML (see examples/hive-docs.yml); flags override it')
      .option('--seed <n>', "the first session's seed (default 1)", integer('--seed', 0, 2 ** 32 - 1))
      .option('--mode <mode>', 'sim (deterministic, virtual time) or threads (worker threads, wall clock)', choice('--mode', ['sim', 'threads'] as const))
      .option('--json', 'print the session(s) as JSON')
      .option('--store <file>', STORE_HELP)
      .option('--no-store', 'do not record the sessions')
      .option(
        '--dashboard [port]',
        'serve each session live on the dashboard while it goes (default port 3002; 0: any free one) and print its URL: the hive as a graph (queen, leads, workers), its books, its timeline; the page can pause a sim session, switch its topology, crash or isolate a member',
        portOption('--dashboard'),
      )
      .option('--nats <url>', 'run the hive across the node processes of a swarm on this NATS server (conclave node), in real time')
      .option('--swarm <id>', 'with --nats: the swarm whose nodes host the hive')
      .option('--nodes <n>', "with --nats: how many of the swarm's idle nodes to use (default: all that answer)", integer('--nodes', 1, 256))
      .option('--spawn-nodes <n>', 'with --nats: start N local node processes for the hive (and stop them after)', integer('--spawn-nodes', 1, 64))
      .option(
        '--learn',
        "choose each session's configuration (topology, consensus, queen type, team size) with the ReasoningBank in the run store: from what earlier sessions of this and similar objectives stored, refined by this one's outcome (see conclave memory); --queen, --consensus, --topology and --teams given narrow its choice",
      )
      .addHelpText(
        'after',
        '\nExit codes: 0 every objective done; 1 a safety finding (a critical decision against the honest majority); 2 bad input; 3 an objective failed.\n\nExamples:\n  conclave hive-mind spawn "Document the payments API" --queen strategic --workers 20 --teams 4\n  conclave hive-mind spawn --scenario examples/hive-docs.yml --sessions 3\n  conclave hive-mind spawn "Secure the login flow" --consensus byzantine --json\n  conclave hive-mind spawn "Document the payments API" --learn --sessions 5',
      )
      .action(async (objective: string | undefined, opts: SpawnFlags) => {
        process.exitCode = await hiveSpawnCommand(objective, opts, (l) => console.log(l), process.argv.slice(2));
      }),
  );
  badFlagsExitTwo(hive.command('sessions'))
    .description('List the hive sessions in the run store: id, status, name, seed, outcome.')
    .option('--store <file>', STORE_HELP)
    .option('--json', 'print them as JSON')
    .addHelpText('after', '\nExamples:\n  conclave hive-mind sessions\n  conclave hive-mind sessions --json')
    .action(async (opts: { store?: string; json?: boolean }) => {
      const rows = await hiveRows(storeFile(opts.store));
      if (opts.json)
        console.log(
          JSON.stringify(
            rows.map((r) => ({ id: r.id, status: r.status, name: r.name, seed: r.seed, outcome: r.result ? JSON.parse(r.result).outcome : null })),
          ),
        );
      else if (rows.length === 0) console.log('no hive sessions yet: conclave hive-mind spawn "<objective>"');
      else
        for (const r of rows) {
          const outcome = r.result ? JSON.parse(r.result).outcome : undefined;
          console.log(
            `${r.id}  ${r.status.padEnd(9)}  seed ${r.seed ?? '-'}  ${r.name}${outcome ? `  ${outcome.success ? 'succeeded' : 'failed'}, quality ${outcome.quality.toFixed(3)}, ${Math.round(outcome.durationMs)} ms` : ''}`,
          );
        }
    });
  badFlagsExitTwo(hive.command('status'))
    .description('Show one hive session (default: the last): its configuration, objectives, decisions and findings.')
    .argument('[session]', 'a session id, a unique prefix of one, or "last"')
    .option('--store <file>', STORE_HELP)
    .addHelpText('after', '\nExamples:\n  conclave hive-mind status\n  conclave hive-mind status 20261207-05')
    .action(async (session: string | undefined, opts: { store?: string }) => {
      const r = await findSession(storeFile(opts.store), session);
      console.log(`session ${r.id}: ${r.status} — ${r.name} (seed ${r.seed}, ${r.mode} mode)`);
      if (r.result === null) {
        console.log('  still running, or ended without a report');
        return;
      }
      const { choice: c, report } = JSON.parse(r.result);
      console.log(`  configuration ${armText(c.arm)} (${c.reason})`);
      for (const o of report.objectives)
        console.log(
          `  ${o.status}: ${o.done}/${o.subtasks} subtasks, quality ${o.quality}, ${o.durationMs} ms, ${o.decisions} decision rounds (${o.unsound} unsound), ${o.reassigned} reassigned`,
        );
      console.log(`  checkers ${report.checkers.join(', ')}: ${report.safety.length} safety, ${report.liveness.length} liveness findings`);
    });
  badFlagsExitTwo(hive.command('resume'))
    .description('Continue a hive session: run its objective again with its configuration and the next seed, as a new session.')
    .argument('<session>', 'a session id, a unique prefix of one, or "last"')
    .option('--store <file>', STORE_HELP)
    .option('--json', 'print the session as JSON')
    .addHelpText('after', '\nExamples:\n  conclave hive-mind resume last')
    .action(async (session: string, opts: { store?: string; json?: boolean }) => {
      const file = storeFile(opts.store);
      const r = await findSession(file, session);
      if (r.scenario_resolved === null) throw new ConfigError('session', 'a hive session with stored options', r.id);
      const options = JSON.parse(r.scenario_resolved) as HiveOptions;
      process.exitCode = await hiveSpawnCommand(
        undefined,
        { base: options, sessions: 1, seed: (options.seed ?? 1) + 1, json: opts.json, store: file },
        (l) => console.log(l),
        process.argv.slice(2),
      );
    });
  badFlagsExitTwo(hive.command('wizard'))
    .description(
      "Answer the seed's questions (project complexity, number of agents, critical decisions, security requirements) as flags or, in a terminal, at prompts; writes a hive scenario YAML and can start it.",
    )
    .option('--objective <text>', 'what the hive should achieve')
    .option('--complexity <level>', 'low, medium or high', choice('--complexity', ['low', 'medium', 'high'] as const))
    .option('--agents <n>', 'number of workers, 3 to 200', integer('--agents', 3, 200))
    .option(
      '--critical-decisions <yes|no>',
      'whether architecture, security or deployment decisions ride on it',
      choice('--critical-decisions', ['yes', 'no'] as const),
    )
    .option('--security <level>', 'standard or high (high: Byzantine-tolerant decisions)', choice('--security', ['standard', 'high'] as const))
    .option('--output <file>', 'where to write the scenario', 'hive.yml')
    .option('--start', 'run it once written')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExamples:\n  conclave hive-mind wizard            (asks, in a terminal)\n  conclave hive-mind wizard --objective "Document the API" --complexity high --agents 20 --critical-decisions yes --security high --output docs.yml --start\n\nExit codes: 0 written (and, with --start, the session\'s own code); 2 bad input, a missing answer without a terminal, or the prompts cancelled (Ctrl+C, Ctrl+D).',
    )
    .action(async (opts: WizardFlags & { store?: string }) => {
      let answers;
      try {
        answers = await ask(opts);
      } catch (e) {
        // Ctrl+C or Ctrl+D at a prompt: say so rather than print the prompt library's stack.
        if ((e as Error).name !== 'ExitPromptError') throw e;
        console.error('conclave: hive-mind wizard cancelled at a prompt: nothing written.');
        process.exitCode = EXIT_BAD_INPUT;
        return;
      }
      const scenario = wizardScenario(answers);
      writeFileSync(opts.output, stringify(scenario));
      console.log(
        `wrote ${opts.output}: ${scenario.queen} queen, ${scenario.workers} workers in ${scenario.teams} teams, ${scenario.topology}, ${scenario.consensus} decisions`,
      );
      if (opts.start)
        process.exitCode = await hiveSpawnCommand(
          undefined,
          { scenario: opts.output, sessions: 1, store: opts.store },
          (l) => console.log(l),
          process.argv.slice(2),
        );
    });
}

/**
 * A hive configuration as words, not JSON: `topology hierarchical · consensus auto · queen adaptive · team size 5`.
 *
 * @example
 * ```ts
 * armText({ topology: 'mesh', teamSize: 4 }); // 'topology mesh · team size 4'
 * ```
 */
export function armText(arm: Arm): string {
  return Object.entries(arm)
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${v}`)
    .join(' · ');
}

/** A session's live dashboard (loaded only when asked for: the server thread is not free to start). */
async function hiveDashboard(serving: DashboardServing, runId: string, mode: 'sim' | 'threads'): Promise<LiveDashboard> {
  const { LiveDashboard } = await import('../dashboard/live-dashboard.ts');
  return LiveDashboard.start({
    ...serving,
    runId,
    label: 'hive',
    mode,
    protocol: 'hive',
  });
}
