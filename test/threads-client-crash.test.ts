import { describe, expect, it } from 'vitest';
import { runExitCode } from '../src/cli/run-command.ts';
import { EXIT_RUN_FAILED } from '../src/cli/exit-codes.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { ActorSystem } from '../src/scheduler/actor-system.ts';
import type { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';

/**
 * Threads mode: the worker hosting a PBFT or Raft client dies mid-run. The kill is triggered by
 * the k-th acknowledgement main receives, not by a sleep; a successor client takes the rest.
 */

const acksBy = (events: readonly TraceEvent[], type: string, client: string) =>
  events.filter((e) => e.type === 'emit' && e.event.type === type && e.actor === client).length;

/**
 * `workers` is one more than the members, so that round-robin placement leaves the client alone
 * on the last worker: the kill then takes only the client. (A Raft node sharing its worker would
 * restart without its durable state, which lives in the worker's memory: an amnesiac node, beyond
 * what Raft tolerates, and the checkers rightly report what it breaks.)
 */
async function runWithClientKilled(yaml: string, ackType: string, k: number, workers: number) {
  const events: TraceEvent[] = [];
  let system: ThreadSystem | undefined;
  let kill: Promise<unknown> | undefined;
  let worker: number | undefined;
  let acks = 0;
  const result = await runScenario(parseScenario(yaml), {
    mode: 'threads',
    workers,
    seed: 4,
    onSystem: (s: ActorSystem) => (system = s as ThreadSystem),
    onEvent: (e) => {
      events.push(e);
      if (e.type !== 'emit' || e.event.type !== ackType || ++acks !== k) return;
      worker = system!.workerOf('client');
      kill = system!.killWorker(worker!);
    },
  });
  await kill;
  return { result, events, worker };
}

describe("threads mode: the client's worker dies mid-run", () => {
  it('PBFT: a successor client finishes the run; the lost requests are aborted, the books balance, exit code 3', async () => {
    const { result, events, worker } = await runWithClientKilled(
      `
name: pbft-client-crash
agents: [{ role: replica, count: 4 }]
consensus: { algorithm: byzantine_tolerant, pbft: { signatures: token } }
task: { question: q, options: [A, B], decisions: 400, in_flight: 2 }
`,
      'pbft-accepted',
      10,
      5,
    );
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.hostCrashes[0].host).toBe(worker);
    expect(result.hostCrashes[0].stopped).toEqual(['client']);
    expect(result.hostCrashes[0].restarted).toEqual([]);
    expect(events.some((e) => e.type === 'host-crash')).toBe(true);
    // Accepted before the crash by the first client, after it by its successor.
    const before = acksBy(events, 'pbft-accepted', 'client');
    const after = acksBy(events, 'pbft-accepted', 'client-2');
    expect(before).toBeGreaterThanOrEqual(10);
    expect(after).toBeGreaterThan(0);
    const d = result.decisions;
    expect(d.decided).toBe(before + after);
    expect(d.attempted).toBe(400);
    expect(d.decided + d.timedOut + d.aborted).toBe(400);
    // The requests the first client had in flight died with it (window 2: at least one).
    expect(d.aborted).toBeGreaterThan(0);
    expect(d.aborted).toBeLessThanOrEqual(2);
    expect(result.status).toBe('failed');
    expect(runExitCode(result)).toBe(EXIT_RUN_FAILED);
    const m = result.messages;
    expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
    expect(result.accountingImbalance).toBe(0);
    expect(result.safetyViolations).toEqual([]);
  });

  it('Raft: a successor client finishes the run under its own client id; acknowledged commands are checked as before', async () => {
    const { result, events } = await runWithClientKilled(
      `
name: raft-client-crash
agents: [{ role: node, count: 3 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 400, in_flight: 2 }
`,
      'client-ok',
      10,
      4,
    );
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.hostCrashes[0].stopped).toEqual(['client']);
    expect(result.hostCrashes[0].restarted).toEqual([]);
    const before = acksBy(events, 'client-ok', 'client');
    const after = acksBy(events, 'client-ok', 'client-2');
    expect(before).toBeGreaterThanOrEqual(10);
    expect(after).toBeGreaterThan(0);
    const d = result.decisions;
    expect(d.decided).toBe(before + after);
    expect(d.decided + d.timedOut + d.aborted).toBe(400);
    expect(d.aborted).toBeGreaterThan(0);
    expect(runExitCode(result)).toBe(EXIT_RUN_FAILED);
    expect(result.accountingImbalance).toBe(0);
    expect(result.safetyViolations).toEqual([]);
  });
});
