import type { ActorId } from '../actors/envelope.ts';
import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * A gossip-agreement finding, before the registry names its checker.
 *
 * @example
 * ```ts
 * const f: GossipFinding = { property: 'validity', detail: 'client:3 decided 412, but node_004 started with 977', at: 90, positions: [12, 90], decision: 'client:3' };
 * ```
 */
export interface GossipFinding {
  readonly property: 'agreement' | 'validity';
  readonly detail: string;
  readonly at: number;
  readonly positions: readonly number[];
  readonly decision: string;
}

interface Seen {
  readonly value: number;
  readonly at: number;
}

/**
 * Gossip agreement's safety, read from the trace alone (its own reference, not the node's
 * code): for every instance the client decided (`gossip-decided {decision, value}`)
 * - agreement: it was decided once, with one value, and every node's LAST `gossip-settled`
 *   for it carries that value (a node cut off by a partition may settle early on less, but
 *   must have caught up by the end);
 * - validity: the value is the largest any node started with (`gossip-init {decision, value}`).
 * Instances never decided are termination's business, not this monitor's.
 *
 * @example
 * ```ts
 * const m = new GossipAgreementMonitor();
 * events.forEach((e, i) => m.observe(e, i));
 * m.finish(); // [] or [{ property: 'validity', detail: '...', at, positions, decision }]
 * ```
 */
export class GossipAgreementMonitor {
  private readonly inits = new Map<string, Map<ActorId, Seen>>();
  private readonly settled = new Map<string, Map<ActorId, Seen>>();
  private readonly decided = new Map<string, Seen>();
  private readonly found: GossipFinding[] = [];

  observe(e: TraceEvent, at: number): void {
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: unknown; decision?: unknown; value?: unknown };
    if (typeof ev.decision !== 'string' || typeof ev.value !== 'number') return;
    const d = ev.decision;
    const seen = { value: ev.value, at };
    if (ev.type === 'gossip-init') perNode(this.inits, d).set(e.actor, seen);
    else if (ev.type === 'gossip-settled') perNode(this.settled, d).set(e.actor, seen);
    else if (ev.type === 'gossip-decided') {
      const first = this.decided.get(d);
      if (first === undefined) this.decided.set(d, seen);
      else if (first.value !== seen.value)
        this.found.push({
          property: 'agreement',
          detail: `${d} decided twice: ${first.value}, then ${seen.value}`,
          at,
          positions: [first.at, at],
          decision: d,
        });
    }
  }

  finish(): GossipFinding[] {
    const out = [...this.found];
    for (const [d, dec] of this.decided) {
      for (const [node, s] of this.settled.get(d) ?? []) {
        if (s.value !== dec.value)
          out.push({
            property: 'agreement',
            detail: `${d} was decided ${dec.value}, but ${node} last settled on ${s.value}`,
            at: Math.max(s.at, dec.at),
            positions: [dec.at, s.at].sort((a, b) => a - b),
            decision: d,
          });
      }
      let best: [ActorId, Seen] | undefined;
      for (const entry of this.inits.get(d) ?? []) if (best === undefined || entry[1].value > best[1].value) best = entry;
      if (best === undefined)
        out.push({
          property: 'validity',
          detail: `${d} was decided ${dec.value}, but no node started it (no gossip-init)`,
          at: dec.at,
          positions: [dec.at],
          decision: d,
        });
      else if (best[1].value !== dec.value) {
        out.push({
          property: 'validity',
          detail: `${d} was decided ${dec.value}, but the largest value a node started with is ${best[1].value} (${best[0]})`,
          at: dec.at,
          positions: [best[1].at, dec.at].sort((a, b) => a - b),
          decision: d,
        });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }
}

function perNode(m: Map<string, Map<ActorId, Seen>>, d: string): Map<ActorId, Seen> {
  let inner = m.get(d);
  if (inner === undefined) m.set(d, (inner = new Map()));
  return inner;
}
