import type { Command } from 'commander';
import { AskTimeoutError, CoordinatorFailedError, HostCrashedError, SettleTimeoutError, type ConclaveError } from '../errors.ts';

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
 * Commander exits with 1 on an unknown option, a missing argument or a bad value; 1 means a
 * safety violation (or "tampered", "not ok") here, so a command's bad input exits with 2 like
 * every other bad input. Applied to the commands added with the run store and the configuration.
 *
 * @example
 * ```ts
 * badFlagsExitTwo(program.command('show'));
 * ```
 */
export function badFlagsExitTwo(cmd: Command): Command {
  return cmd.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : EXIT_BAD_INPUT));
}
