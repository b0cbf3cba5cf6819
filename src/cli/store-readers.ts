import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_STORE } from '../store/store-path.ts';
import type { RunsCommandOptions } from './runs-command.ts';
import type { ShowCommandOptions } from './show-command.ts';
import type { StatsCommandOptions } from './stats-command.ts';
import { badFlagsExitTwo } from './exit-codes.ts';

const STORE_HELP = `the run store to read (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory)`;

function limit(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError(`${flag} must be an integer from 1 to 1,000,000 (got "${value}").`);
    return n;
  };
}

function format(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError(`--format must be "text" or "json" (got "${value}").`);
  return value;
}

/**
 * Adds `conclave runs`, `conclave show RUN` and `conclave stats [RUN]` (reading the run store)
 * to the command line. Bad flags exit 2, like every other bad input.
 *
 * @example
 * ```ts
 * registerStoreReaders(program);
 * ```
 */
export function registerStoreReaders(program: Command): void {
  badFlagsExitTwo(program.command('runs'))
    .description(
      'List the runs recorded in the store, newest first: id, when, kind, name, protocol, mode, agents, decisions decided/attempted, status (a run whose process is gone without finishing shows as interrupted) and exit code.',
    )
    .option('--limit <n>', 'runs listed at most', limit('--limit'), 20)
    .option('--protocol <p>', 'only runs of this protocol (simple_majority, raft, byzantine_tolerant, ...)')
    .option('--since <when>', 'only runs started since: an age (30m, 2h, 1d, 1w) or an ISO date or time (2026-12-01, 2026-12-01T12:00Z)')
    .option('--kind <kind>', 'only runs of this kind: run, stress, bench, replay or hive')
    .option('--json', 'print the runs as one JSON array')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      "\nExit codes: 0 listed (even none); 2 bad input (a bad flag, no store).\n\nExamples:\n  conclave runs\n  conclave runs --protocol raft --since 1d\n  conclave runs --limit 5 --json | jq -r '.[0].id'\n  conclave runs --store /tmp/experiments.db --kind run",
    )
    .action(async (opts: RunsCommandOptions) => {
      const { runsCommand } = await import('./runs-command.ts');
      process.exitCode = runsCommand(opts, (l) => console.log(l));
    });

  badFlagsExitTwo(program.command('show'))
    .description(
      'Show a stored run: its header and result (decisions, success rate, consensus time p50/p99, messages per decision, quality, safety findings, what the store kept), and the sections asked for. With --json and no section flag: every section.',
    )
    .argument('<run>', 'a run id, a unique prefix of one, or last')
    .option(
      '--timeline',
      'the first decisions (opened, each vote, closed) and every event in time order: topology switches, faults, leaders and views, Byzantine detections, crashes, alerts',
    )
    .option('--votes', "per decision: each agent's vote and confidence")
    .option('--reasoning', "each vote's reason too (implies --votes)")
    .option('--weights', "how each agent's weight evolved (dynamic weights)")
    .option('--weight-evolution', 'the same as --weights')
    .option('--participation', 'per agent: votes cast out of decisions asked, missing votes, abstentions')
    .option('--vote-conflicts', 'decisions whose votes split: the split, the minority share, who dissented, grouped')
    .option('--byzantine', 'agents caught lying: the evidence, who caught whom, isolation')
    .option('--byzantine-detection', 'the same as --byzantine')
    .option('--leaders', 'Raft terms and leaders, PBFT views and primaries, failovers, time without a leader')
    .option('--raft-leader', 'the same as --leaders')
    .option('--faults', 'the faults injected, each with its start and end')
    .option('--limit <n>', 'decisions the per-decision sections show (timeline, votes, vote conflicts)', limit('--limit'), 10)
    .option('--json', 'print the summary and the sections (all of them without a section flag) as one JSON object')
    .option('--format <format>', 'text (default) or json (the same as --json)', format)
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      "\nExit codes: 0 shown; 2 bad input (an unknown or ambiguous run, a bad flag, no store).\n\nExamples:\n  conclave show last\n  conclave show last --timeline --limit 3\n  conclave show 20261207-0153 --votes --reasoning\n  conclave show last --participation --vote-conflicts\n  conclave show last --byzantine-detection\n  conclave show last --raft-leader --format json | jq -r '.leaders.currentLeader'\n  conclave show last --weight-evolution",
    )
    .action(
      async (
        ref: string,
        o: ShowCommandOptions & { weightEvolution?: boolean; byzantineDetection?: boolean; raftLeader?: boolean; format?: 'text' | 'json' },
      ) => {
        const { showCommand } = await import('./show-command.ts');
        const { weightEvolution, byzantineDetection, raftLeader, format: f, ...rest } = o;
        const opts: ShowCommandOptions = {
          ...rest,
          json: rest.json || f === 'json',
          weights: rest.weights || weightEvolution,
          byzantine: rest.byzantine || byzantineDetection,
          leaders: rest.leaders || raftLeader,
        };
        process.exitCode = showCommand(ref, opts, (l) => console.log(l));
      },
    );

  badFlagsExitTwo(program.command('stats'))
    .description(
      'Consensus statistics across the stored runs (or one run), per protocol: runs, decisions decided/attempted, success rate, consensus time p50/p99 over every stored decision, messages per decision, quality, safety violations.',
    )
    .argument('[run]', 'one run: an id, a unique prefix of one, or last')
    .option('--protocol <p>', 'only runs of this protocol')
    .option('--since <when>', 'only runs started since: an age (30m, 2h, 1d, 1w) or an ISO date or time')
    .option('--kind <kind>', 'only runs of this kind: run, stress, bench, replay or hive (default: runs and replays)')
    .option('--json', 'print the statistics as one JSON object')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 shown; 2 bad input (an unknown run, a bad flag, no store).\n\nExamples:\n  conclave stats\n  conclave stats last\n  conclave stats --protocol raft --since 1d\n  conclave stats --since 2026-12-01 --json',
    )
    .action(async (ref: string | undefined, opts: StatsCommandOptions) => {
      const { statsCommand } = await import('./stats-command.ts');
      process.exitCode = statsCommand(ref, opts, (l) => console.log(l));
    });
}
