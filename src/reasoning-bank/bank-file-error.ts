import { ConclaveError } from '../errors.ts';

/**
 * A ReasoningBank export file that cannot be imported: names the file, the field (`patterns[2].arms[0].uses`)
 * and what it should hold. Nothing of the file was imported.
 *
 * @example
 * ```ts
 * try { importBankFile(db, 'patterns.json'); }
 * catch (e) { if (e instanceof BankFileError) console.error(e.message); }
 * ```
 */
export class BankFileError extends ConclaveError {
  constructor(
    readonly file: string,
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      'bank-file',
      `${file}${path ? `: "${path}"` : ''}: ${problem}. Nothing was imported; fix the file (conclave memory export writes the expected form).`,
      options,
    );
  }
}
