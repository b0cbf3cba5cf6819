import { describe, expect, it } from 'vitest';
import { runExitCode } from '../src/cli/run-command.ts';
import { EXIT_RUN_FAILED } from '../src/cli/exit-codes.ts';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../src/scenario/index.ts';
import type { ActorSystem } from '../src/scheduler/actor-system.ts';
import { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import type { ScenarioResult } from '../src/swarm/report.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';

/**
 * Threads mode: the worker hosting the voting coordinator dies mid-run. The kill is triggered
 * by the k-th `decided` event main receives (not by a sleep). It always lands mid-workload: a
 * worker runs at most 8,192 trace events (WorkerHost's TRACE_WINDOW, about 1,000 decisions of
 * 6 voters) ahead of what main has taken in, and the workloads here are longer than that.
 */

const emitted = (e: TraceEvent, type: string): boolean => e.type === 'emit' && e.event.type === type;

/** Books balance, and nothing is left in flight once the run settled. */
function expectBalancedBooks(r: ScenarioResult): void {
  const m = r.messages;
  expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
  expect(r.accountingImbalance).toBe(0);
  expect(m.inFlight).toBe(0);
}

/** Kills the worker hosting `actor` once `when` has held for `after` events; returns the kill's promise. */
function killer(actor: string, when: (e: TraceEvent) => boolean, after: number) {
  let system: ThreadSystem | undefined;
  let seen = 0;
  const state: { kill?: Promise<unknown>; worker?: number } = {};
  return {
    state,
    onSystem: (s: ActorSystem) => (system = s as ThreadSystem),
    onEvent: (e: TraceEvent) => {
      if (!when(e) || ++seen !== after) return;
      state.worker = system!.workerOf(actor);
      state.kill = system!.killWorker(state.worker!);
    },
  };
}

const voting = (decisions: number) =>
  parseScenario(`
name: coordinator-crash
agents: [{ role: analyst, count: 6, accuracy: 0.7 }]
topology: mesh
consensus: { algorithm: simple_majority, voting_timeout: 30s }
task: { question: q, options: [A, B, C], truth: A, decisions: ${decisions}, in_flight: 3 }
`);

describe("threads mode: the coordinator's worker dies mid-run", () => {
  it('ends with its result: the crash, what was decided before and after, the lost decisions, balanced books, and exit code 3', async () => {
    const events: TraceEvent[] = [];
    const k = killer('coordinator', (e) => emitted(e, 'decided'), 10);
    const result = await runScenario(voting(1500), {
      mode: 'threads',
      workers: 3,
      seed: 5,
      onSystem: k.onSystem,
      onEvent: (e) => (events.push(e), k.onEvent(e)),
    });
    await k.state.kill;

    // The crash is in the result and in the trace, and the coordinator was restarted elsewhere.
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.hostCrashes[0].host).toBe(k.state.worker);
    expect(result.hostCrashes[0].restarted).toContain('coordinator');
    const crashAt = events.findIndex((e) => e.type === 'host-crash');
    expect(crashAt).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'restart' && e.actor === 'coordinator' && e.host !== k.state.worker)).toBe(true);

    // Decisions before and after the crash, each decision id decided at most once.
    const decided = events.filter((e) => emitted(e, 'decided'));
    const before = events.slice(0, crashAt).filter((e) => emitted(e, 'decided')).length;
    expect(before).toBeGreaterThanOrEqual(10);
    expect(decided.length - before).toBeGreaterThan(0);
    const ids = decided.map((e) => (e.type === 'emit' ? e.event.decision : ''));
    expect(new Set(ids).size).toBe(ids.length);

    // The whole workload was attempted; every attempt is accounted for, the lost ones as aborted.
    const d = result.decisions;
    expect(d.attempted).toBe(1500);
    expect(d.decided + d.noConsensus + d.timedOut + d.aborted).toBe(1500);
    expect(d.decided + d.noConsensus + d.timedOut).toBe(decided.length);
    expect(d.aborted).toBeGreaterThan(0); // in_flight 3: decisions were open when it died
    expect(result.status).toBe('failed');
    expect(runExitCode(result)).toBe(EXIT_RUN_FAILED);

    expectBalancedBooks(result);
    expect(result.messages.deadLetteredBy['host-crashed'] ?? 0).toBeGreaterThanOrEqual(result.hostCrashes[0].lostInFlight);
    expect(result.safetyViolations).toEqual([]);
    // Voters answered a restarted coordinator: nobody was taken for a liar.
    expect(result.byzantineDetected).toEqual([]);
  });

  it('with no live worker left, still reports what was decided, as a failed run', async () => {
    const events: TraceEvent[] = [];
    const k = killer('coordinator', (e) => emitted(e, 'decided'), 5);
    const result = await runScenario(voting(1500), {
      mode: 'threads',
      workers: 1,
      seed: 6,
      onSystem: k.onSystem,
      onEvent: (e) => (events.push(e), k.onEvent(e)),
    });
    expect(result.status).toBe('failed');
    expect(result.failure?.kind).toBe('host-crash');
    expect(result.failure?.message).toMatch(/could not be restarted/);
    expect(result.failure?.message).not.toMatch(/retry/);
    expect(result.hostCrashes[0].stopped).toContain('coordinator');
    expect(result.decisions.decided + result.decisions.noConsensus + result.decisions.timedOut).toBe(events.filter((e) => emitted(e, 'decided')).length);
    expect(result.decisions.decided + result.decisions.noConsensus).toBeGreaterThanOrEqual(5);
    expect(runExitCode(result)).toBe(EXIT_RUN_FAILED);
    expectBalancedBooks(result);
  });
});

