import { ConclaveError } from '../errors.ts';

/**
 * A command line that is incomplete rather than wrong (a flag it needs, an argument or the
 * options that stand for it): said as what to type, naming the command and its help, instead of
 * a configuration error's "expected …, got undefined". Exits 2, as all bad input does.
 *
 * @example
 * ```ts
 * throw new UsageError('conclave replay', 'give --seed: the seed of the stress run to replay (conclave stress prints it for each failing run)');
 * // conclave replay: give --seed: the seed of ... (see conclave replay --help)
 * ```
 */
export class UsageError extends ConclaveError {
  constructor(command: string, what: string) {
    super('usage', `${command}: ${what} (see ${command} --help)`);
  }
}
