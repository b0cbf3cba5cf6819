import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import '../actors/library.ts';
import { ConclaveError } from '../errors.ts';
import { runDecisionDemo } from './decision-demo.ts';
import { runDemo } from './demo.ts';
import { runCommand } from './run-command.ts';
import { stressCommand } from './stress-command.ts';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    return n;
  };
}

/** Builds the `conclave` command line. */
export function buildCli(): Command {
  const program = new Command('conclave')
    .description('An actor-model runtime for simulating agent swarms that must agree.')
    .version('0.1.0')
    .showHelpAfterError();

  program
    .command('demo', { isDefault: true })
    .description('Run the decision demo: three decisions vote by vote, bursts of decisions in sim and threads mode, and the same under topology switches.')
    .option('--seed <n>', 'seed of the runs', integer('--seed', 0, 2 ** 31 - 1), 42)
    .option('--workers <n>', 'worker threads for the threads-mode burst', integer('--workers', 1, 64), Math.max(2, availableParallelism()))
    .option('--decisions <n>', 'decisions in each burst', integer('--decisions', 64, 10_000_000), 20_000)
    .option('--json', 'print the results as one JSON object instead of the story')
    .action(async (opts: { seed: number; workers: number; decisions: number; json?: boolean }) => {
      const report = await runDecisionDemo({ seed: opts.seed, workers: opts.workers, decisions: opts.decisions, out: opts.json ? () => undefined : (l) => console.log(l) });
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
      const report = await runDemo({ seed: opts.seed, workers: opts.workers, burst: opts.burst, out: opts.json ? (l) => lines.push(l) : (l) => console.log(l) });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
    });

  program
    .command('run')
    .description('Run a scenario file (or, without one, the built-in five-agent database choice) and report decisions, throughput, latency, quality, safety and message accounting.')
    .argument('[scenario]', 'a scenario YAML file (see examples/)')
    .option('--config <file>', 'a consensus configuration (consensus.default_algorithm, algorithms, agent_weights, agent_expertise) merged under the scenario')
    .option('--seed <n>', 'seed (overrides the scenario\'s)', integer('--seed', 0, 2 ** 31 - 1))
    .option('--mode <mode>', 'sim (deterministic, virtual time) or threads (worker threads, wall clock)', mode)
    .option('--workers <n>', 'worker threads in threads mode (default: one per core)', integer('--workers', 1, 256))
    .option('--json', 'print the result as one JSON object')
    .option('--trace <file>', 'write every trace event to FILE as JSON lines')
    .option('--timeline <n>', 'show the votes of the first N decisions', integer('--timeline', 0, 1000), 2)
    .option('--history <file>', 'Raft runs: write the client-visible history (Jepsen-style JSON lines) to FILE')
    .addHelpText('after', '\nExamples:\n  conclave run examples/db-choice.yml\n  conclave run examples/db-choice.yml --seed 7 --mode threads --json\n  conclave run --config consensus-config.yml')
    .action(async (file: string | undefined, opts: { config?: string; seed?: number; mode?: 'sim' | 'threads'; workers?: number; json?: boolean; trace?: string; timeline: number; history?: string }) => {
      process.exitCode = await runCommand(file, opts, (l) => console.log(l));
    });

  program
    .command('stress')
    .description('Stress-test a protocol: many seeded runs in sim mode, each with a fault schedule drawn from its seed (crashes, partitions, Byzantine agents), in parallel on a worker pool; reports safety violations and how to replay each failing run.')
    .option('--protocol <id>', 'raft, byzantine_tolerant (pbft) or a voting algorithm (simple_majority, supermajority, ...)', 'byzantine_tolerant')
    .option('--agents <n>', 'agents (replicas, nodes, voters) per run', integer('--agents', 2, 200), 7)
    .option('--byzantine <k>', 'Byzantine agents per run at most (default: what the protocol tolerates; more shows what it cannot)', integer('--byzantine', 0, 199))
    .option('--faults <list>', 'fault kinds to draw from: crash,partition,byzantine (default: all the protocol takes)')
    .option('--runs <n>', 'how many runs', integer('--runs', 1, 1_000_000), 100)
    .option('--seed <n>', 'seed of the first run (run i uses seed + i)', integer('--seed', 0, 2 ** 31 - 1), 1)
    .option('--decisions <n>', 'decisions (requests, commands) per run', integer('--decisions', 1, 1_000_000), 100)
    .option('--workers <n>', 'pool threads (default: one per core; 1 runs them one after another here)', integer('--workers', 1, 256))
    .option('--save <dir>', 'write every failing run as a scenario file (conclave run FILE replays it)')
    .option('--json', 'print the report as one JSON object')
    .addHelpText('after', '\nExamples:\n  conclave stress --protocol pbft --agents 7 --runs 500\n  conclave stress --protocol pbft --agents 4 --byzantine 2 --runs 200 --save failing/\n  conclave stress --protocol raft --agents 5 --faults crash,partition --runs 300')
    .action(async (opts: { protocol: string; agents: number; byzantine?: number; faults?: string; runs: number; seed: number; decisions: number; workers?: number; save?: string; json?: boolean }) => {
      process.exitCode = await stressCommand(opts, (l) => console.log(l), process.stderr);
    });

  return program;
}

function mode(value: string): 'sim' | 'threads' {
  if (value !== 'sim' && value !== 'threads') throw new InvalidArgumentError(`--mode must be "sim" or "threads" (got "${value}").`);
  return value;
}

async function main(): Promise<void> {
  // `conclave run ... | head`: the reader went away; stop quietly instead of dying on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await buildCli().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof ConclaveError) {
      console.error(`conclave: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

await main();
