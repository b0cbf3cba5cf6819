/**
 * How each protocol's trace opens and closes a decision: what the alert watcher and the
 * dashboard's feed both read decisions from (so they count the same decisions).
 */

/**
 * How each protocol's trace opens a decision: its event type, and the decision's key from the event.
 *
 * @example
 * ```ts
 * OPENS['client-invoke']('client', { client: 'c', seq: 3 }); // 'raft:c#3'
 * ```
 */
export const OPENS: Readonly<Record<string, (actor: string, ev: Record<string, unknown>) => string>> = {
  proposal: (a, ev) => `vote:${a}#${String(ev.decision)}`,
  'client-invoke': (_a, ev) => `raft:${String(ev.client)}#${String(ev.seq)}`,
  'pbft-request': (a, ev) => `pbft:${a}#${String(ev.ts)}`,
  'gossip-open': (_a, ev) => `gossip:${String(ev.decision)}`,
};
/**
 * How each protocol's trace closes a decision (voting's `decided` aside: it carries its own
 * latency): the key it closes and whether it reached consensus.
 *
 * @example
 * ```ts
 * CLOSES['pbft-accepted'].ok; // true
 * ```
 */
export const CLOSES: Readonly<Record<string, { key: (actor: string, ev: Record<string, unknown>) => string; ok: boolean }>> = {
  'client-ok': { key: OPENS['client-invoke'], ok: true },
  'client-fail': { key: OPENS['client-invoke'], ok: false },
  'client-info': { key: OPENS['client-invoke'], ok: false },
  'pbft-accepted': { key: OPENS['pbft-request'], ok: true },
  'gossip-decided': { key: OPENS['gossip-open'], ok: true },
  'gossip-gave-up': { key: OPENS['gossip-open'], ok: false },
};
