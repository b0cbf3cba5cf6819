import type { SessionFigures } from './learning-figures.ts';
import type { LearningExperiment } from './learning-experiment.ts';

/** One acceptance figure of the learning benchmark, with what was measured. */
export interface LearningCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The acceptance bars (issue 19): 95 % of the oracle's success rate, at most 1.1x its time. */
export const SUCCESS_SHARE = 0.95;
export const TIME_RATIO = 1.1;

function row(rows: readonly SessionFigures[], session: number, strategy: SessionFigures['strategy']): SessionFigures {
  const r = rows.find((x) => x.session === session && x.strategy === strategy);
  if (!r) throw new RangeError(`no figures for ${strategy} in session ${session}`);
  return r;
}

/** Whether the bank meets both bars in a session, and the figures that say so. */
export function meetsOracle(rows: readonly SessionFigures[], session: number): { ok: boolean; share: number; timeRatio: number } {
  const b = row(rows, session, 'bank');
  const o = row(rows, session, 'oracle');
  const share = b.successRate / o.successRate;
  const timeRatio = b.timeMs / o.timeMs;
  return { ok: share >= SUCCESS_SHARE && timeRatio <= TIME_RATIO, share, timeRatio };
}

/**
 * The learning benchmark's acceptance: (1) in session `convergeBy` the bank reaches 95 % of the
 * oracle's success rate at no more than 1.1x its time; (2) its cumulative regret is below the
 * greedy bank's, in both variants; (3) after the change at `changeAt` it meets the same bars
 * again in one of the `recoverWithin` sessions from the change on.
 *
 * @example
 * ```ts
 * for (const c of learningVerdict(result, { convergeBy: 5, changeAt: 10, recoverWithin: 5 })) console.log(c.ok, c.name, c.detail);
 * ```
 */
export function learningVerdict(r: LearningExperiment, o: { convergeBy: number; changeAt: number; recoverWithin: number }): LearningCheck[] {
  const checks: LearningCheck[] = [];
  const m = meetsOracle(r.stationary, o.convergeBy);
  checks.push({
    name: `converged by session ${o.convergeBy}`,
    ok: m.ok,
    detail: `session ${o.convergeBy}: ${(100 * m.share).toFixed(1)} % of the oracle's success rate (bar ${SUCCESS_SHARE * 100} %), ${m.timeRatio.toFixed(3)}x its time (bar ${TIME_RATIO}x)`,
  });
  for (const variant of ['stationary', 'changing'] as const) {
    const last = Math.max(...r[variant].map((x) => x.session));
    const bank = row(r[variant], last, 'bank').cumulativeRegret;
    const greedy = row(r[variant], last, 'greedy').cumulativeRegret;
    checks.push({
      name: `beats greedy on cumulative regret (${variant})`,
      ok: bank < greedy,
      detail: `after ${last} sessions: bank ${bank.toFixed(1)}, greedy ${greedy.toFixed(1)} (utility lost against the oracle)`,
    });
  }
  const tried: string[] = [];
  let recoveredAt: number | undefined;
  for (let s = o.changeAt; s < o.changeAt + o.recoverWithin; s++) {
    if (!r.changing.some((x) => x.session === s)) break;
    const x = meetsOracle(r.changing, s);
    tried.push(`${s}: ${(100 * x.share).toFixed(1)} %, ${x.timeRatio.toFixed(2)}x`);
    if (x.ok) {
      recoveredAt = s;
      break;
    }
  }
  checks.push({
    name: `recovers within ${o.recoverWithin} sessions of the change at session ${o.changeAt}`,
    ok: recoveredAt !== undefined,
    detail: `${recoveredAt !== undefined ? `met the bars again in session ${recoveredAt}` : 'did not meet the bars again'} (${tried.join('; ')})`,
  });
  return checks;
}
