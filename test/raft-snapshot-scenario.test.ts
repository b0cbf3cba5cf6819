import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { entryText } from '../src/cli/show-command.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/** A 5-node Raft scenario in sim mode with `raft` as its consensus.raft section, a follower crashed and wiped mid-run. */
const yaml = (raft: string, decisions = 1000) => `name: snapshot-scenario
agents:
  - { role: node, count: 5 }
consensus:
  algorithm: raft
  raft: ${raft}
task:
  question: Apply the commands in one agreed order
  options: [commit, skip]
  decisions: ${decisions}
  in_flight: 8
faults:
  crash: [{ target: node_003, at: 300ms, duration: 600ms, wipe: true }]
`;

async function run(raft: string): Promise<{ events: TraceEvent[]; decided: number; violations: unknown[] }> {
  const events: TraceEvent[] = [];
  const r = await runScenario(parseScenario(yaml(raft)), { seed: 3, mode: 'sim', onEvent: (e: TraceEvent) => events.push(e) });
  return { events, decided: r.decisions.decided, violations: r.safetyViolations };
}

const snapshots = (events: readonly TraceEvent[], how: string): { actor: string; index: number }[] =>
  events.flatMap((e) =>
    e.type === 'emit' && e.event.type === 'raft-snapshot' && e.event.how === how ? [{ actor: e.actor, index: e.event.index as number }] : [],
  );

describe('consensus.raft.snapshot in a scenario', () => {
  it('{ every: 50 }: every node snapshots at multiples of 50, the wiped node is restored by InstallSnapshot, the run is safe', async () => {
    const r = await run('{ max_batch: 4, snapshot: { every: 50, chunk_chars: 100 } }');
    expect(r.decided).toBe(1000);
    expect(r.violations).toEqual([]);
    const taken = snapshots(r.events, 'taken');
    expect(taken.length).toBeGreaterThanOrEqual(5 * 6);
    for (const e of taken) expect(e.index % 50).toBe(0);
    expect(snapshots(r.events, 'installed').map((e) => e.actor)).toContain('node_003');
  });

  it('false (or every: 0) turns compaction off: no snapshot at all', async () => {
    for (const off of ['{ snapshot: false }', '{ snapshot: { every: 0 } }']) {
      const r = await run(off);
      expect(r.violations).toEqual([]);
      expect(snapshots(r.events, 'taken')).toEqual([]);
    }
  });

  it('the default (10,000) takes no snapshot in a 1,000-command run, and the trace is byte for byte the one of a run with compaction off', async () => {
    const a = await run('{ heartbeat: 50ms }');
    const b = await run('{ heartbeat: 50ms, snapshot: false }');
    expect(snapshots(a.events, 'taken')).toEqual([]);
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
  });

  it('bad values are refused by path, saying what to write', async () => {
    const cases: [string, RegExp][] = [
      ['{ snapshot: { every: -1 } }', /consensus\.raft\.snapshot\.every/],
      ['{ snapshot: { every: 1.5 } }', /consensus\.raft\.snapshot\.every/],
      ['{ snapshot: { chunk_chars: 0 } }', /consensus\.raft\.snapshot\.chunk_chars/],
      ['{ snapshot: { evry: 10 } }', /consensus\.raft\.snapshot\.evry/],
      ['{ snapshot: true }', /consensus\.raft\.snapshot/],
      ['{ snapshot: 100 }', /consensus\.raft\.snapshot/],
    ];
    for (const [raft, path] of cases) {
      const error = await run(raft).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, raft).toBeInstanceOf(Error);
      expect(`${(error as { path?: string }).path ?? ''} ${error!.message}`, raft).toMatch(path);
    }
  });
});

describe('conclave show reads the compaction and learner events', () => {
  it('timeline text for raft-snapshot, raft-snapshot-send and raft-learner (colour stripped)', () => {
    // eslint-disable-next-line no-control-regex
    const plain = (t: string) => t.replace(/\u001b\[[0-9;]*m/g, '');
    const text = (actor: string, detail: Record<string, unknown>) =>
      plain(entryText({ t: 1, kind: 'leader', actor, detail } as Parameters<typeof entryText>[0]));
    expect(text('node_003', { type: 'raft-snapshot', how: 'installed', index: 600, term: 2, chars: 812 })).toBe(
      'node_003 installed a snapshot up to index 600 (term 2, 812 chars)',
    );
    expect(text('node_001', { type: 'raft-snapshot-send', to: 'node_003', index: 600, chars: 812 })).toBe(
      'node_001 sends node_003 its snapshot up to index 600 (812 chars)',
    );
    expect(text('n1', { type: 'raft-learner', learner: 'n4', phase: 'promoted', rounds: 2 })).toBe('n1: n4 caught up, joins as a voter');
    expect(text('n1', { type: 'raft-learner', learner: 'n4', phase: 'aborted', reason: 'n4 did not catch up within 5 rounds' })).toBe(
      'n1: n4 was not added (n4 did not catch up within 5 rounds)',
    );
  });
});

describe('compaction in threads mode', () => {
  it('the same scenario on worker threads: snapshots on the grid with one digest per index, the wiped node restored, the run safe', async () => {
    const events: TraceEvent[] = [];
    // Wall-clock time: a workload that lasts 4 s whatever the machine's speed (3,000 commands alone
    // can finish on a quiet machine before the crash at 500 ms is due: then nothing is wiped or restored).
    const text = yaml('{ max_batch: 4, snapshot: { every: 50, chunk_chars: 100 } }')
      .replace('at: 300ms, duration: 600ms', 'at: 500ms, duration: 2000ms')
      .replace('decisions: 1000', 'duration: 4000ms');
    const r = await runScenario(parseScenario(text), { seed: 3, mode: 'threads', workers: 2, onEvent: (e: TraceEvent) => events.push(e) });
    expect(r.safetyViolations).toEqual([]);
    expect(r.decisions.attempted).toBeGreaterThan(0);
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    const taken = snapshots(events, 'taken');
    expect(taken.length).toBeGreaterThanOrEqual(5 * 10);
    const digests = new Map<number, Set<string>>();
    for (const e of events) {
      if (e.type !== 'emit' || e.event.type !== 'raft-snapshot') continue;
      const index = e.event.index as number;
      if (!digests.has(index)) digests.set(index, new Set());
      digests.get(index)!.add(e.event.digest as string);
    }
    for (const set of digests.values()) expect(set.size).toBe(1);
    expect(snapshots(events, 'installed').map((e) => e.actor)).toContain('node_003');
  });
});
