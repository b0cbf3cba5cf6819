/**
 * `conclave memory`: the commands and their help. What they do is in memory-command.ts, loaded
 * when one runs, so the CLI starts without the ReasoningBank and the store.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { DEFAULT_STORE, storePath } from '../store/store-path.ts';
import { badFlagsExitTwo } from './exit-codes.ts';

/** The commands' code (and the ReasoningBank under it), loaded when one of them runs: not for --help or a bad flag. */
const commands = () => import('./memory-command.ts');

const STORE_HELP = `the run store the patterns live in (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory)`;

function storeFile(opts: { store?: string }): string {
  const file = storePath({ store: opts.store });
  if (file === undefined) throw new ConfigError('--store', 'the store the patterns live in (CONCLAVE_STORE=off turns recording off; give --store PATH)', 'off');
  return file;
}

function count(flag: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${flag} must be an integer from 0 to ${max} (got "${value}").`);
    return n;
  };
}

/**
 * Registers `conclave memory list|show|query|export|import|forget`: the ReasoningBank's patterns
 * in the run store.
 *
 * @example
 * ```ts
 * registerMemoryCommand(new Command('conclave'));
 * ```
 */
export function registerMemoryCommand(program: Command): void {
  const memory = program
    .command('memory')
    .description(
      "The ReasoningBank's patterns (reasoning-bank/pattern/<task class>) in the run store: what each task class learned about which configuration to run it with, across sessions.",
    )
    .addHelpText(
      'after',
      '\nKEY is a full key (reasoning-bank/pattern/docs-api-reference) or just the task class name (docs-api-reference).\n\nExamples:\n  conclave memory list\n  conclave memory show docs-api-reference\n  conclave memory query "complexity=0.9,novelty=0.8"\n  conclave memory export patterns.json\n  conclave memory import patterns.json --store other-project/.conclave/conclave.db',
    );
  const w = (l: string) => console.log(l);
  const e = (l: string) => console.error(l);

  const list = memory
    .command('list')
    .description('List every pattern: key, uses, success rate, mean time and the approach (the configuration believed best).')
    .option('--json', 'print the patterns as JSON')
    .option('--store <file>', STORE_HELP)
    .addHelpText('after', '\nExamples:\n  conclave memory list\n  conclave memory list --json --store /data/conclave.db')
    .action(async (opts: { store?: string; json?: boolean }) => {
      process.exitCode = (await commands()).memoryList({ store: storeFile(opts), json: opts.json }, w);
    });

  const show = memory
    .command('show')
    .description(
      'Show one pattern: its task-class features, approach, figures, the arms tried with their all-time and recent (discounted) figures, changes detected, and its last trajectories.',
    )
    .argument('<key>', 'the pattern key, or the task class name')
    .option('--arms <n>', 'arms to list', count('--arms', 10_000), 10)
    .option('--trajectories <n>', 'last trajectories to list', count('--trajectories', 10_000), 5)
    .option('--json', 'print the pattern, arms and trajectories as JSON')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 shown; 2 no such pattern, or bad options.\n\nExamples:\n  conclave memory show docs-api-reference\n  conclave memory show reasoning-bank/pattern/auth-jwt --arms 48 --trajectories 20',
    )
    .action(async (key: string, opts: { store?: string; json?: boolean; arms: number; trajectories: number }) => {
      process.exitCode = (await commands()).memoryShow(
        key,
        { store: storeFile(opts), json: opts.json, arms: opts.arms, trajectories: opts.trajectories },
        w,
        e,
      );
    });

  const query = memory
    .command('query')
    .description(
      'Find the stored patterns nearest a task: by task-class similarity when the query is features (complexity=0.8,novelty=0.3 or a JSON object, values in [0, 1]), else by the words of the query found in pattern names and approaches.',
    )
    .argument('<query>', 'features (name=value,...) or text')
    .option('--limit <n>', 'most patterns to list', count('--limit', 10_000), 5)
    .option('--json', 'print the matches as JSON')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 searched (a search may find nothing); 2 a feature outside [0, 1] or a malformed query.\n\nExamples:\n  conclave memory query "complexity=0.9,novelty=0.8,criticality=0.9"\n  conclave memory query \'{"sequentiality": 0.9}\'\n  conclave memory query "security review"',
    )
    .action(async (q: string, opts: { store?: string; json?: boolean; limit: number }) => {
      process.exitCode = (await commands()).memoryQuery(q, { store: storeFile(opts), json: opts.json, limit: opts.limit }, w, e);
    });

  const exp = memory
    .command('export')
    .description(
      'Write every pattern with its figures per arm as JSON (format conclave-reasoning-bank, version 1), to FILE or stdout, to share with another project (conclave memory import there). Trajectories are not exported.',
    )
    .argument('[file]', 'where to write (default, or "-": stdout)')
    .option('--store <file>', STORE_HELP)
    .addHelpText('after', '\nExamples:\n  conclave memory export patterns.json\n  conclave memory export > patterns.json')
    .action(async (file: string | undefined, opts: { store?: string }) => {
      process.exitCode = (await commands()).memoryExport(file, { store: storeFile(opts) }, w, e);
    });

  const imp = memory
    .command('import')
    .description(
      "Merge an export into this store, in one transaction: new patterns are added; a pattern already here keeps its features and approach and adds the file's uses, successes and sums, per arm. A malformed file is refused whole, naming the bad field.",
    )
    .argument('<file>', 'a file written by conclave memory export')
    .option('--store <file>', STORE_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 imported; 2 the file is missing, not JSON, or has a bad field (nothing imported).\n\nExamples:\n  conclave memory import patterns.json\n  conclave memory import ../other-project/patterns.json --store .conclave/conclave.db',
    )
    .action(async (file: string, opts: { store?: string }) => {
      process.exitCode = (await commands()).memoryImport(file, { store: storeFile(opts) }, w);
    });

  const forget = memory
    .command('forget')
    .description('Delete a pattern with its figures per arm and its trajectories: the next objective of that task class starts from what similar classes know.')
    .argument('<key>', 'the pattern key, or the task class name')
    .option('--store <file>', STORE_HELP)
    .addHelpText('after', '\nExit codes: 0 forgotten; 2 no such pattern.\n\nExamples:\n  conclave memory forget docs-api-reference')
    .action(async (key: string, opts: { store?: string }) => {
      process.exitCode = (await commands()).memoryForget(key, { store: storeFile(opts) }, w, e);
    });

  for (const c of [memory, list, show, query, exp, imp, forget]) badFlagsExitTwo(c);
}
