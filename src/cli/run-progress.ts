import type { TraceEvent } from '../actors/trace-event.ts';
import { estimateFootprint, type Footprint } from '../scenario/index.ts';
import type { Scenario } from '../scenario/index.ts';

/** The trace events that close a decision: a vote (voting), a client's acknowledged command (Raft), an accepted request (PBFT). */
const CLOSES_A_DECISION = new Set(['decided', 'client-ok', 'pbft-accepted']);

/**
 * Wall-clock ms between progress lines (the first comes this long after the start): rare enough
 * that an ordinary run on a busy machine prints none, often enough that a long one never looks hung.
 */
export const PROGRESS_EVERY_MS = 10_000;

/** Runs estimated to take longer than this (wall clock) are announced before they start. */
export const ANNOUNCE_ABOVE_SECONDS = 10;

/**
 * A line on stderr every `everyMs` ({@link PROGRESS_EVERY_MS} by default) of wall clock while a run is going: a large run (allowed, but
 * long) must not look like a hang. The clock is injected, so tests need no sleeps; it is read
 * once per trace event, which costs far less than the event itself.
 *
 * @example
 * ```ts
 * const progress = progressReporter({ planned: 1000, mode: 'sim', now: () => performance.now(), write: (l) => process.stderr.write(`${l}\n`) });
 * await runScenario(scenario, { onEvent: progress });
 * ```
 */
export function progressReporter(o: {
  planned: number | undefined;
  mode: 'sim' | 'threads';
  now: () => number;
  write: (line: string) => void;
  everyMs?: number;
  /** When the first line comes (default: `everyMs`); a terminal gets it after 2 s. */
  firstMs?: number;
  recorded?: () => number | undefined;
}): (e: TraceEvent) => void {
  const every = o.everyMs ?? PROGRESS_EVERY_MS;
  const started = o.now();
  let next = started + (o.firstMs ?? every);
  let closed = 0;
  let virtualMs = 0;
  return (e) => {
    if (e.type === 'emit' && CLOSES_A_DECISION.has(String((e.event as { type?: unknown }).type))) closed++;
    virtualMs = e.t;
    const now = o.now();
    if (now < next) return;
    next = now + every;
    const of = o.planned === undefined ? '' : ` of ${o.planned.toLocaleString('en-US')}`;
    // Trace times are virtual ms in sim mode (worth showing) and wall-clock stamps in threads mode.
    const simulated = o.mode === 'sim' ? `, ${virtualMs.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms simulated` : '';
    // With a store, what is already durable there: a kill now loses none of those.
    const stored = o.recorded?.();
    const recorded = stored === undefined ? '' : `, ${stored.toLocaleString('en-US')} recorded`;
    const seconds = (now - started) / 1000;
    o.write(
      `conclave: running for ${Math.round(seconds)} s: ${closed.toLocaleString('en-US')}${of} decisions closed${pace(closed, o.planned, seconds)}${recorded}${simulated}`,
    );
  };
}

/** ` (1,234/s, about 12 s left)`: the rate so far and, with a planned count, the time it implies. */
function pace(closed: number, planned: number | undefined, seconds: number): string {
  if (closed === 0 || seconds <= 0) return '';
  const rate = closed / seconds;
  const perSecond = rate >= 10 ? Math.round(rate).toLocaleString('en-US') : rate.toPrecision(2);
  if (planned === undefined || planned <= closed) return ` (${perSecond}/s)`;
  const left = (planned - closed) / rate;
  const eta = left < 120 ? `${Math.ceil(left)} s` : left < 7_200 ? `${Math.ceil(left / 60)} min` : `${(left / 3_600).toFixed(1)} h`;
  return ` (${perSecond}/s, about ${eta} left)`;
}

/**
 * The line announcing a long run, or `undefined` for a short one.
 *
 * @example
 * ```ts
 * const line = announcement(scenario); // 'conclave: 100,000 agents x 20 decisions, estimated at about 32 s on a 2-core machine; progress every 10 s'
 * ```
 */
export function announcement(scenario: Scenario, footprint: Footprint = estimateFootprint(scenario), everyMs = PROGRESS_EVERY_MS): string | undefined {
  if (footprint.seconds < ANNOUNCE_ABOVE_SECONDS) return undefined;
  const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  return `conclave: ${plural(footprint.agents, 'agent')} x ${plural(footprint.decisions, 'decision')}, estimated at about ${Math.round(footprint.seconds).toLocaleString('en-US')} s on a 2-core machine; progress every ${everyMs / 1000} s`;
}
