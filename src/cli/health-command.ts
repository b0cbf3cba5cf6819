import { storeHealth, type HealthCheck } from '../store/store-health.ts';
import { connectivityHealth, threadsHealth } from '../health/runtime-checks.ts';
import { green, ms, red } from '../text/format.ts';
import { EXIT_OK, EXIT_SAFETY } from './exit-codes.ts';

/** Options of `conclave health`. */
export interface HealthOptions {
  /** The store file (resolved by the CLI). */
  readonly store: string;
  /** Also run a 3-node vote in sim mode and in threads mode. */
  readonly connectivityTest?: boolean;
  readonly json?: boolean;
}

/**
 * `conclave health`: is this machine ready to run and record? The store opens and passes its
 * integrity check; worker threads start and answer; with `connectivityTest`, a 3-node vote runs
 * in sim and in threads mode. One verdict line per check (ok, or FAIL and why, with its time).
 * Returns 0 when every check is ok, 1 otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await healthCommand({ store: '.conclave/conclave.db', connectivityTest: true }, console.log);
 * ```
 */
export async function healthCommand(opts: HealthOptions, out: (line: string) => void, checks: { threads?: () => Promise<HealthCheck> } = {}): Promise<number> {
  const results: HealthCheck[] = [];
  const report = (c: HealthCheck) => {
    results.push(c);
    if (!opts.json) out(healthLine(c));
  };
  report(storeHealth(opts.store));
  report(await (checks.threads ?? threadsHealth)());
  if (opts.connectivityTest) {
    report(await connectivityHealth('sim'));
    report(await connectivityHealth('threads'));
  }
  const ok = results.every((c) => c.ok);
  if (opts.json) out(JSON.stringify({ ok, checks: results }, null, 2));
  else
    out(
      ok
        ? green(`healthy: ${results.length} of ${results.length} checks ok`)
        : red(`NOT healthy: ${results.filter((c) => !c.ok).length} of ${results.length} checks failed`),
    );
  return ok ? EXIT_OK : EXIT_SAFETY;
}

/**
 * One check's verdict line.
 *
 * @example
 * ```ts
 * healthLine({ name: 'store', ok: true, detail: 'integrity ok', ms: 3 }); // 'ok    store  (3.00 ms)  integrity ok'
 * ```
 */
export function healthLine(c: HealthCheck): string {
  return c.ok ? `${green('ok  ')}  ${c.name} (${ms(c.ms)}): ${c.detail}` : `${red('FAIL')}  ${c.name} (${ms(c.ms)}): ${c.detail}`;
}