describe('threads mode: a worker hosting only voters dies mid-run', () => {
  it('asks again for the ballots lost with it, so no decision waits for its timeout, and nobody is taken for a liar', async () => {
    const events: TraceEvent[] = [];
    let system: ThreadSystem | undefined;
    let kill: Promise<unknown> | undefined;
    let seen = 0;
    const result = await runScenario(
      parseScenario(`
name: voter-crash
agents: [{ role: analyst, count: 8, accuracy: 0.6 }]
topology: ring
consensus: { algorithm: simple_majority, voting_timeout: 20s }
task: { question: q, options: [A, B, C], truth: A, decisions: 60, in_flight: 4 }
`),
      {
        mode: 'threads',
        workers: 3,
        seed: 9,
        onSystem: (s) => (system = s as ThreadSystem),
        onEvent: (e) => {
          events.push(e);
          if (!emitted(e, 'decided') || ++seen !== 8) return;
          // A worker the coordinator is not on: only voters die with it.
          const worker = [0, 1, 2].find((w) => w !== system!.workerOf('coordinator'))!;
          kill = system!.killWorker(worker);
        },
      },
    );
    await kill;
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.hostCrashes[0].restarted.length).toBeGreaterThan(0);
    expect(result.hostCrashes[0].restarted).not.toContain('coordinator');
    // Every decision closed with all its ballots in, none at the voting timeout.
    const closes = events.filter((e) => emitted(e, 'decided')).map((e) => (e.type === 'emit' ? e.event : {}));
    expect(closes).toHaveLength(60);
    expect(closes.filter((c) => c.cause === 'timeout')).toEqual([]);
    expect(result.decisions.timedOut).toBe(0);
    expect(result.decisions.aborted).toBe(0);
    // A worker died but no decision was lost: the run completed.
    expect(result.status).toBe('completed');
    expect(runExitCode(result)).toBe(0);
    expect(result.byzantineDetected).toEqual([]);
    expect(result.safetyViolations).toEqual([]);
    expectBalancedBooks(result);
  });
});

const fixture = fileURLToPath(new URL('./fixtures/crashing-coordinator.ts', import.meta.url));

