import type { Command } from 'commander';

/**
 * One line per command for `conclave --help`'s list; each command's own `--help` keeps the full
 * description. Without these the overview printed every description in full: 150 lines before
 * the user found the command they wanted.
 */
export const COMMAND_SUMMARIES: Readonly<Record<string, string>> = {
  demo: 'the decision demo (what npm start runs)',
  tour: 'a tour of the actor runtime underneath',
  run: 'run a scenario file and report decisions, safety and books',
  stress: 'many seeded runs with faults; safety violations and replays',
  replay: 'rerun one run exactly, with its trace and findings',
  bench: 'decisions per minute for every algorithm and size',
  analyze: 'compare and rank bench files; ratios between two',
  optimize: 'recommend an algorithm and settings from bench files',
  runs: 'list the runs in the run store',
  show: "show a stored run's result, timeline, votes, faults",
  stats: 'consensus statistics across stored runs',
  audit: 'verify the store was not edited; export for an auditor',
  monitor: 'watch a run from the store while it runs',
  health: 'check the store, worker threads and a short run',
  approve: 'answer a decision held for human oversight',
  config: 'read and write the configuration runs start from',
  'hive-mind': 'a queen-led hive of teams that learns across sessions',
  node: 'join a swarm on NATS as a node hosting actors',
  memory: "the ReasoningBank's learned patterns",
  dashboard: 'serve the live dashboard (port 3002)',
};

/** Gives every top-level command its summary; a command without one is a programming error. */
export function applySummaries(program: Command): void {
  for (const command of program.commands) {
    const summary = COMMAND_SUMMARIES[command.name()];
    if (summary === undefined) throw new Error(`conclave: command '${command.name()}' has no entry in COMMAND_SUMMARIES`);
    command.summary(summary);
  }
}
