import { describe, expect, it } from 'vitest';
import { createSystem } from '../src/system/create-system.ts';
import { SimSystem } from '../src/scheduler/sim-system.ts';
import { PBFT_CLIENT, PBFT_REPLICA, type PbftClientSummary, type PbftReplicaState, PBFT_KINDS } from '../src/protocols/pbft/index.ts';
import { PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import { runPbft } from './fixtures/pbft-run.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

describe('PBFT normal case', () => {
  for (const n of [4, 7]) {
    it(`n = ${n}: every request commits at the same number everywhere, executes once, and the client accepts f + 1 matching results`, async () => {
      const run = await runPbft({ n, requests: 300, window: 16, props: { checkpointInterval: 8 } });
      expect(run.summary).toMatchObject({ accepted: 300, gaveUp: false, retries: 0, refusedReplies: 0 });
      expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
      // Every replica executed all 300 requests, in the same order with the same results.
      const byReplica = new Map<string, string[]>();
      for (const e of run.emitted('pbft-executed')) byReplica.set(e.actor, [...(byReplica.get(e.actor) ?? []), `${e.event.request}=${e.event.result}`]);
      expect(byReplica.size).toBe(n);
      const first = byReplica.get('r0')!;
      expect(first).toHaveLength(300);
      for (const list of byReplica.values()) expect(list).toEqual(first);
      // Requests were batched: fewer sequence numbers than requests.
      const seqs = new Set(run.emitted('pbft-committed').map((e) => e.event.seq));
      expect(seqs.size).toBeLessThan(300);
      // Checkpoints became stable and the log was collected below them.
      expect(run.emitted('pbft-checkpoint').length).toBeGreaterThan(0);
      const s = await run.sim.snapshot<PbftReplicaState>('r1');
      expect(s.low).toBeGreaterThan(0);
      expect([...s.slots.keys()].every((k) => k > s.low)).toBe(true);
      expect(run.emitted('pbft-rejected')).toEqual([]);
    });
  }

  it('one request in flight: every request its own sequence number, still committed everywhere', async () => {
    const run = await runPbft({ n: 4, requests: 40, window: 1 });
    expect(run.summary.accepted).toBe(40);
    expect(new Set(run.emitted('pbft-committed').map((e) => e.event.seq)).size).toBe(40);
    expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
  });

  it('without signatures (auth none) it agrees just the same, and nothing is signed', async () => {
    const run = await runPbft({ n: 4, requests: 100, props: { auth: 'none' } });
    expect(run.summary.accepted).toBe(100);
    expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
  });

  it('rejects impossible settings with the field that is wrong', async () => {
    const sim = await createSystem({ mode: 'sim', seed: 1 });
    await expect(sim.spawn('x', PBFT_REPLICA, { props: { replicas: ['x', 'y', 'z'], f: 1 } })).rejects.toThrow(/consensus\.pbft\.f.*0 to 0/);
    await sim.shutdown();
  });

  it('garbage from a stranger or a replica is refused and counted, never a crash', async () => {
    const sim = new SimSystem({ seed: 3, keepTrace: true });
    const replicas = ['r0', 'r1', 'r2', 'r3'];
    for (const id of replicas) await sim.spawn(id, PBFT_REPLICA, { props: { replicas } });
    const junk: unknown[] = [
      null,
      7,
      'x',
      {},
      { v: -1, n: 1 },
      { v: 0, n: 1, d: 'x', batch: 'no', sig: 's' },
      { client: 'c', ts: 0, op: 1 },
      { v: 1, n: 0, proof: null },
      { n: 'a' },
    ];
    for (const kind of Object.values(PBFT_KINDS)) for (const body of junk) sim.send('r1', { kind, body });
    await sim.settle();
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 20, window: 4 } });
    const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
    expect(summary.accepted).toBe(20); // still serving
    const rejected = sim.recorder.events.filter((e) => e.type === 'emit' && e.event.type === 'pbft-rejected');
    expect(rejected.length).toBeGreaterThan(20);
    expect(sim.recorder.events.some((e) => e.type === 'failure')).toBe(false);
    await sim.shutdown();
  });
});