describe("threads mode: resuming other workloads after the coordinator's worker died", () => {
  it('a workflow: a stage closed before the crash keeps its outcome, the stage open at it fails, what depends on it is blocked', async () => {
    const example = await loadScenarioFile(fileURLToPath(new URL('../examples/product-workflow.yml', import.meta.url)));
    // design's ballots go uncounted until the crash, so design is surely open when its worker dies.
    const scenario = { ...example, consensus: { ...example.consensus, implementation: { module: fixture, export: 'designStallingCoordinator' } } };
    const events: TraceEvent[] = [];
    const k = killer('coordinator', (e) => emitted(e, 'proposal') && e.type === 'emit' && e.event.stage === 'design', 1);
    const result = await runScenario(scenario, { mode: 'threads', workers: 2, onSystem: k.onSystem, onEvent: (e) => (events.push(e), k.onEvent(e)) });
    await k.state.kill;
    expect(result.hostCrashes).toHaveLength(1);
    expect(result.hostCrashes[0].restarted).toContain('coordinator');
    const research = events.find((e) => emitted(e, 'decided') && e.type === 'emit' && e.event.stage === 'research');
    expect(research?.type === 'emit' && research.event.consensus).toBe(true);
    expect(result.stages?.research.status).toBe('passed');
    expect(result.stages?.design).toMatchObject({ status: 'failed', reason: expect.stringMatching(/host crash/) });
    expect(result.stages?.['security-review'].status).toBe('blocked');
    expect(result.stages?.['implementation-plan'].status).toBe('blocked');
    expect(result.decisions).toMatchObject({ attempted: 2, decided: 1, aborted: 1 });
    expect(result.status).toBe('failed');
    expect(events.some((e) => emitted(e, 'stage') && e.type === 'emit' && e.event.stage === 'design' && e.event.status === 'failed')).toBe(true);
    expectBalancedBooks(result);
  });

  it("a duration workload: the restarted coordinator decides until the run's time is up", async () => {
    const events: TraceEvent[] = [];
    const result = await runScenario(
      parseScenario(`
name: duration-crash
agents: [{ role: analyst, count: 5, accuracy: 0.8 }]
consensus: { algorithm: simple_majority, voting_timeout: 30s, implementation: { module: ${JSON.stringify(fixture)}, export: crashingCoordinator } }
task: { question: q, options: [A, B], truth: A, duration: 1500ms, in_flight: 2 }
`),
      { mode: 'threads', workers: 2, onEvent: (e) => events.push(e) },
    );
    const crashAt = events.findIndex((e) => e.type === 'host-crash');
    expect(crashAt).toBeGreaterThan(0);
    const after = events.slice(crashAt).filter((e) => emitted(e, 'decided')).length;
    expect(after).toBeGreaterThan(0);
    const d = result.decisions;
    expect(d.decided + d.noConsensus + d.timedOut + d.aborted).toBe(d.attempted);
    expect(d.aborted).toBeGreaterThan(0);
    expectBalancedBooks(result);
  });

  it('two crashes in a row: each restarted coordinator resumes where the last one was lost', async () => {
    const events: TraceEvent[] = [];
    let system: ThreadSystem | undefined;
    const kills: Promise<unknown>[] = [];
    let since = 0;
    const result = await runScenario(voting(1500), {
      mode: 'threads',
      workers: 3,
      seed: 8,
      onSystem: (s) => (system = s as ThreadSystem),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'host-crash') since = 0;
        // The 10th decision after the start, then the 10th after the first crash.
        if (emitted(e, 'decided') && ++since === 10 && kills.length < 2) kills.push(system!.killWorker(system!.workerOf('coordinator')!));
      },
    });
    await Promise.all(kills);
    expect(result.hostCrashes).toHaveLength(2);
    expect(result.hostCrashes.every((c) => c.restarted.includes('coordinator'))).toBe(true);
    const ids = events.filter((e) => emitted(e, 'decided')).map((e) => (e.type === 'emit' ? e.event.decision : ''));
    expect(new Set(ids).size).toBe(ids.length);
    const d = result.decisions;
    expect(d.attempted).toBe(1500);
    expect(d.decided + d.noConsensus + d.timedOut + d.aborted).toBe(1500);
    expect(d.decided + d.noConsensus + d.timedOut).toBe(ids.length);
    expect(result.safetyViolations).toEqual([]);
    expectBalancedBooks(result);
  });
});
