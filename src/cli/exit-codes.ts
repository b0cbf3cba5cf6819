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