describe('PBFT requests: vouched for by their client, first-hand or signed', () => {
  const slowTo = (to: string) => ({
    latency: { kind: 'uniform' as const, minMs: 1, maxMs: 2 },
    overrides: [{ from: 'client', to, latency: { kind: 'fixed' as const, ms: 30 } }],
  });

  it('unsigned: a backup whose copy of a request comes late holds the pre-prepare until it arrives', async () => {
    const run = await runPbft({ n: 4, requests: 20, window: 2, link: slowTo('r2') });
    expect(run.summary.accepted).toBe(20);
    expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
    // r2 took part: it executed every request.
    expect(run.emitted('pbft-executed').filter((e) => e.actor === 'r2')).toHaveLength(20);
  });

  it('signed (signRequests): the late backup accepts the request second-hand, on the client signature', async () => {
    const sim = new SimSystem({ seed: 2, link: slowTo('r2'), keepTrace: true });
    const replicas = ['r0', 'r1', 'r2', 'r3'];
    for (const id of replicas) await sim.spawn(id, PBFT_REPLICA, { props: { replicas } });
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 20, window: 2, signRequests: true } });
    const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
    expect(summary.accepted).toBe(20);
    // r2 prepared each request before its own copy could have arrived (30 ms after it was sent).
    const firstPrepareByR2 = sim.recorder.events.find((e) => e.type === 'emit' && e.actor === 'r2' && e.event.type === 'pbft-committed');
    expect(firstPrepareByR2!.t).toBeLessThan(30);
    await sim.shutdown();
  });

  it('a primary cannot slip in a request the client never sent, nor change the operation of one it did', async () => {
    const sim = new SimSystem({ seed: 4, keepTrace: true, traceLevel: 'full' });
    const replicas = ['r0', 'r1', 'r2', 'r3'];
    const fixture = new URL('./fixtures/pbft-forger.ts', import.meta.url).pathname;
    await sim.spawn('r0', { module: fixture, export: 'pbftForger' });
    for (const id of replicas.slice(1)) await sim.spawn(id, PBFT_REPLICA, { props: { replicas } });
    await sim.spawn('client', { module: fixture, export: 'pbftRequestSender' });
    // The client's real request reaches r1 first-hand.
    const real = { client: 'client', ts: 1, op: 'incr k1', sig: '' };
    sim.send('client', { kind: 'request', body: { to: 'r1', request: real } });
    await sim.settle();
    const forge = (n: number, batch: unknown[]) => sim.send('r0', { kind: 'forge', body: { to: 'r1', n, batch } });
    forge(1, [{ ...real, op: 'incr stolen' }]); // another operation for (client, 1), unsigned: held, never prepared
    await sim.settle();
    forge(2, [{ client: 'client', ts: 9, op: 'incr k9', sig: 'forged' }]); // never sent, bad signature: refused
    await sim.settle();
    const events = sim.recorder.events;
    const reasons = events.flatMap((e) => (e.type === 'emit' && e.actor === 'r1' && e.event.type === 'pbft-rejected' ? [String(e.event.reason)] : []));
    expect(reasons).toContain('request client#9#incr k9 is not signed by its client');
    // r1 prepared neither forged batch.
    expect(events.filter((e) => e.type === 'send' && e.from === 'r1' && e.kind === PBFT_KINDS.prepare)).toEqual([]);
    await sim.shutdown();
  });
});

describe('PBFT in threads mode, signed with Ed25519', () => {
  it('n = 4 on 2 workers: every request accepted, checkers green, the scheme reported', async () => {
    const sys = await createSystem({ mode: 'threads', workers: 2, seed: 1 });
    const monitor = new PbftSafetyMonitor();
    sys.trace$.subscribe((e) => monitor.observe(e));
    const replicas = ['r0', 'r1', 'r2', 'r3'];
    for (const id of replicas) await sys.spawn(id, PBFT_REPLICA, { props: { replicas } });
    await sys.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 200, window: 16 } });
    const summary = (await sys.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
    await sys.settle();
    const result = await sys.shutdown();
    expect(summary.accepted).toBe(200);
    expect(result.signatures).toBe('ed25519');
    expect(result.accountingImbalance).toBe(0);
    expect(monitor.finish({ expectLiveness: true })).toEqual([]);
  });
});

describe('PBFT scenarios: bad configuration is refused with the field and what would do', () => {
  const yaml = (pbft: string, faults = '') => `
name: bad
agents: [{ role: node, count: 4 }]
consensus: { algorithm: pbft, pbft: ${pbft} }
task: { question: q, options: [A, B], decisions: 10 }
${faults}`;
  for (const [pbft, faults, message] of [
    ['{ f: 2 }', '', /consensus\.pbft\.f.*0 to 1/],
    ['{ max_batch: 0 }', '', /consensus\.pbft\.max_batch.*an integer from 1 to 1,000,000/],
    ['{ signature: ed25519 }', '', /signatures \(did you mean it\?\)/],
    ['{ signatures: rsa }', '', /consensus\.pbft\.signatures/],
    ['{}', 'faults: { byzantine: { target: leader, types: [silent] } }', /faults\.byzantine\.target.*primary/],
    ['{}', 'faults: { byzantine: { count: 1, types: [lying] } }', /faults\.byzantine\.types\[0\].*split_brain/],
    ['{}', 'faults: { flood: 1 }', /faults\.flood/],
  ] as const) {
    it(`${pbft} ${faults}`, async () => {
      // Numbers and fault kinds are refused as the file loads, the rest when the run starts.
      await expect(Promise.resolve().then(() => runScenario(parseScenario(yaml(pbft, faults))))).rejects.toThrow(message);
    });
  }
});
