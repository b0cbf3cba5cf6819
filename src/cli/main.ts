import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ConclaveError, ConfigError } from '../errors.ts';
import { applyExitPolicy, commandPath, EXIT_BAD_INPUT, exitCodeForError, unknownCommand } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';
import type { ReplayCommandOptions } from './replay-command.ts';
import type { BenchCommandOptions } from './bench-command.ts';
import type { AnalyzeCommandOptions } from './analyze-command.ts';
import type { OptimizeCommandOptions } from './optimize-command.ts';
import { NOISE_CV_THRESHOLD } from '../analyze/noise.ts';
import { DEFAULT_STORE, storePath } from '../store/store-path.ts';
import { registerStoreCommands } from './store-commands.ts';
import { registerStoreReaders } from './store-readers.ts';
import { registerConfigCommand } from './config-cli.ts';
import { registerHiveCommand } from './hive-command.ts';
import { registerNodeCommand } from './node-command.ts';
import { registerMemoryCommand } from './memory-cli.ts';
import { portOption, registerDashboardCommand } from './dashboard-command.ts';
import { addServingOptions, type DashboardFlags, dashboardServing } from './dashboard-serving.ts';
import { applySummaries } from './command-summaries.ts';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    return n;
  };
}

function probabilityOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} must be a number from 0 up to (not including) 1 (got "${value}").`);
    return n;
  };
}

/** The package's version (package.json sits two folders up from src/cli/ and dist/cli/ alike). */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What `--store` says on every command that records (run, stress, replay, bench). */
const STORE_HELP = `record it in this run store (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory; conclave runs lists what is there)`;

/** Builds the `conclave` command line. */
export function buildCli(): Command {
  const program = new Command('conclave').description('An actor-model runtime for simulating agent swarms that must agree.').version(VERSION);

  program
    .command('demo', { isDefault: true })
    .description('Run the decision demo: three decisions vote by vote, bursts of decisions in sim and threads mode, and the same under topology switches.')
    .option('--seed <n>', 'seed of the runs', integer('--seed', 0, 2 ** 31 - 1), 42)
    .option('--workers <n>', 'worker threads for the threads-mode burst', integer('--workers', 1, 64), Math.max(2, availableParallelism()))
    .option('--decisions <n>', 'decisions in each burst', integer('--decisions', 64, 10_000_000), 20_000)
    .option('--json', 'print the results as one JSON object instead of the story')
    .action(async (opts: { seed: number; workers: number; decisions: number; json?: boolean }) => {
      const { runDecisionDemo } = await import('./decision-demo.ts');
      const report = await runDecisionDemo({
        seed: opts.seed,
        workers: opts.workers,
        decisions: opts.decisions,
        out: opts.json ? () => undefined : (l) => console.log(l),
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
    });

  program
    .command('tour')
    .description('Tour the runtime underneath: a relay race with a supervised failure (sim), bursts in sim and threads mode, and a worker crash drill.')
    .option('--seed <n>', 'seed of the simulated runs', integer('--seed', 0, 2 ** 31 - 1), 42)
    .option('--workers <n>', 'worker threads for the threads-mode part', integer('--workers', 2, 64), Math.max(2, availableParallelism()))
    .option('--burst <n>', 'envelopes per burst', integer('--burst', 1000, 50_000_000), 1_000_000)
    .option('--json', 'print the measured figures as one JSON object instead of the story')
    .action(async (opts: { seed: number; workers: number; burst: number; json?: boolean }) => {
      const lines: string[] = [];
      const { runDemo } = await import('./demo.ts');
      const report = await runDemo({
        seed: opts.seed,
        workers: opts.workers,
        burst: opts.burst,
        out: opts.json ? (l) => lines.push(l) : (l) => console.log(l),
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
    });

  addServingOptions(
    program
      .command('run')
      .description(
        'Run a scenario file (or, without one, the built-in five-agent database choice) and report decisions, throughput, latency, quality, safety and message accounting.',
      )
      .argument('[scenario]', 'a scenario YAML file (see examples/)')
      .option(
        '--config <file>',
        'a consensus configuration (consensus.default_algorithm, algorithms, agent_weights, agent_expertise, raft) merged under the scenario; repeat it: files merge in order (later keys win, mappings merge deeply, lists replace), after the user file ($CONCLAVE_HOME/config.yml) and the project file (./conclave.config.yml)',
        collect,
      )
      .option('--seed <n>', "seed (overrides the scenario's)", integer('--seed', 0, 2 ** 31 - 1))
      .option('--mode <mode>', 'sim (deterministic, virtual time) or threads (worker threads, wall clock)', mode)
      .option('--workers <n>', 'worker threads in threads mode (default: one per core)', integer('--workers', 1, 256))
      .option('--json', 'print the result as one JSON object')
      .option('--trace <file>', 'write every trace event to FILE as JSON lines')
      .option('--timeline <n>', 'show the votes of the first N decisions', integer('--timeline', 0, 1000), 2)
      .option('--history <file>', 'Raft runs: write the client-visible history (Jepsen-style JSON lines) to FILE')
      .option('--force', 'run the scenario even when its estimated memory or time is over what this machine can hold (the estimate is in the error)')
      .option('--store <file>', STORE_HELP)
      .option('--no-store', 'do not record it')
      .option(
        '--store-detail <n>',
        'decisions stored one by one with their votes; the rest as aggregates (default 1000; every one when the scenario has an audit: section)',
        integer('--store-detail', 0, 2 ** 31 - 1),
      )
      .option('--nats <url>', 'run across the node processes of a swarm on this NATS server (conclave node), in real time')
      .option('--swarm <id>', 'with --nats: the swarm whose nodes host the run')
      .option('--nodes <n>', "with --nats: how many of the swarm's idle nodes to use (default: all that answer)", integer('--nodes', 1, 256))
      .option('--spawn-nodes <n>', 'with --nats: start N local node processes for this run (and stop them after)', integer('--spawn-nodes', 1, 64))
      .option(
        '--dashboard [port]',
        'serve this run live on the dashboard while it goes (default port 3002; 0: any free one) and print its URL; the page can pause a sim run, switch its topology, crash, partition or isolate members, or make one Byzantine',
        portOption('--dashboard'),
      )
      .option('--dashboard-paused', 'with --dashboard, sim mode: hold the run once its topology is in force, until the page resumes it')
      .addHelpText(
        'after',
        '\nExit codes: 0 the run completed; 1 a safety violation or unbalanced books; 2 bad input (nothing run); 3 the run failed: it reports what was done, but its workload did not finish (decisions lost with a crashed worker, a coordinator or client that could not go on), or it broke down before it could report (a reply or a settle that timed out).\n\nExamples:\n  conclave run examples/db-choice.yml\n  conclave run examples/db-choice.yml --seed 7 --mode threads --json\n  conclave run --config examples/config/consensus-config.yml\n  conclave run examples/db-choice.yml --nats nats://127.0.0.1:4222 --spawn-nodes 3',
      )
      .action(
        async (
          file: string | undefined,
          opts: {
            config?: string[];
            seed?: number;
            mode?: 'sim' | 'threads';
            workers?: number;
            json?: boolean;
            trace?: string;
            timeline: number;
            history?: string;
            force?: boolean;
            store?: string | false;
            storeDetail?: number;
            nats?: string;
            swarm?: string;
            nodes?: number;
            spawnNodes?: number;
            dashboard?: number | true;
            dashboardHost?: string;
            dashboardToken?: string;
            dashboardPaused?: boolean;
          },
        ) => {
          const { dashboard, dashboardHost, dashboardToken, dashboardPaused: startPaused, ...others } = opts;
          const serving = dashboardServing({ dashboard, dashboardHost, dashboardToken }, 'the run');
          if (serving === undefined && startPaused !== undefined)
            throw new ConfigError(
              '--dashboard-paused',
              'to be given with --dashboard (it says how the run is served on the dashboard; add --dashboard, or drop it)',
              true,
            );
          const served = serving === undefined ? {} : { dashboard: { ...serving, startPaused } };
          const { nats: url, swarm, nodes, spawnNodes, ...rest } = others;
          const orphan = swarm !== undefined ? '--swarm' : nodes !== undefined ? '--nodes' : spawnNodes !== undefined ? '--spawn-nodes' : undefined;
          if (url === undefined && orphan !== undefined)
            throw new ConfigError(
              orphan,
              'it only together with --nats URL (the NATS server the nodes joined)',
              opts[orphan === '--swarm' ? 'swarm' : orphan === '--nodes' ? 'nodes' : 'spawnNodes'],
            );
          const nats = url === undefined ? undefined : { nats: url, swarm, nodes, spawnNodes };
          const { runCommand } = await import('./run-command.ts');
          process.exitCode = await runCommand(
            file,
            { ...rest, ...served, nats, store: storePath(opts) ?? false, storeDetail: opts.storeDetail, argv: process.argv.slice(2) },
            (l) => console.log(l),
          );
        },
      ),
  );

  addServingOptions(
    program
      .command('stress')
      .description(
        'Stress-test a protocol: many seeded runs (sim mode, in parallel on a worker pool; or threads mode, one at a time on real workers), each with a fault schedule drawn from its seed (crashes, partitions, Byzantine agents); reports safety violations and how to replay each failing run.',
      )
      .option('--protocol <id>', 'raft, byzantine_tolerant (pbft) or a voting algorithm (simple_majority, supermajority, ...)', 'byzantine_tolerant')
      .option('--agents <n>', 'agents (replicas, nodes, voters) per run', integer('--agents', 2, 200), 7)
      .option(
        '--byzantine <k>',
        'Byzantine agents per run at most (default: what the protocol tolerates; more shows what it cannot)',
        integer('--byzantine', 0, 199),
      )
      .option(
        '--failure-rate <share>',
        'instead of --byzantine: this share of the agents lies in runs that draw Byzantine faults',
        probabilityOption('--failure-rate'),
      )
      .option(
        '--faults <list>',
        'fault kinds to draw from: crash, partition (split, bridge, ring, one-way), delay, drop, duplicate, reorder, pause, skew, cascade, byzantine, or one Byzantine behaviour (equivocate, false_information, silent, replay, random, collude for PBFT, ...); default: all the protocol takes',
      )
      .option('--runs <n>', 'how many runs', integer('--runs', 1, 1_000_000), 100)
      .option('--seed <n>', 'seed of the first run (run i uses seed + i)', integer('--seed', 0, 2 ** 31 - 1), 1)
      .option('--decisions <n>', 'decisions (requests, commands) per run', integer('--decisions', 1, 1_000_000), 100)
      .option(
        '--workers <n>',
        'threads running the runs (default: one per core, this one and a pool of the others; 1 runs them one after another here)',
        integer('--workers', 1, 256),
      )
      .option(
        '--save <dir>',
        'write every run that broke safety, failed or stalled within the bound as a scenario file, and the shrunk one (conclave run FILE replays it); nothing to write: nothing is written and DIR is not created',
      )
      .option(
        '--no-shrink',
        'do not shrink the first run that broke safety (by default it is shrunk to a smaller scenario that still breaks it, printed, and with --save written as stress-<protocol>-<seed>.shrunk.yml)',
      )
      .option(
        '--shrink-attempts <n>',
        'candidate runs the shrink may try (default 200); it stops sooner once no single change keeps the violation (minimal)',
        integer('--shrink-attempts', 1, 1_000_000),
      )
      .option('--shrink-seconds <s>', 'wall-clock time the shrink may take (default 60)', integer('--shrink-seconds', 1, 86_400))
      .option(
        '--mode <mode>',
        'sim (default: deterministic, every fault kind, in parallel) or threads (real worker threads, wall clock, every fault kind, one run at a time)',
        mode,
      )
      .option(
        '--implementation <module>',
        "spawn the protocol's main role (Raft node, PBFT replica, voting coordinator) from MODULE#EXPORT (or MODULE, exporting raftNode, pbftReplica or coordinator) instead of the built-in one: to check that stress catches a broken variant",
      )
      .option(
        '--search <how>',
        'raft only: guided (default, sim mode: in about 60% of the runs an adversary cuts a node off the instant it is elected or commits; the rest as targeted, keeping all its bare-majority runs), targeted (half the runs draw a bare majority with stale messages and a timed leader crash, or leader churn) or uniform (every run drawn alike)',
      )
      .option('--store <file>', STORE_HELP)
      .option('--no-store', 'do not record it')
      .option('--allow-liveness', 'exit 0 even when runs within the fault bound left decisions unreached after their faults ended (they are still reported)')
      .option(
        '--dashboard [port]',
        'watch the campaign live on the dashboard (default port 3002; 0: any free one): its runs go one at a time in this process, each drawn as it goes, the counts and the timeline over the whole campaign; an action laid from the page changes the run it hits (its seed no longer replays it)',
        portOption('--dashboard'),
      )
      .option('--json', 'print the report as one JSON object')
      .addHelpText(
        'after',
        "\nExit codes: 0 no finding (or only stalls beyond the fault bound, or any stall with --allow-liveness); 1 a safety violation, or a run that failed outright; 2 bad options (nothing run); 3 no safety violation, but a run whose faults stayed within the protocol's bound and ended left decisions unreached (a liveness bug).\n\nExamples:\n  conclave stress --protocol pbft --agents 7 --runs 500\n  conclave stress --protocol simple_majority --agents 9 --failure-rate 0.2 --faults equivocate,delay,drop --runs 200\n  conclave stress --protocol pbft --agents 4 --byzantine 2 --runs 200 --save failing/\n  conclave stress --protocol raft --agents 5 --faults crash,partition --runs 300\n  conclave stress --protocol raft --agents 5 --implementation test/fixtures/broken-raft.ts#brokenRaftNode --runs 50",
      )
      .action(
        async (opts: {
          protocol: string;
          agents: number;
          byzantine?: number;
          failureRate?: number;
          faults?: string;
          runs: number;
          seed: number;
          decisions: number;
          workers?: number;
          save?: string;
          shrink: boolean;
          implementation?: string;
          mode?: 'sim' | 'threads';
          json?: boolean;
          allowLiveness?: boolean;
          search?: string;
          store?: string | false;
          dashboard?: number | true;
          dashboardHost?: string;
          dashboardToken?: string;
        }) => {
          const { stressCommand } = await import('./stress-command.ts');
          const { dashboard, dashboardHost, dashboardToken, ...rest } = opts;
          const serving = dashboardServing({ dashboard, dashboardHost, dashboardToken }, 'the campaign');
          process.exitCode = await stressCommand(
            {
              ...rest,
              store: storePath(opts) ?? false,
              argv: process.argv.slice(2),
              ...(serving !== undefined ? { dashboard: serving } : {}),
            },
            (l) => console.log(l),
            process.stderr,
          );
        },
      ),
  );

  program
    .command('replay')
    .description(
      'Rerun one run exactly, in sim mode, keeping its trace: a scenario file, or one run of a stress campaign (the same options as conclave stress, and its seed). Prints the result, every checker finding with the trace events around the one that proves it, and the trace hash. Exit code 1 on a safety violation.',
    )
    .argument('[scenario]', 'a scenario YAML file (for instance one conclave stress --save wrote)')
    .option('--seed <n>', "the run's seed (a file: overrides the scenario's; a stress run: required)", integer('--seed', 0, 2 ** 31 - 1))
    .option('--around <k>', 'trace events shown before and after each violation', integer('--around', 0, 10_000), 10)
    .option('--violations <n>', 'violations whose trace window is printed', integer('--violations', 0, 1_000_000), 10)
    .option('--full', 'trace every send and delivery too (more context around a violation; another trace hash)')
    .option(
      '--bound <ms>',
      'termination after heal: ms a decision may stay unreached once the faults end (default 5000; votes add their voting timeout)',
      integer('--bound', 1, 2 ** 31 - 1),
    )
    .option('--protocol <id>', 'a stress run: raft, byzantine_tolerant (pbft) or a voting algorithm')
    .option('--agents <n>', 'a stress run: agents per run (default 7, as conclave stress)', integer('--agents', 2, 200))
    .option('--byzantine <k>', 'a stress run: as conclave stress --byzantine', integer('--byzantine', 0, 199))
    .option('--failure-rate <share>', 'a stress run: as conclave stress --failure-rate', probabilityOption('--failure-rate'))
    .option('--faults <list>', 'a stress run: as conclave stress --faults')
    .option('--decisions <n>', 'a stress run: decisions per run (default 100, as conclave stress)', integer('--decisions', 1, 1_000_000))
    .option('--implementation <module>', 'a stress run: as conclave stress --implementation')
    .option('--search <how>', 'a stress run: as conclave stress --search')
    .option('--json', 'print the result and the findings, each with its trace window, as one JSON object')
    .option('--store <file>', STORE_HELP)
    .option('--no-store', 'do not record it')
    .addHelpText(
      'after',
      '\nExamples:\n  conclave replay failing/stress-pbft-17.yml\n  conclave replay examples/raft-deployment.yml --seed 7 --around 20\n  conclave replay --protocol pbft --agents 4 --byzantine 2 --decisions 30 --seed 17\n  conclave replay --protocol raft --agents 5 --faults crash,partition --seed 3 --json',
    )
    .action(async (file: string | undefined, opts: ReplayCommandOptions & { store?: string | false }) => {
      const { replayCommand } = await import('./replay-command.ts');
      process.exitCode = await replayCommand(file, { ...opts, store: storePath(opts) ?? false, argv: process.argv.slice(2) }, (l) => console.log(l));
    });

  addServingOptions(
    program
      .command('bench')
      .description(
        'Benchmark decisions per minute: every algorithm at every size, several independent runs each (in parallel in sim mode), with consensus time, success rate, fault tolerance, throughput, messages per decision, quality and safety; prints a table, writes the JSON report and optionally an HTML page with charts. Exit code 1 when a run broke safety or failed.',
      )
      .option(
        '--algorithms <list>',
        'simple_majority, supermajority, byzantine_tolerant (pbft), weighted_voting, raft, byzantine_supermajority (default: the first five)',
      )
      .option('--agents <list>', 'cluster sizes (default 3,5,7,9)')
      .option('--iterations <n>', 'independent runs per algorithm and size, run i with seed + i (default 10)')
      .option('--mode <mode>', 'sim (virtual time; runs in parallel on a pool) or threads (worker threads, wall clock; runs one after another) (default sim)')
      .option('--duration <d>', 'run each workload for this long (virtual time in sim mode; votes, Raft commands, PBFT requests), instead of --decisions')
      .option('--decisions <n>', 'decisions (requests, commands) per run (default 1000)')
      .option('--in-flight <k>', "decisions open at once (default 1: consensus time is then each decision's own)")
      .option('--topology <t>', 'mesh, star, ring or hierarchical: how votes are routed (Raft and PBFT members talk directly) (default mesh)')
      .option(
        '--faults <list>',
        'faults in every run: byzantine:K or byzantine:SHARE, crash:K, partition:K, pause:K (at random times drawn from the seed), delay:MIN-MAX (ms), drop:RATE, duplicate:RATE, reorder',
      )
      .option('--seed <n>', 'seed of the first iteration (default 1)')
      .option('--workers <n>', 'sim: threads running iterations (this one and a pool; default one per core); threads: worker threads per run')
      .option('--output <file>', 'the JSON report (default consensus_benchmark.json)')
      .option('--html <file>', 'also write a self-contained HTML page with charts (opens offline)')
      .option('--markdown <file>', "also write the results as a Markdown table (the README's Benchmarks table)")
      .option('--json', 'print the JSON report on stdout instead of the table')
      .option(
        '--dashboard [port]',
        "watch the bench live on the dashboard (default port 3002; 0: any free one): its runs go one at a time in this process, each drawn as it goes, so the figures include the feed's cost and lose the pool's parallelism",
        portOption('--dashboard'),
      )
      .option('--store <file>', STORE_HELP)
      .option('--no-store', 'do not record it')
      .addHelpText(
        'after',
        '\nExamples:\n  conclave bench\n  conclave bench --algorithms simple_majority,raft --agents 3,5 --iterations 3 --html report.html\n  conclave bench --faults byzantine:0.2,crash:1 --output faulty.json\n  conclave bench --mode threads --algorithms raft,byzantine_tolerant --agents 5 --iterations 3 --in-flight 64',
      )
      .action(async (opts: Omit<BenchCommandOptions, 'dashboard'> & DashboardFlags) => {
        const { benchCommand } = await import('./bench-command.ts');
        const { dashboard, dashboardHost, dashboardToken, ...rest } = opts;
        const serving = dashboardServing({ dashboard, dashboardHost, dashboardToken }, 'the bench');
        process.exitCode = await benchCommand(
          { ...rest, ...(serving !== undefined && { dashboard: serving }), store: storePath(opts) ?? false, argv: process.argv.slice(2) },
          (l) => console.log(l),
          process.stderr,
        );
      }),
  );

  program
    .command('analyze')
    .description(
      "Analyze a conclave bench file: the algorithms compared and ranked at each size (throughput, consensus time mean ± sd, p50/p99, success rate, safety violations, messages per decision, quality, tolerance), noisy results flagged (iterations whose coefficient of variation is above the threshold, with their figures), safety violations loudly. With two files of one kind (two bench files, or two npm run bench results such as bench/results/previous.json and latest.json): after/before ratios per group, better, worse or within noise (the two sides' mean ± sd, or p25-p75, overlap). Exit code 1 when a file reports a safety violation (or, for micro-benchmarks, a failed correctness check), 2 on bad input.",
    )
    .argument('<files...>', 'one file to analyze, or two (before, after) to compare')
    .option('--detailed', "add every iteration's row under its group")
    .option(
      '--noise-threshold <cv>',
      'coefficient of variation (sd / mean over the iterations) above which a figure is noisy',
      probabilityOption('--noise-threshold'),
      NOISE_CV_THRESHOLD,
    )
    .option('--json', 'print the analysis (or comparison) as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  conclave analyze consensus_benchmark.json --detailed\n  conclave analyze before.json after.json\n  conclave analyze bench/results/previous.json bench/results/latest.json\n  conclave analyze consensus_benchmark.json --json --noise-threshold 0.1',
    )
    .action(async (files: string[], opts: AnalyzeCommandOptions) => {
      const { analyzeCommand } = await import('./analyze-command.ts');
      process.exitCode = analyzeCommand(files, opts, (l) => console.log(l));
    });

  program
    .command('optimize')
    .description(
      "Recommend an algorithm, a cluster size and settings (timeouts, in-flight window, batch size) for a target, quoting the measured figures of conclave bench files that justify them. speed: the highest throughput with 0 safety violations and success rate at or above the floor; reliability: the strongest fault model, then success rate under the file's faults and the faults tolerated; expertise: the highest decision quality (weighted voting on ties). A task type adjusts the rule (success floor, candidates, timeout factor). Without --from (or when nothing in the files qualifies) it recommends from the algorithms' properties, labelled NOT MEASURED, and prints the bench commands that would back it. Exit code 0, 2 on bad input.",
    )
    .requiredOption('--target <target>', 'speed, reliability or expertise')
    .option(
      '--task-type <type>',
      'routine (routine_decisions, low): floor 95 %, voting timeout 2 x p99; technical (technical_decisions, medium, complex): only votes on options (quality measured); critical (critical_decisions, high): Byzantine tolerance, floor 99.9 %, voting timeout 5 x p99; default: floor 99 %, voting timeout 3 x p99',
    )
    .option(
      '--from <file>',
      'a conclave bench file to draw on (repeat it: e.g. one file per --in-flight window or per fault load)',
      (file: string, files: string[] | undefined) => [...(files ?? []), file],
    )
    .option(
      '--recommended-algorithm <id>',
      'recommend only this algorithm (simple_majority, supermajority, weighted_voting, byzantine_tolerant (pbft), raft, byzantine_supermajority): its best measured group, or its properties when none qualifies',
    )
    .option('--expert-weighting-enabled', 'recommend weighted_voting (expert weights count only there)')
    .option(
      '--timeout-aggressive',
      'halve every recommended timeout (voting, election, heartbeat, view change): faster failure detection, more timeouts under load',
    )
    .option('--redundancy-high', 'raise the size to the next that tolerates one more faulty member')
    .option('--json', 'print the recommendation as one JSON object')
    .addHelpText(
      'after',
      "\nExamples:\n  conclave optimize --target speed --task-type routine_decisions --recommended-algorithm simple_majority --timeout-aggressive\n  conclave optimize --target reliability --task-type critical_decisions --recommended-algorithm byzantine_tolerant --redundancy-high\n  conclave optimize --target expertise --task-type technical_decisions --expert-weighting-enabled\n  conclave optimize --target speed --task-type routine_decisions --from consensus_benchmark.json\n  conclave optimize --target reliability --task-type critical_decisions --from crash.json --from byzantine.json\n  conclave optimize --target expertise --task-type technical_decisions --from consensus_benchmark.json\n  conclave optimize --target speed    (no file: from the algorithms' properties, with the bench to run)",
    )
    .action(async (opts: OptimizeCommandOptions) => {
      const { optimizeCommand } = await import('./optimize-command.ts');
      process.exitCode = optimizeCommand(opts, (l) => console.log(l));
    });

  // Commands load what they run when they run (so `--help` and a bad flag answer at once); the
  // built-in behaviours are registered before any of them, as every worker registers them too.
  program.hook('preAction', async () => {
    await import('../actors/library.ts');
  });

  // conclave runs | show | stats: reading the run store (src/cli/store-readers.ts).
  registerStoreReaders(program);

  // audit, monitor, health, approve: the run store's operations commands (store-commands.ts).
  registerStoreCommands(program);
  registerConfigCommand(program);
  registerHiveCommand(program);
  registerNodeCommand(program);
  registerMemoryCommand(program);
  registerDashboardCommand(program);
  applySummaries(program);
  program.addHelpText('after', "\nconclave COMMAND --help gives a command's description and options; conclave with no command runs the demo.\n");
  // Last, so that every command above (and any registered in this function later) gets it.
  return applyExitPolicy(program);
}

/** A repeatable option: every value, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function mode(value: string): 'sim' | 'threads' {
  if (value !== 'sim' && value !== 'threads') throw new InvalidArgumentError(`--mode must be "sim" or "threads" (got "${value}").`);
  return value;
}

/**
 * Runs the `conclave` command line on `argv` (shaped like `process.argv`), setting
 * `process.exitCode`. bin/conclave.js calls it; `tsx src/cli/main.ts` (npm start) runs it too.
 *
 * @example
 * ```ts
 * await main(['node', 'conclave', 'run', 'examples/db-choice.yml']);
 * ```
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  // `conclave run ... | head`: the reader went away; stop quietly instead of dying on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildCli();
  const unknown = unknownCommand(program, argv.slice(2));
  if (unknown !== undefined) {
    console.error(unknown);
    process.exitCode = EXIT_BAD_INPUT;
    return;
  }
  // The command an error came from, to name it and its --help.
  let active: Command | undefined;
  program.hook('preAction', (_program, command) => {
    active = command;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof ConclaveError) {
      // Bad input (2), or a run that broke down before it could report (3).
      const code = exitCodeForError(e);
      // A usage error names its command itself; other errors come from below the command line:
      // bad input among them is told like a bad flag, with the command and where its help is.
      const where = active === undefined ? 'conclave' : commandPath(active);
      const hint = code === EXIT_BAD_INPUT && active !== undefined ? ` (see ${where} --help)` : '';
      console.error(e instanceof UsageError ? e.message : `${where}: ${e.message}${hint}`);
      process.exitCode = code;
      return;
    }
    throw e;
  }
}

// Run when this file is the program (tsx src/cli/main.ts); an importer (bin, a test) calls main().
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
