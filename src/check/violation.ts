/**
 * What a checker's finding is about: `safety` (something bad happened: must be 0 while faults
 * stay within the protocol's bound) or `liveness` (something good did not happen in time).
 *
 * @example
 * ```ts
 * const kind: CheckKind = 'liveness';
 * ```
 */
export type CheckKind = 'safety' | 'liveness';

/**
 * The protocol families the checkers know, one per driver: votes collected by a coordinator,
 * Raft, PBFT, gossip agreement, and the hive (a queen's objectives and critical decisions).
 *
 * @example
 * ```ts
 * const protocol: CheckedProtocol = 'raft';
 * ```
 */
export type CheckedProtocol = 'voting' | 'raft' | 'pbft' | 'gossip' | 'hive';

/**
 * One finding of a trace checker, in the same shape whichever checker found it. `at` is the
 * 0-based position, in the run's stream of trace events, of the event that proves it (what
 * `system.recorder.events[at]` is when the run keeps its trace); `positions` lists every event
 * involved, in trace order, `at` among them. A judgement on the run's final books (the
 * accounting identity) points at the last event of the trace.
 *
 * @example
 * ```ts
 * const v: Violation = { checker: 'raft-safety', kind: 'safety', property: 'election-safety', detail: 'term 3 has more than one leader: n1 and then n2 (t=912)', at: 57, positions: [31, 57] };
 * ```
 */
export interface Violation {
  /** The registry name of the checker that found it. */
  readonly checker: string;
  readonly kind: CheckKind;
  /** The property broken, as the checker names it (`agreement`, `election-safety`, ...). */
  readonly property: string;
  readonly detail: string;
  readonly at?: number;
  readonly positions?: readonly number[];
  /** Voting: the decision it is about. */
  readonly decision?: string;
}

/**
 * A finding on one line, for people: checker, property, where in the trace, what.
 *
 * @example
 * ```ts
 * violationText({ checker: 'pbft-safety', kind: 'safety', property: 'agreement', detail: 'seq 7: ...', at: 412, positions: [390, 412] });
 * // 'pbft-safety · agreement @ event 412 (390, 412): seq 7: ...'
 * ```
 */
export function violationText(v: Violation): string {
  const others = v.positions !== undefined && (v.positions.length > 1 || v.positions[0] !== v.at) ? ` (${v.positions.join(', ')})` : '';
  const name = v.checker === v.property ? v.checker : `${v.checker} · ${v.property}`;
  return `${name}${v.at === undefined ? '' : ` @ event ${v.at}`}${others}: ${v.detail}`;
}
