import { selectTopology, type Level } from '../topologies/index.ts';
import { HIVE_TOPOLOGIES, type HiveTopology } from './coordination.ts';
import type { QueenState } from './queen-state.ts';
import type { ObjectiveFeatures } from './types.ts';

function level(x: number): Level {
  return x >= 0.65 ? 'high' : x <= 0.35 ? 'low' : 'medium';
}

/**
 * The topology the seed's rules (the scheduler's selector) call for with these features, or
 * undefined when no rule matches: complex and novel → mesh, complex and delegated →
 * hierarchical, simple and centralised → star, sequential → ring.
 *
 * @example
 * ```ts
 * topologyFor({ complexity: 0.9, novelty: 0.9, criticality: 0.2, sequentiality: 0 }); // { topology: 'mesh', reason: ... }
 * ```
 */
export function topologyFor(f: ObjectiveFeatures): { topology: HiveTopology; reason: string } | undefined {
  const complexity = level(f.complexity);
  const choice = selectTopology({
    complexity,
    novelty: level(f.novelty),
    delegated: complexity === 'high',
    sequential: f.sequentiality >= 0.6,
    centralised: complexity === 'low',
  });
  const kind = typeof choice.topology === 'string' ? choice.topology : choice.topology.type;
  return choice.rule >= 0 && (HIVE_TOPOLOGIES as readonly string[]).includes(kind) ? { topology: kind as HiveTopology, reason: choice.reason } : undefined;
}

/** Attempts an adaptive queen sees before it judges the failure rate. */
const MIN_ATTEMPTS = 6;

/**
 * An adaptive queen's re-plan after each outcome, from what it measured: a failure rate above
 * 0.3 switches assignment to strategic (the most skilled workers) and a star to a hierarchy
 * (leads review); a queue of ready subtasks longer than half the workers while failures stay
 * under 0.15 switches to tactical (whoever is free). Returns what changed, for the trace.
 *
 * @example
 * ```ts
 * const changes = adapt(state, workers.length); // [{ what: 'assign tactical → strategic', reason: 'failure rate 0.40' }]
 * ```
 */
export function adapt(state: QueenState, workers: number): { what: string; reason: string; topology?: HiveTopology }[] {
  const f = state.figures;
  const rate = f.attempts >= MIN_ATTEMPTS ? (f.failures + f.timeouts) / f.attempts : 0;
  const changes: { what: string; reason: string; topology?: HiveTopology }[] = [];
  if (rate > 0.3 && state.assign === 'tactical') {
    state.assign = 'strategic';
    changes.push({ what: 'assign tactical → strategic', reason: `failure rate ${rate.toFixed(2)} > 0.30` });
  }
  if (rate > 0.3 && state.topology === 'star') {
    state.topology = 'hierarchical';
    changes.push({
      what: 'topology star → hierarchical',
      reason: `failure rate ${rate.toFixed(2)} > 0.30: leads review their teams`,
      topology: 'hierarchical',
    });
  }
  const queued = Object.values(state.tasks).filter((t) => t.status === 'ready').length;
  if (state.assign === 'strategic' && queued > workers / 2 && rate < 0.15) {
    state.assign = 'tactical';
    changes.push({ what: 'assign strategic → tactical', reason: `${queued} subtasks ready > half of ${workers} workers, failure rate ${rate.toFixed(2)}` });
  }
  return changes;
}
