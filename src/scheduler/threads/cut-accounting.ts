import { addInto, type MessageAccounting } from '../../actors/counters.ts';
import type { CounterCut } from './host-counters.ts';

/** One worker as the accounting sees it: its last cut, whether it crashed, and what it lost. */
export interface WorkerLedger {
  readonly cut: CounterCut;
  /** Died: its queue and its links were settled as `lost` at recovery. */
  readonly crashed: boolean;
  /** Envelopes dead-lettered `host-crashed` when it died. */
  readonly lost: number;
}

/**
 * Sums the workers' cuts into a run's accounting. In flight is measured, never derived: what
 * waits in live workers' mailboxes (or is held there by a fault: latency, a paused actor) plus, for every ordered pair of live workers, what one posted
 * and the other has not yet received. A crashed worker contributes its final counters and its
 * losses, and nothing in flight (recovery settled that).
 *
 * @example
 * ```ts
 * const acc = aggregateCuts(slots.map((s) => ({ cut: s.counters.read(), crashed: false, lost: 0 })));
 * acc.sent === acc.delivered + acc.dropped + acc.deadLettered + acc.inFlight;
 * ```
 */
export function aggregateCuts(workers: readonly WorkerLedger[]): MessageAccounting {
  const acc: MessageAccounting = { sent: 0, delivered: 0, dropped: 0, deadLettered: 0, inFlight: 0, relayed: 0, droppedBy: {}, deadLetteredBy: {} };
  workers.forEach((w, i) => {
    const c = w.cut;
    acc.sent += c.sent;
    acc.delivered += c.delivered;
    acc.dropped += c.dropped;
    acc.relayed += c.relayed;
    acc.deadLettered += c.deadLettered + w.lost;
    addInto(acc.deadLetteredBy, c.deadLetteredBy);
    if (c.droppedBy) addInto(acc.droppedBy, c.droppedBy);
    if (w.lost) addInto(acc.deadLetteredBy, { 'host-crashed': w.lost });
    if (w.crashed) return;
    acc.inFlight += c.queued;
    workers.forEach((peer, j) => {
      if (!peer.crashed && j !== i) acc.inFlight += c.posted[j] - peer.cut.received[i];
    });
  });
  let named = 0;
  for (const n of Object.values(acc.droppedBy)) named += n;
  if (acc.dropped > named) acc.droppedBy.unattributed = acc.dropped - named;
  return acc;
}

/**
 * What died with worker `dead`, from its last cut and its live peers' cuts (read after they took
 * in whatever it had posted): its queued envelopes, what peers posted to it that it never
 * counted as received, and what it counted as posted that never arrived.
 *
 * @example
 * ```ts
 * slot.lost = lostWithWorker(1, deadCut, live.map((s) => ({ index: s.index, cut: s.counters.read() })));
 * ```
 */
export function lostWithWorker(dead: number, deadCut: CounterCut, live: readonly { index: number; cut: CounterCut }[]): number {
  let lost = deadCut.queued;
  for (const { index, cut } of live) {
    lost += cut.posted[dead] - deadCut.received[index];
    lost += deadCut.posted[index] - cut.received[dead];
  }
  return lost;
}
