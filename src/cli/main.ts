import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import '../actors/library.ts';
import { ConclaveError } from '../errors.ts';
import { runDemo } from './demo.ts';

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
    .description('Run the demo: a relay race with a supervised failure (sim), bursts in sim and threads mode, and a worker crash drill.')
    .option('--seed <n>', 'seed of the simulated runs', integer('--seed', 0, 2 ** 31 - 1), 42)
    .option('--workers <n>', 'worker threads for the threads-mode part', integer('--workers', 2, 64), Math.max(2, availableParallelism()))
    .option('--burst <n>', 'envelopes per burst', integer('--burst', 1000, 50_000_000), 1_000_000)
    .option('--json', 'print the measured figures as one JSON object instead of the story')
    .action(async (opts: { seed: number; workers: number; burst: number; json?: boolean }) => {
      const lines: string[] = [];
      const report = await runDemo({ seed: opts.seed, workers: opts.workers, burst: opts.burst, out: opts.json ? (l) => lines.push(l) : (l) => console.log(l) });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
    });

  return program;
}

async function main(): Promise<void> {
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
