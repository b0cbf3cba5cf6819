import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyLines, historyOps, type HistoryOp } from '../src/check/history-export.ts';
import { runCommand } from '../src/cli/run-command.ts';
import type { TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import { raftApplies } from './fixtures/raft-applies.ts';
import { RaftCluster } from './fixtures/raft-cluster.ts';

const COMMANDS = 120;

/** A small Raft cluster in sim mode, 4 commands in flight, its leader crashed mid-run. */
const yaml = `name: history-export
agents:
  - { role: node, count: 3 }
consensus:
  algorithm: raft
task:
  question: Apply the commands in one agreed order
  options: [commit, skip]
  decisions: ${COMMANDS}
  in_flight: 4
faults:
  crash: [{ target: leader, at: 400ms }]
`;

async function run(): Promise<{ events: TraceEvent[]; acked: number }> {
  const events: TraceEvent[] = [];
  const result = await runScenario(parseScenario(yaml), { seed: 7, mode: 'sim', onEvent: (e: TraceEvent) => events.push(e) });
  expect(result.safetyViolations).toEqual([]);
  // The leader did crash mid-run: the history spans a failover with client retries.
  expect(result.raft!.failovers).toHaveLength(1);
  expect(result.raft!.retries).toBeGreaterThan(0);
  return { events, acked: result.decisions.decided };
}

const emit = (t: number, actor: string, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor, event });

