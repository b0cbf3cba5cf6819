/**
 * The numbers in a scenario's `faults:` section, checked when the file is loaded. The section is
 * read by the adversary layer when a run starts (each protocol with its own targets and
 * behaviours), but its numbers mean the same everywhere, and a NaN drop rate or a fault at
 * "999…9s" must be refused with the file's line, before anything runs, not halfway through.
 */
import { parseFaultPlan } from './fault-plan.ts';
import { ConfigError } from '../errors.ts';
import { parseDuration } from './duration.ts';

/**
 * Throws a ConfigError naming the field (`faults.network[0].drop_rate`) for the first fault value
 * out of range; the run-time reading (targets, behaviours per protocol) stays with the drivers.
 *
 * @example
 * ```ts
 * checkFaultNumbers({ network: [{ drop_rate: NaN }] }, 5); // throws at "faults.network[0].drop_rate"
 * ```
 */
export function checkFaultNumbers(faults: Record<string, unknown> | undefined, agents: number): void {
  if (faults === undefined) return;
  // The same reading every voting run does (a crash without a target picks one at random).
  parseFaultPlan(faults, { defaultTarget: 'random' });
  const b = faults.byzantine;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return;
  const { count, failure_rate: rate, delay } = b as Record<string, unknown>;
  const path = 'faults.byzantine';
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 0 && (count as number) <= agents)) {
    throw new ConfigError(`${path}.count`, `an integer from 0 to ${agents.toLocaleString('en-US')} (the scenario's agents)`, count);
  }
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) throw new ConfigError(`${path}.failure_rate`, 'a number from 0 to 1', rate);
  if (delay !== undefined) parseDuration(delay, `${path}.delay`);
}
