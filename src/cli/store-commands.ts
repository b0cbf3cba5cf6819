import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { DEFAULT_STORE, storePath } from '../store/store-path.ts';
import { badFlagsExitTwo } from './exit-codes.ts';
import { MONITOR_INTERVAL_MS } from './monitor-interval.ts';

const STORE_HELP = `the run store (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory)`;

/** The store file a command reads: --store, CONCLAVE_STORE, the default; CONCLAVE_STORE=off is refused (these commands need a store). */
function storeFile(opts: { store?: string }): string {
  const file = storePath({ store: opts.store });
  if (file === undefined)
    throw new ConfigError('--store', 'the store to read (CONCLAVE_STORE=off turns recording off; this command reads a store: give --store PATH)', 'off');
  return file;
}

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    return n;
  };
}

/**
 * Registers the commands that operate on the run store from outside a run: `audit verify`,
 * `audit export`, `monitor`, `health`, `approve`.
 *
 * @example
 * ```ts
 * registerStoreCommands(new Command('conclave'));
 * ```
 */
export function registerStoreCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description("Check that stored runs were not changed behind Conclave's back (audit verify), or export a run's records for an auditor (audit export).");

  audit
    .command('verify')
    .description(
      "Recompute the audit chain of one run (or of every run): seqs without gaps, each row's hash over its content and votes, the links between rows, every checkpoint's Ed25519 signature and the hashes it lists, the chain head and the result hash. Prints one verdict per run; a tampered run names the first changed record (edited, deleted, reordered, recomputed without the key, result edited, signature stripped).",
    )
    .argument('[run]', 'a run id, a unique prefix of one, or "last" (default: every run in the store)')
    .option('--store <file>', STORE_HELP)
    .option('--json', 'print the verdicts (with every finding) as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 every run checked is intact; 1 a run was tampered with, or its signatures could not be checked (key file missing); 2 bad input (unknown run, ambiguous prefix, no store).\n\nExamples:\n  conclave audit verify\n  conclave audit verify last\n  conclave audit verify 20261207-0153 --json\n  conclave audit verify --store /data/conclave.db',
    )
    .action(async (run: string | undefined, opts: { store?: string; json?: boolean }) => {
      const { auditVerifyCommand } = await import('./audit-command.ts');
      process.exitCode = auditVerifyCommand(run, { store: storeFile(opts), json: opts.json }, (l) => console.log(l));
    });

  audit
    .command('export')
    .description(
      'Write every decision record of a run (its fields, its votes as the JSON the chain hashed, prev_hash and hash) and every checkpoint (hashes, signature, key id), in a form an auditor can re-verify without Conclave. JSON lines start with a run record holding the public key and the recipe.',
    )
    .argument('<run>', 'a run id, a unique prefix of one, or "last"')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--output <file>', 'write to FILE (default: stdout)')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nCSV: one header line, then one line per decision and per checkpoint (column "record" says which); fields with commas, quotes or line breaks are quoted, quotes doubled; a null is an empty field, an empty string "".\n\nExamples:\n  conclave audit export last --format jsonl > audit.jsonl\n  conclave audit export 20261207-0153 --format csv --output audit.csv',
    )
    .action(async (run: string, opts: { store?: string; format: string; output?: string }) => {
      const { auditExportCommand } = await import('./audit-command.ts');
      process.exitCode = await auditExportCommand(
        run,
        { store: storeFile(opts), format: opts.format, output: opts.output },
        (l) => console.log(l),
        (l) => console.error(l),
      );
    });
  const monitor = program
    .command('monitor')
    .description(
      'Watch a run from the store while it runs (from a second terminal): decisions per minute, closed and decided, in flight, latency mean and max, votes arriving, and its events as they are stored (faults starting and ending, Byzantine detections, leader changes, alerts). Without --follow, one snapshot; with it, a line per interval until the run ends (its final verdict) or its process is gone.',
    )
    .argument('[run]', 'a run id, a unique prefix of one, or "last" (default: last)')
    .option('--follow', 'keep watching until the run ends')
    .option('--interval <ms>', 'ms between two looks with --follow', integer('--interval', 10, 3_600_000), MONITOR_INTERVAL_MS)
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 the run completed (or, for a snapshot, is running); 1 it ended otherwise (failed, violated, broken) or its process is gone; 2 bad input (unknown run, ambiguous prefix, no store).\n\nExamples:\n  conclave run examples/raft-deployment.yml &   # or in another terminal\n  conclave monitor --follow\n  conclave monitor last\n  conclave monitor 20261207-0153 --follow --interval 1000 --store /data/conclave.db',
    )
    .action(async (run: string | undefined, opts: { store?: string; follow?: boolean; interval: number }) => {
      const { monitorCommand } = await import('./monitor-command.ts');
      process.exitCode = await monitorCommand(run, { store: storeFile(opts), follow: opts.follow, intervalMs: opts.interval }, (l) => console.log(l));
    });

  const health = program
    .command('health')
    .description(
      'Check that this machine can run and record: the run store opens and passes PRAGMA integrity_check (with its runs and size), worker threads start and answer a round trip; with --connectivity-test, a 3-node vote runs in sim mode and in threads mode. One line per check: ok, or FAIL and why, with its time.',
    )
    .option('--connectivity-test', 'also run a 3-node vote in sim and in threads mode')
    .option('--store <file>', STORE_HELP)
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check ok; 1 a check failed; 2 bad options.\n\nExamples:\n  conclave health\n  conclave health --connectivity-test\n  conclave health --store /data/conclave.db --json',
    )
    .action(async (opts: { store?: string; connectivityTest?: boolean; json?: boolean }) => {
      const { healthCommand } = await import('./health-command.ts');
      process.exitCode = await healthCommand({ store: storeFile(opts), connectivityTest: opts.connectivityTest, json: opts.json }, (l) => console.log(l));
    });

  const approve = program
    .command('approve')
    .description(
      'Answer a decision a run holds for human oversight: records approve (or, with --reject, reject) in the store, where the waiting run reads it. A decision is answered once; a second answer, or one for a run that has ended, is refused (exit 2).',
    )
    .argument('<run>', 'a run id, a unique prefix of one, or "last"')
    .argument('<decision>', 'the decision to answer, as the oversight request names it (e.g. d7)')
    .option('--reject', 'answer reject instead of approve')
    .option('--by <name>', 'who answers (default: your user name)')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 the answer is recorded; 2 bad input (unknown run, ambiguous prefix, a decision already answered).\n\nExamples:\n  conclave approve last d7\n  conclave approve 20261207-0153 d12 --reject --by alice\n  conclave approve last d3 --store /data/conclave.db',
    )
    .action(async (run: string, decision: string, opts: { store?: string; reject?: boolean; by?: string }) => {
      const { approveCommand } = await import('./approve-command.ts');
      process.exitCode = approveCommand(run, decision, { store: storeFile(opts), reject: opts.reject, by: opts.by }, (l) => console.log(l));
    });

  for (const c of [audit, ...audit.commands, monitor, health, approve]) badFlagsExitTwo(c);
}
