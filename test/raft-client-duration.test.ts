import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import type { RaftClientSummary } from '../src/protocols/raft/raft-client.ts';
import { RAFT_CLIENT } from '../src/protocols/raft/refs.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const clientEvents = (events: readonly TraceEvent[], type: string) =>
  events.flatMap((e) => (e.type === 'emit' && e.actor === 'client' && e.event.type === type ? [{ t: e.t, ev: e.event as Record<string, unknown> }] : []));

describe('Raft client: a duration workload (durationMs)', () => {
  it('keeps its window full for the whole duration, through a leader crash at 1 s, then stops issuing and ends with a summary', async () => {
    const c = await RaftCluster.start({ seed: 11, n: 5 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    const durationMs = 3_000;
    await c.startClient({ durationMs, window: 4 });
    const events = c.sim.recorder.events;
    const t0 = clientEvents(events, 'client-invoke')[0].t;
    const crashed = c.leader()!;
    c.sim.at(1_000, () => c.sim.faults.crash(crashed));
    expect(c.runUntil(() => c.summary !== undefined, 30_000)).toBe(true);
    const s = c.summary!;

    const invokes = clientEvents(events, 'client-invoke');
    const oks = clientEvents(events, 'client-ok');
    // The leader did crash, and a new one took over.
    expect(events.some((e) => e.type === 'fault' && e.fault === 'crash')).toBe(true);
    expect(c.leader()).not.toBe(crashed);
    // Commands flowed across the whole duration: invoked and acknowledged in every second of it.
    for (let sec = 0; sec < 3; sec++) {
      const from = s.firstAt + sec * 1_000;
      expect(
        invokes.some((i) => i.t >= from && i.t < from + 1_000),
        `invokes in second ${sec}`,
      ).toBe(true);
      expect(
        oks.some((i) => i.t >= from && i.t < from + 1_000),
        `acks in second ${sec}`,
      ).toBe(true);
    }
    // None issued once the duration passed; the client ended after draining.
    expect(invokes.every((i) => i.t < s.firstAt + durationMs)).toBe(true);
    expect(s.lastAt).toBeGreaterThanOrEqual(s.firstAt + durationMs - 1_000);
    expect(t0).toBeGreaterThanOrEqual(s.firstAt);
    // More acknowledged in all than invoked in the first second: the run was not one batch.
    const firstSecond = invokes.filter((i) => i.t < s.firstAt + 1_000).length;
    expect(s.acked).toBeGreaterThan(firstSecond);
    // The books add up: every command issued was acknowledged or given up.
    expect(s.issued).toBe(invokes.length);
    expect(s.acked).toBe(oks.length);
    expect(s.issued).toBe(s.acked + s.gaveUp);
    expect(c.monitor.finish()).toEqual([]);
  });

  it('with both commands and durationMs, whichever ends first ends the issuing', async () => {
    const c = await RaftCluster.start({ seed: 3, n: 3 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    await c.startClient({ commands: 5, durationMs: 10_000, window: 2 });
    expect(c.runUntil(() => c.summary !== undefined, 5_000)).toBe(true);
    expect(c.summary).toMatchObject({ issued: 5, acked: 5, gaveUp: 0, failed: 0 });
  });

  it('durationMs 0 issues nothing and answers at once; neither commands nor durationMs is refused', async () => {
    const c = await RaftCluster.start({ seed: 4, n: 3 });
    await c.sim.spawn('idle', RAFT_CLIENT, { props: { nodes: c.nodes, durationMs: 0 } });
    const s = (await c.sim.ask('idle', { kind: 'start' }, { timeoutMs: 1_000 })).body as RaftClientSummary;
    expect(s).toMatchObject({ issued: 0, acked: 0, gaveUp: 0 });
    await expect(c.sim.spawn('bad', RAFT_CLIENT, { props: { nodes: c.nodes } })).rejects.toThrow(/commands.*durationMs/);
    await expect(c.sim.spawn('bad2', RAFT_CLIENT, { props: { nodes: c.nodes, durationMs: -1 } })).rejects.toThrow(/durationMs/);
    await expect(c.sim.spawn('bad3', RAFT_CLIENT, { props: { nodes: c.nodes, commands: 1, retryBudget: 0 } })).rejects.toThrow(/retryBudget/);
  });
});
