/**
 * The lines a run's summary gives its enterprise figures: decisions per class, oversight, and
 * the alerts raised. Plain text with optional colours, so the CLI and the run store's `show`
 * print them alike.
 */
import type { PolicyClassCounts } from '../protocols/voting/decision-class.ts';
import type { OversightCounts } from '../protocols/voting/oversight.ts';
import type { AlertRecord } from './alert-record.ts';

/** The part of a run's result these lines read (ScenarioResult has it). */
export interface EnterpriseFigures {
  readonly byPolicy?: Readonly<Record<string, PolicyClassCounts>>;
  readonly oversight?: OversightCounts;
  readonly alerts?: readonly AlertRecord[];
}

/** Colours the caller's terminal supports; identity by default. */
export interface TextColours {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
}

const PLAIN: TextColours = { red: (s) => s, yellow: (s) => s, dim: (s) => s };

/** Alerts listed one by one; past this, the rest are counted by rule. */
const LISTED_ALERTS = 10;

/**
 * The summary lines for `byPolicy`, `oversight` and `alerts` (none when the run has none), each
 * starting with a 13-character label like the other summary lines.
 *
 * @example
 * ```ts
 * for (const line of enterpriseLines(result)) console.log(line);
 * //   policy       critical: 3 attempted · 2 decided · 1 no consensus
 * //   oversight    3 held · 2 approved · 1 rejected (1 at its timeout)
 * //   alert        at 1,200 ms slow-consensus: decision d1 took 1,200 ms (slow-consensus threshold 1,000 ms)
 * ```
 */
export function enterpriseLines(r: EnterpriseFigures, c: TextColours = PLAIN): string[] {
  const out: string[] = [];
  for (const [name, n] of Object.entries(r.byPolicy ?? {})) {
    const parts = [`${n.attempted} attempted`, `${n.decided} decided`, `${n.noConsensus} no consensus`];
    if (n.timedOut) parts.push(c.red(`${n.timedOut} timed out`));
    if (n.escalated) parts.push(`${n.escalated} escalated`);
    out.push(`  policy       ${name}: ${parts.join(' · ')}`);
  }
  const o = r.oversight;
  if (o) {
    const settled = [`${o.approved} approved`, `${o.rejected} rejected`, ...(o.escalated ? [`${o.escalated} escalated`] : [])];
    out.push(`  oversight    ${o.requested} held · ${settled.join(' · ')}${o.timedOut ? c.yellow(` (${o.timedOut} at its timeout)`) : ''}`);
  }
  const alerts = r.alerts ?? [];
  for (const a of alerts.slice(0, LISTED_ALERTS))
    out.push(`  ${c.red('alert')}        ${c.dim(`at ${a.at.toLocaleString('en-US')} ms`)} ${a.rule}: ${a.message}`);
  if (alerts.length > LISTED_ALERTS) {
    const rest = new Map<string, number>();
    for (const a of alerts.slice(LISTED_ALERTS)) rest.set(a.rule, (rest.get(a.rule) ?? 0) + 1);
    out.push(
      `  ${c.red('alert')}        and ${alerts.length - LISTED_ALERTS} more: ${[...rest].map(([rule, n]) => `${n} ${rule}`).join(', ')} (all in --json's alerts)`,
    );
  }
  return out;
}
