/** A behaviour from the adversary library (`src/adversary/...#byzantine...`), as a `spawn` event names it. */
const ADVERSARY_BEHAVIOUR = /[/\\]adversary[/\\][^/\\]+#|#byzantine/;

/**
 * True when a `spawn` event's behaviour is an adversary's: how checkers learn who lies, both from
 * the start (a scenario's `faults.byzantine`) and from a member compromised mid-run.
 *
 * @example
 * ```ts
 * isAdversaryBehaviour('/app/dist/adversary/byzantine-replica.js#byzantineReplica'); // true
 * isAdversaryBehaviour('/app/dist/protocols/pbft/replica.js#pbftReplica'); // false
 * ```
 */
export function isAdversaryBehaviour(behaviour: string): boolean {
  return ADVERSARY_BEHAVIOUR.test(behaviour);
}
