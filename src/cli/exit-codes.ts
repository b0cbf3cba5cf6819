import type { Command, HelpContext } from 'commander';
import { AskTimeoutError, CoordinatorFailedError, HostCrashedError, SettleTimeoutError, type ConclaveError } from '../errors.ts';
import { didYouMean } from '../scenario/did-you-mean.ts';

/**
 * What `conclave run` (and the commands that judge runs) exit with. Scripts and CI read these,
 * so each means one thing: a run that could not finish its workload (3) is neither bad input
 * (2) nor a broken protocol (1).
 *
 * @example
 * ```ts
 * process.exitCode = result.status === 'failed' ? EXIT_RUN_FAILED : EXIT_OK;
 * ```
 */
export const EXIT_OK = 0;
/** A safety violation, or books that do not balance: the protocol or the runtime is wrong. */
export const EXIT_SAFETY = 1;
/** Bad input (scenario, options, files): nothing was run, or the run was refused. */
export const EXIT_BAD_INPUT = 2;
/**
 * The run failed: it ended with its report, but its workload did not finish (decisions lost
 * with a crashed worker, a coordinator or client that could not be restarted or failed).
 */
export const EXIT_RUN_FAILED = 3;

/**
 * The exit code for a Conclave error that ended a command: most mean bad input (2), but a
 * worker that died where no report could be made, a reply that never came or a system that
 * never settled mean the run broke down (3).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ConclaveError) process.exitCode = exitCodeForError(e); }
 * ```
 */
export function exitCodeForError(e: ConclaveError): number {
  const broke = e instanceof HostCrashedError || e instanceof AskTimeoutError || e instanceof SettleTimeoutError || e instanceof CoordinatorFailedError;
  return broke ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
}

/**
 * Commander exits with 1 on an unknown option, a missing argument or a bad value, and can print
 * the whole help after the error; 1 means a safety violation (or "tampered", "not ok") here. So
 * a command's bad input exits with 2 like every other bad input, with one line on stderr that
 * names the command, what was wrong (commander's own words: the option, the value, "did you
 * mean") and where to read more. `applyExitPolicy` gives every command this; calling it on one
 * command is harmless.
 *
 * @example
 * ```ts
 * badFlagsExitTwo(program.command('show'));
 * // conclave show --limt 3  ->  "conclave show: unknown option '--limt' (Did you mean --limit?) (see conclave show --help)", exit 2
 * ```
 */
export function badFlagsExitTwo(cmd: Command): Command {
  // A command of subcommands typed alone (`conclave audit`) gets commander's help({ error: true }):
  // the whole help on stderr. It is bad input like the rest: one line naming the subcommands.
  const help = cmd.help.bind(cmd);
  cmd.help = ((context?: HelpContext) => {
    if (context?.error === true && cmd.commands.length > 0)
      cmd.error(`missing command: one of ${cmd.commands.map((c) => c.name()).join(', ')}`, { code: 'commander.missingArgument' });
    return help(context);
  }) as Command['help'];
  return cmd
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(`${commandPath(cmd)}: ${oneLine(text)} (see ${commandPath(cmd)} --help)\n`) })
    .exitOverride((e) => process.exit(e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT));
}

/**
 * The one exit-code policy of the command line: every command under `program` (however deep,
 * including those registered later in the same build) gets `badFlagsExitTwo`. Call it once the
 * commands are registered.
 *
 * @example
 * ```ts
 * const program = new Command('conclave');
 * program.command('run');
 * applyExitPolicy(program); // conclave run --seed abc: one line, exit 2
 * ```
 */
export function applyExitPolicy(program: Command): Command {
  badFlagsExitTwo(program);
  unknownFlagsFirst(program);
  for (const sub of program.commands) applyExitPolicy(sub);
  return program;
}

/**
 * Commander checks required options before unknown ones, so `conclave node --bogus` said
 * "required option '--nats <url>' not specified" about a flag the user did give, sort of, and
 * nothing of the one they mistyped. The required options are checked just before the action
 * instead, after the unknown ones, with commander's own words.
 */
function unknownFlagsFirst(cmd: Command): void {
  const required = cmd.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const o of required) o.mandatory = false;
  cmd.hook('preAction', (_hooked, action) => {
    if (action !== cmd) return;
    const missing = required.find((o) => cmd.getOptionValue(o.attributeName()) === undefined);
    if (missing) cmd.error(`error: required option '${missing.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
  });
}

/**
 * The refusal for a first argument that names no command (`conclave frobnicate`), with the close
 * command it was probably meant to be; undefined when it is a command, an option or absent. A
 * program with a default command would otherwise hand the word to it as an extra argument.
 *
 * @example
 * ```ts
 * unknownCommand(program, ['rnu', 'x.yml']); // "conclave: unknown command 'rnu' (did you mean run?) (see conclave --help)"
 * ```
 */
export function unknownCommand(program: Command, args: readonly string[]): string | undefined {
  const word = args[0];
  if (word === undefined || word.startsWith('-')) return undefined;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(word) || word === 'help') return undefined;
  const near = didYouMean(word, names);
  return `${program.name()}: unknown command '${word}'${near ? ` (did you mean ${near}?)` : ''} (see ${program.name()} --help for the commands)`;
}

/** `conclave config set`: the words a user types to reach a command. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's error text as one line, without its "error: " prefix. */
function oneLine(text: string): string {
  return text
    .replace(/^error:\s*/, '')
    .trim()
    .split(/\s*\n\s*/)
    .join(' ');
}
