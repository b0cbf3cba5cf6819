import type { Oracle } from './oracle.ts';
import { STRATEGIES, type ObjectiveLog, type Strategy } from './learning-session.ts';

/** One strategy's figures in one session, judged with the oracle's estimates (expected values). */
export interface SessionFigures {
  readonly session: number;
  readonly strategy: Strategy | 'oracle';
  /** Mean expected success rate of the arms chosen (the oracle's estimate per class and arm). */
  readonly successRate: number;
  /** Mean expected time per objective, ms. */
  readonly timeMs: number;
  /** Sum over the session's objectives of the best arm's utility minus the chosen arm's. */
  readonly regret: number;
  readonly cumulativeRegret: number;
  /** The share of objectives that actually succeeded (noisy: one draw each). */
  readonly observedSuccess: number;
}

/**
 * Per session and strategy (and the oracle: the best arm on every objective), the figures the
 * benchmark prints and the test asserts. `oracleFor(session)` is the oracle of the world that
 * session ran in (the non-stationary variant changes it).
 *
 * @example
 * ```ts
 * const rows = sessionFigures(logs, () => oracle);
 * ```
 */
export function sessionFigures(logs: readonly (readonly ObjectiveLog[])[], oracleFor: (session: number) => Oracle): SessionFigures[] {
  const rows: SessionFigures[] = [];
  const cumulative = new Map<string, number>();
  logs.forEach((log, i) => {
    const session = i + 1;
    const oracle = oracleFor(session);
    for (const strategy of [...STRATEGIES, 'oracle'] as const) {
      const mine = log.filter((o) => o.strategy === (strategy === 'oracle' ? 'fixed' : strategy));
      let s = 0,
        t = 0,
        regret = 0,
        observed = 0;
      for (const o of mine) {
        const cls = oracle.get(o.taskClass);
        if (!cls) throw new Error(`the oracle has no task class "${o.taskClass}"`);
        const est = strategy === 'oracle' ? cls.best : cls.arms.get(o.arm);
        if (!est) throw new Error(`the oracle has no arm ${o.arm} for "${o.taskClass}"`);
        s += est.successRate;
        t += est.durationMs;
        regret += cls.best.utility - est.utility;
        observed += strategy === 'oracle' ? est.successRate : o.success ? 1 : 0;
      }
      const n = Math.max(1, mine.length);
      const cum = (cumulative.get(strategy) ?? 0) + regret;
      cumulative.set(strategy, cum);
      rows.push({ session, strategy, successRate: s / n, timeMs: t / n, regret, cumulativeRegret: cum, observedSuccess: observed / n });
    }
  });
  return rows;
}
