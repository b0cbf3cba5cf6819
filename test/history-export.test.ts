import { describe, expect, it } from 'vitest';
import { historyLines, historyOps, type HistoryOp } from '../src/check/history-export.ts';
import type { TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

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
  const result = await runScenario(parseScenario(yaml), { seed: 7, mode: 'sim', onEvent: (e) => events.push(e) });
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

    // Shape: exactly these keys, these types.
    for (const op of ops) {
      expect(Object.keys(op)).toEqual(['process', 'type', 'f', 'key', 'value', 'time']);
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
