import type { MessageCounters } from '../../actors/counters.ts';
import type { DeadLetterReason } from '../../actors/envelope.ts';

/** Dead-letter reasons in the order they are laid out in shared memory. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'unknown-actor',
  'actor-stopped',
  'mailbox-full',
  'host-crashed',
  'not-serializable',
  'late-reply',
  'unsolicited',
];

/** Faults that drop envelopes, laid out in shared memory (drops under any other name count as `unattributed`). */
export const DROP_FAULTS: readonly string[] = ['partition', 'isolated', 'drop', 'link-drop'];

const SENT = 0,
  DELIVERED = 1,
  DROPPED = 2,
  DEAD = 3,
  QUEUED = 4,
  BUSY = 5,
  CONTROL_SENDS = 6,
  RELAYED = 7,
  REASONS = 8;
const DROPS = REASONS + DEAD_LETTER_REASONS.length;
const PEERS = DROPS + DROP_FAULTS.length;

/** One host's counters as last published: a consistent cut taken at the end of a turn. */
export interface CounterCut {
  sent: number;
  delivered: number;
  dropped: number;
  deadLettered: number;
  /**
   * Envelopes in this host's hands: in its mailboxes, plus those a fault holds here (delayed by
   * a network condition's latency, or waiting for a paused actor to resume).
   */
  queued: number;
  /** Relay hops through this host (see MessageAccounting.relayed). */
  relayed: number;
  /**
   * True when the cut was taken while the worker still had work in hand (mid-turn, or with
   * actors ready for another turn). Quiescence needs every worker idle at its last cut: a cut
   * taken in the middle of a message can balance while that message is about to send more.
   */
  busy: boolean;
  /** `send` calls from main this worker has taken in (their envelopes are in `sent`). */
  controlSends: number;
  deadLetteredBy: Record<string, number>;
  /** Drops by fault (`DROP_FAULTS`; the rest of `dropped` is unattributed). */
  droppedBy?: Record<string, number>;
  /** Envelopes this host handed to the transport for each peer host. */
  posted: number[];
  /** Envelopes this host received from each peer host. */
  received: number[];
}

/**
 * A worker's message counters in shared memory, published at the end of every turn into one of
 * two slots (a version counter says which slot is complete). The main thread reads a consistent
 * cut at any time, even after the worker died mid-write, with no message round trip: that is how
 * a crash is reconciled and how quiescence is detected without a message per turn.
 *
 * @example
 * ```ts
 * const shared = HostCounters.allocate(workers);
 * new HostCounters(shared, workers).publish(host.counters, posted, received, false, 0); // in the worker
 * new HostCounters(shared, workers).read(); // in main
 * ```
 */
export class HostCounters {
  private readonly version: Int32Array;
  private readonly slots: Float64Array;
  private readonly width: number;

  static allocate(workers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(8 + 2 * 8 * (PEERS + 2 * workers));
  }

  constructor(
    buffer: SharedArrayBuffer,
    private readonly workers: number,
  ) {
    this.width = PEERS + 2 * workers;
    this.version = new Int32Array(buffer, 0, 1);
    this.slots = new Float64Array(buffer, 8, 2 * this.width);
  }

  /**
   * Writes a cut into the free slot (worker side). The version counts half-steps: odd while a
   * slot is being written, even when `version / 2` cuts are complete; the latest complete cut is
   * in slot `(version / 2) % 2`, and the writer only ever writes the other one. `held`: envelopes
   * a fault holds on this host outside any mailbox, published as queued (they are in flight).
   */
  publish(c: MessageCounters, posted: ArrayLike<number>, received: ArrayLike<number>, busy: boolean, controlSends: number, held = 0): void {
    const v = Atomics.load(this.version, 0);
    Atomics.store(this.version, 0, v + 1);
    const o = ((v / 2 + 1) & 1) * this.width;
    const s = this.slots;
    s[o + SENT] = c.sent;
    s[o + DELIVERED] = c.delivered;
    s[o + DROPPED] = c.dropped;
    s[o + DEAD] = c.deadLettered;
    s[o + QUEUED] = c.queued + held;
    s[o + BUSY] = busy ? 1 : 0;
    s[o + CONTROL_SENDS] = controlSends;
    s[o + RELAYED] = c.relayed;
    for (let i = 0; i < DEAD_LETTER_REASONS.length; i++) s[o + REASONS + i] = c.deadLetteredBy[DEAD_LETTER_REASONS[i]] ?? 0;
    if (c.dropped > 0) for (let i = 0; i < DROP_FAULTS.length; i++) s[o + DROPS + i] = c.droppedBy[DROP_FAULTS[i]] ?? 0;
    for (let w = 0; w < this.workers; w++) {
      s[o + PEERS + w] = posted[w];
      s[o + PEERS + this.workers + w] = received[w];
    }
    Atomics.store(this.version, 0, v + 2);
  }

  /** Reads the last complete cut (main side); retries if the writer reached its slot meanwhile. */
  read(): CounterCut {
    for (;;) {
      const v = Atomics.load(this.version, 0);
      const complete = v >> 1;
      const o = (complete & 1) * this.width;
      const s = this.slots;
      const cut: CounterCut = {
        sent: s[o + SENT],
        delivered: s[o + DELIVERED],
        dropped: s[o + DROPPED],
        deadLettered: s[o + DEAD],
        queued: s[o + QUEUED],
        busy: s[o + BUSY] === 1,
        controlSends: s[o + CONTROL_SENDS],
        relayed: s[o + RELAYED],
        deadLetteredBy: {},
        droppedBy: {},
        posted: [],
        received: [],
      };
      DEAD_LETTER_REASONS.forEach((r, i) => {
        if (s[o + REASONS + i]) cut.deadLetteredBy[r] = s[o + REASONS + i];
      });
      DROP_FAULTS.forEach((f, i) => {
        if (s[o + DROPS + i]) cut.droppedBy![f] = s[o + DROPS + i];
      });
      for (let w = 0; w < this.workers; w++) {
        cut.posted.push(s[o + PEERS + w]);
        cut.received.push(s[o + PEERS + this.workers + w]);
      }
      // This slot is rewritten only once the writer starts cut complete + 2, at version
      // 2 * complete + 3: below that, what was read is whole.
      if (Atomics.load(this.version, 0) < 2 * complete + 3) return cut;
    }
  }
}
