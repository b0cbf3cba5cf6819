import { bold, dim, green, wrapText, yellow } from '../text/format.ts';
import type { Recommendation } from './recommend.ts';

/**
 * A recommendation as terminal lines: the pick (labelled NOT MEASURED when no figure backs it),
 * the rule that chose it, the figures that justify it, every setting with how it was derived, a
 * scenario that runs it, the groups that did not qualify, and what to run next.
 *
 * @example
 * ```ts
 * for (const line of recommendationText(recommend('speed', taskTypeRule(undefined), sources))) console.log(line);
 * ```
 */
export function recommendationText(r: Recommendation): string[] {
  const measured = r.basis === 'measured';
  const lines = [
    bold(`conclave optimize --target ${r.target}${r.taskType.id ? ` --task-type ${r.taskType.id}` : ''}`),
    '',
    `${bold('Recommendation:')} ${bold(r.algorithm)}, n = ${r.agents}, ${r.inFlight} in flight  ${measured ? green(`(measured: ${r.from})`) : yellow("(NOT MEASURED: from the algorithms' properties only)")}`,
    ...para('', `rule: ${r.rule}`, 2).map(dim),
  ];
  for (const n of r.notes) lines.push(...(n.startsWith('NOT MEASURED') ? para('', n, 2).map(yellow) : para('', `note: ${n}`, 2).map(dim)));
  lines.push(
    '',
    bold(measured ? 'Why (figures quoted from the bench file)' : 'Why (properties, not measurements)'),
    ...r.evidence.flatMap((e) => para('  ', e, 4)),
  );
  lines.push('', bold('Settings'), ...r.parameters.flatMap((p) => [`  ${p.key}: ${p.value}`, ...para('      ', p.derivation, 6).map(dim)]));
  lines.push(
    '',
    bold('Scenario (save as a .yml file; `conclave run FILE` runs it)'),
    ...r.scenario
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  );
  if (r.excluded.length > 0) lines.push('', bold('Not eligible'), ...r.excluded.flatMap((e) => para('  ', `${e.key}: ${e.why}`, 4).map(dim)));
  if (r.next.length > 0) lines.push('', bold(measured ? 'To measure it better' : 'To back it with measurements'), ...r.next.map((c) => `  ${c}`));
  return lines;
}

/** Prose at `first` indentation, wrapped at 100 columns with continuation lines at `indent` (a rule ran to 548 columns). */
function para(first: string, text: string, indent: number): string[] {
  return wrapText(text, 100, indent).map((l, i) => (i === 0 ? `${first}${l}` : `${' '.repeat(indent)}${l}`));
}
