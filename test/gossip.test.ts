import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { runCheckers } from '../src/check/registry.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import type { RunOptions } from '../src/swarm/run-options.ts';

/**
 * Gossip agreement (issue 14: a new protocol is one folder under src/protocols plus one driver
 * entry): leaderless, every node pushes the largest value it has seen to random peers over the
 * topology, and the client counts an instance decided when every node settled on one value.
 */

const scenario = (extra = '', consensus = '{ algorithm: gossip }') =>
  parseScenario(`
name: gossip-test
seed: 7
agents: [{ role: node, count: 7 }]
topology: ring
consensus: ${consensus}
task: { decisions: 12, in_flight: 3 }
${extra}
`);

async function run(s = scenario(), options: RunOptions = {}) {
  const events: TraceEvent[] = [];
  const result = await runScenario(s, { ...options, onEvent: (e) => events.push(e) });
  return { result, events };
}

const emitted = (events: TraceEvent[], type: string) =>
  events.flatMap((e) => (e.type === 'emit' && e.event.type === type ? [{ actor: e.actor, ...(e.event as { decision: string; value: number }) }] : []));

describe('gossip agreement (consensus.algorithm: gossip)', () => {
  it('sim, 7 nodes on a ring: every instance decided on the largest initial value, relayed by the topology', async () => {
    const { result: r, events } = await run();
    expect(r.algorithm).toBe('gossip');
    expect(r.topology).toBe('ring');
    expect(r.decisions).toMatchObject({ attempted: 12, decided: 12, timedOut: 0 });
    expect(r.safetyViolations).toEqual([]);
    expect(r.livenessViolations).toEqual([]);
    expect(r.accountingImbalance).toBe(0);
    expect(r.messages.relayed).toBeGreaterThan(0); // pushes to non-neighbours travel hop by hop
    // The checker has something to judge: 12 decisions, each the max of 7 initial values, every node settled on it.
    const decided = emitted(events, 'gossip-decided');
    expect(decided).toHaveLength(12);
    for (const d of decided) {
      const inits = emitted(events, 'gossip-init').filter((i) => i.decision === d.decision);
      expect(inits).toHaveLength(7);
      expect(d.value).toBe(Math.max(...inits.map((i) => i.value)));
      const settled = new Map(
        emitted(events, 'gossip-settled')
          .filter((s) => s.decision === d.decision)
          .map((s) => [s.actor, s.value]),
      );
      expect([...settled.values()]).toEqual(Array(7).fill(d.value));
    }
    expect(r.warnings).toBeUndefined();
  });

  it('crash and partition faults: still decided, nothing unsafe, books balanced', async () => {
    const { result: r, events } = await run(
      scenario(`faults:
  crash: [{ at: 30ms, duration: 200ms }, { at: 120ms, duration: 100ms }]
  partition: [{ at: 60ms, split_ratio: 0.4, duration: 400ms }]`),
    );
    expect(r.decisions.decided).toBe(r.decisions.attempted);
    expect(r.safetyViolations).toEqual([]);
    expect(r.accountingImbalance).toBe(0);
    expect(r.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'fault' && e.fault === 'crash')).toBe(true);
  });

  it('threads mode (2 workers) decides too', async () => {
    const { result: r } = await run(scenario(), { mode: 'threads', workers: 2 });
    expect(r.mode).toBe('threads');
    expect(r.decisions).toMatchObject({ attempted: 12, decided: 12 });
    expect(r.safetyViolations).toEqual([]);
    expect(r.accountingImbalance).toBe(0);
  });

  it('consensus.gossip sets the pace; an unknown key is refused by name', async () => {
    const { result: r } = await run(scenario('', '{ algorithm: gossip, gossip: { fanout: 3, round: 5ms, quiet_rounds: 3 } }'));
    expect(r.decisions.decided).toBe(12);
    await expect(runScenario(scenario('', '{ algorithm: gossip, gossip: { fanot: 3 } }'))).rejects.toThrow(ConfigError);
    await expect(runScenario(scenario('', '{ algorithm: gossip, gossip: { fanot: 3 } }'))).rejects.toThrow(
      /consensus\.gossip\.fanot.*fanout \(did you mean it\?\)/s,
    );
    await expect(runScenario(scenario('', '{ algorithm: gossip, gossip: { fanout: 0 } }'))).rejects.toThrow(/consensus\.gossip\.fanout/);
  });

  it('task.options and task.truth are named as not used', async () => {
    const s = parseScenario(`
name: g
agents: [{ role: node, count: 3 }]
consensus: { algorithm: gossip }
task: { question: q, options: [A, B], truth: A, decisions: 2 }
`);
    const r = await runScenario(s);
    expect(r.warnings?.join('\n')).toMatch(/task\.options.*\n.*task\.truth/);
  });

  it('a planted bug is caught: nodes that keep the minimum decide a value that breaks validity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-gossip-'));
    const node = fileURLToPath(new URL('../src/protocols/gossip/gossip-node.ts', import.meta.url));
    const module = join(dir, 'min-node.ts');
    writeFileSync(module, `import { gossipNodeWith } from ${JSON.stringify(node)};\nexport const minNode = gossipNodeWith(Math.min);\n`);
    const { result: r } = await run(scenario('', `{ algorithm: gossip, implementation: { module: ${JSON.stringify(module)}, export: minNode } }`));
    expect(r.decisions.decided).toBe(12); // they agree, on the wrong value
    expect(r.safetyViolations.length).toBe(12);
    expect(r.safetyViolations.every((v) => v.checker === 'gossip-safety' && v.property === 'validity')).toBe(true);
    expect(r.safetyViolations[0].detail).toMatch(/the largest value a node started with is \d+/);
  });

  it('a planted bug is caught: a node that settles on its own value without gossiping breaks agreement', async () => {
    const { events } = await run();
    expect(runCheckers('gossip', events).safety).toEqual([]);
    // node_003 wakes up after the decision and settles on what it started with, heard nothing.
    const [first] = emitted(events, 'gossip-decided');
    const own = emitted(events, 'gossip-init').find((i) => i.decision === first.decision && i.actor === 'node_003' && i.value !== first.value)!;
    expect(own).toBeDefined();
    const last = events.at(-1)!;
    const lie: TraceEvent = {
      type: 'emit',
      t: last.t + 1,
      actor: 'node_003',
      event: { type: 'gossip-settled', decision: first.decision, value: own.value },
    } as TraceEvent;
    const { safety } = runCheckers('gossip', [...events, lie]);
    expect(safety).toHaveLength(1);
    expect(safety[0]).toMatchObject({ checker: 'gossip-safety', property: 'agreement', decision: first.decision, at: events.length });
    expect(safety[0].detail).toMatch(new RegExp(`node_003 last settled on ${own.value}`));
  });
});