describe('history export (Jepsen-style JSON lines)', () => {
  it('turns a Raft run into invoke/ok pairs in trace order, each ok after an invoke of the same process and value', async () => {
    const { events, acked } = await run();
    expect(acked).toBe(COMMANDS);
    const lines = historyLines(events);
    expect(lines).toHaveLength(2 * COMMANDS);
    const ops = lines.map((l) => JSON.parse(l) as HistoryOp);

    // Shape: exactly these keys (and a write's ok its log index), these types.
    for (const op of ops) {
      expect(Object.keys(op)).toEqual(
        op.type === 'ok' ? ['process', 'type', 'f', 'key', 'value', 'time', 'index'] : ['process', 'type', 'f', 'key', 'value', 'time'],
      );
      if (op.type === 'ok') expect(Number.isInteger(op.index) && op.index! > 0).toBe(true);
      expect(op.process).toBe('client');
      expect(['invoke', 'ok']).toContain(op.type);
      expect(op.f).toBe('write');
      expect(op.key).toMatch(/^k\d+$/);
      expect(op.value).toMatch(/^client:\d+$/);
      expect(Number.isSafeInteger(op.time)).toBe(true);
    }

    // Ordering: trace order, so times never go back; the first op is an invoke.
    for (let i = 1; i < ops.length; i++) expect(ops[i].time).toBeGreaterThanOrEqual(ops[i - 1].time);
    expect(ops[0].type).toBe('invoke');

    // Every ok completes an earlier, still open invoke of the same process, key and value.
    const open = new Map<string, number>();
    for (const op of ops) {
      const id = `${op.process} ${op.key} ${String(op.value)}`;
      if (op.type === 'invoke') {
        expect(open.has(id)).toBe(false);
        open.set(id, op.time);
      } else {
        expect(open.has(id), `ok without a preceding invoke: ${JSON.stringify(op)}`).toBe(true);
        expect(op.time).toBeGreaterThanOrEqual(open.get(id)!);
        open.delete(id);
      }
    }
    expect(open.size).toBe(0);
    // No more than the window in flight at once.
    let inFlight = 0;
    for (const op of ops) {
      inFlight += op.type === 'invoke' ? 1 : -1;
      expect(inFlight).toBeLessThanOrEqual(4);
    }
    // Times are the trace's virtual ms in ns.
    const firstInvoke = events.find((e) => e.type === 'emit' && e.event.type === 'client-invoke')!;
    expect(ops[0].time).toBe(Math.round(firstInvoke.t * 1e6));
  });

  it('with lanes, every process runs one operation at a time', async () => {
    const { events } = await run();
    const ops = historyOps(events, { lanes: true });
    const busy = new Map<string, boolean>();
    for (const op of ops) {
      expect(op.process).toMatch(/^client#[0-3]$/);
      expect(busy.get(op.process) ?? false).toBe(op.type !== 'invoke');
      busy.set(op.process, op.type === 'invoke');
    }
    expect(new Set(ops.map((o) => o.process)).size).toBeGreaterThan(1);
  });

  it("makes client-info info, takes a write ok's index, and with lanes never reuses a lane whose operation ended info", () => {
    const events: TraceEvent[] = [
      emit(1, 'c', { type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }),
      emit(2, 'c', { type: 'client-invoke', client: 'c', seq: 2, f: 'write', key: 'k2', value: 'c:2' }),
      emit(3, 'c', { type: 'client-info', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1', attempts: 3, reason: 'retry budget spent' }),
      emit(4, 'c', { type: 'client-ok', client: 'c', seq: 2, f: 'write', key: 'k2', value: 'c:2', index: 7 }),
      emit(5, 'c', { type: 'client-invoke', client: 'c', seq: 3, f: 'read', key: 'k2' }),
      emit(6, 'c', { type: 'client-invoke', client: 'c', seq: 4, f: 'read', key: 'k1' }),
      emit(7, 'c', { type: 'client-ok', client: 'c', seq: 3, f: 'read', key: 'k2', value: 'c:2', readIndex: 7 }),
      emit(8, 'c', { type: 'client-fail', client: 'c', seq: 4, f: 'read', key: 'k1', attempts: 3 }),
    ];
    const ops = historyOps(events, { lanes: true });
    expect(ops.map((o) => [o.process, o.type, o.index])).toEqual([
      ['c#0', 'invoke', undefined],
      ['c#1', 'invoke', undefined],
      ['c#0', 'info', undefined],
      ['c#1', 'ok', 7],
      ['c#1', 'invoke', undefined], // lane 1 is free again; lane 0 is retired (its write may take effect yet)
      ['c#2', 'invoke', undefined],
      ['c#1', 'ok', undefined], // a read's ok carries no index
      ['c#2', 'fail', undefined],
    ]);
    expect(historyLines(events, { lanes: true })[3]).toBe('{"process":"c#1","type":"ok","f":"write","key":"k2","value":"c:2","time":4000000,"index":7}');
    // Without lanes, the process is the client, and an info ends the operation just the same.
    expect(historyOps(events).map((o) => o.type)).toEqual(['invoke', 'invoke', 'info', 'ok', 'invoke', 'invoke', 'ok', 'fail']);
  });

  it('makes an invoke never completed info at the end, and handles reads, fails and origin', () => {
    const events: TraceEvent[] = [
      { t: 100, type: 'spawn', actor: 'c', behaviour: 'raft-client', host: 0 },
      emit(101, 'c', { type: 'client-invoke', client: 'c', seq: 1, f: 'write', key: 'k1', value: 'c:1' }),
      emit(101.5, 'c', { type: 'client-invoke', client: 'c', seq: 2, f: 'read', key: 'k1' }),
      emit(102, 'c', { type: 'client-invoke', client: 'c', seq: 3, f: 'write', key: 'k2', value: 'c:3' }),
      emit(103, 'c', { type: 'client-ok', client: 'c', seq: 2, f: 'read', key: 'k1', value: 'c:1' }),
      emit(104, 'c', { type: 'client-fail', client: 'c', seq: 3, f: 'write', key: 'k2', value: 'c:3' }),
      emit(105, 'n1', { type: 'raft-leader', term: 2 }),
      { t: 110, type: 'stop', actor: 'c', reason: 'stopped' },
    ];
    expect(historyOps(events, { origin: 'first' })).toEqual([
      { process: 'c', type: 'invoke', f: 'write', key: 'k1', value: 'c:1', time: 1_000_000 },
      { process: 'c', type: 'invoke', f: 'read', key: 'k1', value: null, time: 1_500_000 },
      { process: 'c', type: 'invoke', f: 'write', key: 'k2', value: 'c:3', time: 2_000_000 },
      { process: 'c', type: 'ok', f: 'read', key: 'k1', value: 'c:1', time: 3_000_000 },
      { process: 'c', type: 'fail', f: 'write', key: 'k2', value: 'c:3', time: 4_000_000 },
      { process: 'c', type: 'info', f: 'write', key: 'k1', value: 'c:1', time: 10_000_000 },
    ]);
    expect(historyLines(events)[0]).toBe('{"process":"c","type":"invoke","f":"write","key":"k1","value":"c:1","time":101000000}');
  });

  it('refuses a completion without an invocation and a malformed client event', () => {
    expect(() => historyOps([emit(1, 'c', { type: 'client-ok', client: 'c', seq: 9, f: 'write', key: 'k', value: 'v' })])).toThrow(/no open invocation/);
    expect(() => historyOps([emit(1, 'c', { type: 'client-invoke', client: 'c', seq: 1, f: 'append', key: 'k' })])).toThrow(/read, write or cas/);
    expect(() => historyOps([emit(1, 'c', { type: 'client-invoke', seq: 1, f: 'write', key: 'k' })])).toThrow(/client/);
  });
});

/** Every process runs one operation at a time, and a process whose operation ended info runs no more. */
function expectSequential(ops: readonly HistoryOp[]): void {
  const open = new Set<string>();
  const crashed = new Set<string>();
  for (const op of ops) {
    expect(crashed.has(op.process), `${op.process} used after an info`).toBe(false);
    if (op.type === 'invoke') {
      expect(open.has(op.process), `${op.process} has two operations open`).toBe(false);
      open.add(op.process);
    } else {
      expect(open.has(op.process)).toBe(true);
      open.delete(op.process);
      if (op.type === 'info') crashed.add(op.process);
    }
  }
}

/** Ok writes name distinct log indexes, increasing along each process (a process's next write is invoked after its last was acknowledged). */
function expectIndexes(ops: readonly HistoryOp[]): number {
  const seen = new Set<number>();
  const last = new Map<string, number>();
  let n = 0;
  for (const op of ops) {
    if (op.type !== 'ok' || op.f !== 'write') continue;
    n++;
    expect(Number.isInteger(op.index) && op.index! > 0, JSON.stringify(op)).toBe(true);
    expect(seen.has(op.index!), `index ${op.index} acknowledged twice`).toBe(false);
    seen.add(op.index!);
    expect(op.index!).toBeGreaterThan(last.get(op.process) ?? 0);
    last.set(op.process, op.index!);
  }
  return n;
}

describe('history export of a run whose client gives operations up (sim)', () => {
  it('a partition cuts the client off with a minority: given-up writes are info, reads fail, every process stays sequential, ok writes carry distinct increasing indexes', async () => {
    const c = await RaftCluster.start({ seed: 9, n: 5 });
    expect(c.runUntil(() => c.leader() !== undefined, 3_000)).toBe(true);
    await c.startClient({ commands: 150, window: 4, reads: 0.2, retryBudget: 3, retryMs: 50 });
    const leader = c.leader()!;
    const others = c.nodes.filter((n) => n !== leader);
    // The client and the old leader with one follower (a minority) on one side, for 1 s.
    c.sim.at(150, () => c.sim.faults.partition([['client', leader, others[0]], others.slice(1)]));
    c.sim.at(1_150, () => c.sim.faults.heal());
    expect(c.runUntil(() => c.summary !== undefined, 60_000)).toBe(true);
    const s = c.summary!;
    expect(s.gaveUp).toBeGreaterThan(0);
    expect(s.acked).toBeGreaterThan(0);
    expect(s.issued).toBe(150);
    expect(s.acked + s.gaveUp).toBe(150);
    expect(c.monitor.finish()).toEqual([]);

    const ops = historyOps(c.sim.recorder.events, { lanes: true });
    const count = (type: string, f?: string) => ops.filter((o) => o.type === type && (f === undefined || o.f === f)).length;
    expect(count('invoke')).toBe(150);
    expect(count('info')).toBe(s.gaveUp - s.failed);
    expect(count('info', 'read')).toBe(0);
    expect(count('fail')).toBe(s.failed);
    expect(count('fail', 'write')).toBe(0);
    expect(count('ok')).toBe(s.acked);
    // Operations went on being acknowledged after the first one given up.
    const firstInfo = ops.findIndex((o) => o.type === 'info' || o.type === 'fail');
    expect(ops.slice(firstInfo).some((o) => o.type === 'ok')).toBe(true);
    expectSequential(ops);
    expect(expectIndexes(ops)).toBeGreaterThan(0);
    // Each ok write's index is where the cluster applied that very command.
    const applied = new Map<string, number>();
    for (const a of raftApplies(c.sim.recorder.events)) if (a.client === 'client') applied.set(String(a.seq), a.index);
    for (const e of c.sim.recorder.events)
      if (e.type === 'emit' && e.event.type === 'client-ok' && e.event.f === 'write') expect(e.event.index).toBe(applied.get(String(e.event.seq)));

    // A history cut off mid-partition: whatever is still open ends info, and the processes stay sequential.
    const cut = c.sim.recorder.events.filter((e) => e.t < 600);
    const partial = historyOps(cut, { lanes: true });
    expect(partial.filter((o) => o.type === 'info').length).toBeGreaterThan(0);
    expectSequential(partial);
    const invoked = partial.filter((o) => o.type === 'invoke').length;
    expect(partial.length).toBe(2 * invoked);
  });

  it('conclave run --history writes lanes on the trace clock (sim: virtual ms from 0) with indexes, also for a run that lost its leader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-history-'));
    const file = join(dir, 'raft.yml');
    writeFileSync(file, yaml);
    const out = join(dir, 'history.jsonl');
    const events: TraceEvent[] = [];
    await runScenario(parseScenario(yaml), { seed: 7, mode: 'sim', onEvent: (e: TraceEvent) => events.push(e) });
    await runCommand(file, { seed: 7, json: true, history: out, progress: { write: () => {} } }, () => {});
    const ops = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryOp);
    expect(ops).toHaveLength(2 * COMMANDS);
    for (const op of ops) expect(op.process).toMatch(/^client#\d+$/);
    expectSequential(ops);
    expect(expectIndexes(ops)).toBe(COMMANDS);
    // Time 0 is the trace's time 0, not the first invocation: the first invoke comes after an election.
    const firstInvoke = events.find((e) => e.type === 'emit' && e.event.type === 'client-invoke')!;
    expect(firstInvoke.t).toBeGreaterThan(0);
    expect(ops[0].time).toBe(Math.round(firstInvoke.t * 1e6));
  });
});
