import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { accountingImbalance, createSystem, ThreadSystem, type TraceEvent, type TraceLevel } from '../src/index.ts';
import { layFaults } from '../src/adversary/lay-faults.ts';
import { parseFaultPlan } from '../src/scenario/fault-plan.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../src/protocols/raft/refs.ts';

const fixture = (file: string, name: string) => ({ module: fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url)), export: name });
const PROBE = fixture('fault-probe.ts', 'faultProbe');
const DURABLE = fixture('durable-counter.ts', 'durableCounter');

interface ProbeState {
  got: { n: number; from: string; at: number }[];
  fired: number[];
}

type FaultEvent = Extract<TraceEvent, { type: 'fault' }>;
type DropEvent = Extract<TraceEvent, { type: 'drop' }>;

const epochNow = () => performance.timeOrigin + performance.now();

describe('threads mode: fault control', () => {
  let sys: ThreadSystem | undefined;
  let events: TraceEvent[] = [];

  async function start(traceLevel: TraceLevel = 'events'): Promise<ThreadSystem> {
    sys = (await createSystem({ mode: 'threads', workers: 2, traceLevel })) as ThreadSystem;
    events = [];
    sys.trace$.subscribe((e) => events.push(e));
    return sys;
  }

  /** Spawns fault probes: p0 on worker 0, p1 on worker 1, p2 on worker 0. */
  async function probes(s: ThreadSystem, n = 2): Promise<void> {
    for (let i = 0; i < n; i++) await s.spawn(`p${i}`, PROBE, { worker: i % 2 });
  }

  const state = async (s: ThreadSystem, id: string) => (await s.ask(id, { kind: 'get' }, { timeoutMs: 5_000 })).body as ProbeState;
  const faultsOf = (fault: string) => events.filter((e): e is FaultEvent => e.type === 'fault' && e.fault === fault);
  const drops = (fault: string) => events.filter((e): e is DropEvent => e.type === 'drop' && e.fault === fault);

  /** Settles, shuts down, and checks the books. */
  async function balancedEnd(s: ThreadSystem): Promise<void> {
    await s.settle({ timeoutMs: 20_000 });
    const acc = await s.accounting();
    expect(acc.inFlight).toBe(0);
    expect(accountingImbalance(acc)).toBe(0);
    const result = await s.shutdown();
    expect(result.accountingImbalance).toBe(0);
    sys = undefined;
  }

  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('crash: envelopes to the crashed actor are dead-lettered; recover finds its durable store, recover with wipe loses it', async () => {
    const s = await start();
    await s.spawn('c', DURABLE, { worker: 1 });
    await probes(s, 1);
    for (let i = 0; i < 3; i++) s.send('c', { kind: 'inc' });
    expect(((await s.ask('c', { kind: 'get' }, { timeoutMs: 5_000 })).body as { n: number }).n).toBe(3);

    expect(s.faults.crash('c')).toBe(true);
    expect(s.faults.running('c')).toBe(false);
    expect(s.faults.crash('c')).toBe(false);
    await s.settle();
    s.send('p0', { kind: 'send', body: { to: 'c', n: 4 } });
    await s.settle();
    expect((await s.accounting()).deadLetteredBy['actor-stopped']).toBe(4);
    expect(events.some((e) => e.type === 'stop' && e.actor === 'c' && e.reason === 'crashed')).toBe(true);
    // No supervision restart: it stays down until recovered.
    expect(events.some((e) => e.type === 'restart' && e.actor === 'c')).toBe(false);

    s.faults.recover('c');
    expect(s.faults.running('c')).toBe(true);
    const back = (await s.ask('c', { kind: 'get' }, { timeoutMs: 5_000 })).body as { n: number; restored: number };
    expect(back).toEqual({ n: 3, restored: 3 });
    expect(s.workerOf('c')).toBe(1);

    expect(s.faults.crash('c')).toBe(true);
    s.faults.recover('c', { wipe: true });
    const wiped = (await s.ask('c', { kind: 'get' }, { timeoutMs: 5_000 })).body as { n: number; restored: number };
    expect(wiped).toEqual({ n: 0, restored: 0 });
    expect(faultsOf('crash').map((e) => e.detail)).toEqual(['c', 'c']);
    expect(faultsOf('recover').map((e) => e.detail)).toEqual(['c', 'c (durable state lost)']);
    await balancedEnd(s);
  });

  it('crash on a worker that then dies: recover lands on a live worker and says its durable store is gone', async () => {
    const s = await start();
    await s.spawn('c', DURABLE, { worker: 1 });
    s.send('c', { kind: 'inc' });
    await s.settle();
    s.faults.crash('c');
    await s.settle();
    await s.killWorker(1);
    expect(s.faults.running('c')).toBe(false);
    s.faults.recover('c');
    const back = (await s.ask('c', { kind: 'get' }, { timeoutMs: 5_000 })).body as { n: number };
    expect(back.n).toBe(0);
    expect(s.workerOf('c')).toBe(0);
    expect(faultsOf('recover')[0].detail).toMatch(/c on worker 0 \(durable state lost: it died with worker 1\)/);
    await balancedEnd(s);
  });

  it('crash laid while the actor is still being spawned: it stops once spawned, and stays down', async () => {
    const s = await start();
    const spawning = s.spawn('d', DURABLE, { worker: 1 });
    expect(s.faults.crash('d')).toBe(true);
    await spawning;
    await s.settle();
    expect(s.faults.running('d')).toBe(false);
    await expect(s.ask('d', { kind: 'get' }, { timeoutMs: 5_000 })).rejects.toThrow(/actor-stopped/);
    expect((await s.shutdown()).actors).toBe(0);
    sys = undefined;
  });

  it('partition: envelopes across sides are dropped under `partition`, within a side delivered; heal restores', async () => {
    const s = await start();
    await probes(s, 3);
    s.faults.partition([['p0'], ['p1', 'p2']]);
    await s.settle();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 5 } });
    s.send('p1', { kind: 'send', body: { to: 'p2', n: 3 } });
    await s.settle();
    let acc = await s.accounting();
    expect(acc.droppedBy.partition).toBe(5);
    expect(drops('partition')).toHaveLength(5);
    expect((await state(s, 'p2')).got).toHaveLength(3);
    expect((await state(s, 'p1')).got).toHaveLength(0);

    s.faults.heal();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 5 } });
    await s.settle();
    expect((await state(s, 'p1')).got).toHaveLength(5);
    acc = await s.accounting();
    expect(acc.droppedBy.partition).toBe(5);
    expect(faultsOf('partition')[0].detail).toBe('p0 | p1,p2');
    expect(faultsOf('heal')).toHaveLength(1);
    await balancedEnd(s);
  });

  it('block: a one-way cut drops one direction only', async () => {
    const s = await start();
    await probes(s);
    s.faults.block([['p0', 'p1']], 'one-way: p0 cannot reach p1');
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 4 } });
    s.send('p1', { kind: 'send', body: { to: 'p0', n: 4 } });
    await s.settle();
    expect((await s.accounting()).droppedBy.partition).toBe(4);
    expect((await state(s, 'p0')).got).toHaveLength(4);
    expect((await state(s, 'p1')).got).toHaveLength(0);
    await balancedEnd(s);
  });

  it('isolate: everything the isolated actor sends is dropped under `isolated`; it still hears others', async () => {
    const s = await start();
    await probes(s);
    s.faults.isolate('p0', 'test');
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 3 } });
    s.send('p1', { kind: 'send', body: { to: 'p0', n: 2 } });
    await s.settle();
    expect((await s.accounting()).droppedBy.isolated).toBe(3);
    expect((await state(s, 'p0')).got).toHaveLength(2);
    expect(faultsOf('isolated')[0].detail).toBe('p0: test');
    await balancedEnd(s);
  });

  it('network drop rate 1: every envelope on the selected links is dropped under `drop`', async () => {
    const s = await start();
    await probes(s);
    s.faults.setNetwork('lossy', { from: new Set(['p0']), dropRate: 1 });
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 10 } });
    s.send('p1', { kind: 'send', body: { to: 'p0', n: 2 } });
    await s.settle();
    expect((await s.accounting()).droppedBy.drop).toBe(10);
    expect((await state(s, 'p0')).got).toHaveLength(2);
    s.faults.setNetwork('lossy', undefined);
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 1 } });
    await s.settle();
    expect((await state(s, 'p1')).got).toHaveLength(1);
    expect(faultsOf('network-end')).toHaveLength(1);
    await balancedEnd(s);
  });

  it('network duplicate rate 1: every envelope is delivered twice and the copies are counted as sent', async () => {
    const s = await start();
    await probes(s);
    s.faults.setNetwork('echoing', { to: new Set(['p1']), duplicateRate: 1 });
    await s.settle();
    const before = await s.accounting();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 4 } });
    await s.settle();
    const after = await s.accounting();
    const got = (await state(s, 'p1')).got.map((g) => g.n).sort();
    expect(got).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // One control send to p0, four envelopes, four copies.
    expect(after.sent - before.sent).toBe(1 + 4 + 4);
    expect(events.filter((e) => e.type === 'duplicate')).toHaveLength(4);
    await balancedEnd(s);
  });

  it('network latency: an envelope is held at its sender for the latency, counted in flight meanwhile', async () => {
    const s = await start();
    await probes(s);
    s.faults.setNetwork('slow', { from: new Set(['p0']), latency: { kind: 'fixed', ms: 150 } });
    await s.settle();
    const t0 = epochNow();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 3 } });
    // The envelopes are in flight while held: settle waits for them.
    await s.settle();
    const got = (await state(s, 'p1')).got;
    expect(got.map((g) => g.n)).toEqual([0, 1, 2]);
    for (const g of got) expect(g.at - t0).toBeGreaterThanOrEqual(150);
    await balancedEnd(s);
  });

  it('network reorder: every envelope still arrives once', async () => {
    const s = await start();
    await probes(s);
    s.faults.setNetwork('shuffle', { from: new Set(['p0']), reorder: true, latency: { kind: 'uniform', minMs: 0, maxMs: 30 } });
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 50 } });
    await s.settle();
    const got = (await state(s, 'p1')).got.map((g) => g.n);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await balancedEnd(s);
  });

  it('pause: envelopes and timers for the paused actor wait, and are all delivered after it resumes', async () => {
    const s = await start();
    await probes(s);
    s.send('p1', { kind: 'arm', body: { ms: 50 } });
    await state(s, 'p1');
    const resumed = firstValueFrom(s.trace$.pipe(filter((e) => e.type === 'fault' && e.fault === 'resume')));
    const t0 = epochNow();
    s.faults.pause('p1', 300);
    // Settles at once (nothing is held yet) once every worker has the pause in force.
    await s.settle();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 5 } });
    await resumed;
    await s.settle();
    const p1 = await state(s, 'p1');
    expect(p1.got.map((g) => g.n)).toEqual([0, 1, 2, 3, 4]);
    // Nothing reached it, and its timer did not fire, before the pause was over.
    for (const g of p1.got) expect(g.at - t0).toBeGreaterThanOrEqual(300 - 2);
    expect(p1.fired).toHaveLength(1);
    expect(p1.fired[0] - t0).toBeGreaterThanOrEqual(300 - 2);
    expect(faultsOf('pause')[0].detail).toBe('p1 for 300 ms');
    await balancedEnd(s);
  });

  it('clock skew: rate 10 makes a 500 ms timer fire before a 200 ms one on a true clock', async () => {
    const s = await start('full');
    await s.spawn('fast', PROBE, { worker: 0 });
    await s.spawn('true', PROBE, { worker: 0 });
    s.faults.skewClock('fast', 10);
    await s.settle();
    const alarms = firstValueFrom(
      s.trace$.pipe(
        filter((e) => e.type === 'deliver' && e.kind === 'alarm'),
        take(2),
        toArray(),
      ),
    );
    s.send('fast', { kind: 'arm', body: { ms: 500 } });
    s.send('true', { kind: 'arm', body: { ms: 200 } });
    const order = (await alarms).map((e) => (e as Extract<TraceEvent, { type: 'deliver' }>).to);
    expect(order).toEqual(['fast', 'true']);
    s.faults.skewClock('fast', undefined);
    expect(faultsOf('clock-skew')[0].detail).toBe('fast x10');
    expect(faultsOf('clock-skew-end')[0].detail).toBe('fast');
    await balancedEnd(s);
  });

  it('a worker that dies while holding delayed envelopes dead-letters them host-crashed', async () => {
    const s = await start();
    await s.spawn('p0', PROBE, { worker: 1 });
    await s.spawn('p1', PROBE, { worker: 0 });
    s.faults.setNetwork('glacial', { from: new Set(['p0']), latency: { kind: 'fixed', ms: 60_000 } });
    await s.settle();
    s.send('p0', { kind: 'send', body: { to: 'p1', n: 5 } });
    // The ask is answered after p0 handled `send`: its five envelopes are held on worker 1 by then.
    await state(s, 'p0');
    expect((await s.accounting()).inFlight).toBe(5);
    const crash = await s.killWorker(1);
    expect(crash.lostInFlight).toBe(5);
    await s.settle();
    const acc = await s.accounting();
    expect(acc.deadLetteredBy['host-crashed']).toBe(5);
    expect((await state(s, 'p1')).got).toHaveLength(0);
    await balancedEnd(s);
  });

  it('at(): actions run on the wall clock, can be cancelled, and one that throws is recorded, not fatal', async () => {
    const s = await start();
    const ran: string[] = [];
    const done = firstValueFrom(s.trace$.pipe(filter((e) => e.type === 'fault' && e.fault === 'done')));
    const cancel = s.faults.at(10, () => ran.push('cancelled'));
    s.faults.at(20, () => {
      throw new Error('boom');
    });
    s.faults.at(40, () => s.faults.note('done', `at ${Math.round(s.faults.now())} ms`));
    cancel();
    await done;
    expect(ran).toEqual([]);
    expect(faultsOf('fault-error')[0].detail).toMatch(/boom/);
    expect(s.faults.now()).toBeGreaterThanOrEqual(40);
    await balancedEnd(s);
  });

  it('layFaults lays crash, partition and network faults on a threads-mode Raft cluster; the books balance', async () => {
    const s = await start();
    const peers = ['n1', 'n2', 'n3', 'n4', 'n5'];
    for (const id of peers) await s.spawn(id, RAFT_NODE, { props: { peers } });
    await s.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands: 30 } });
    const plan = parseFaultPlan({
      crash: [{ target: 'n2', at: '100ms', duration: '300ms' }],
      partition: [{ at: '150ms', duration: '300ms', split_ratio: 0.4 }],
      network: [{ at: '50ms', duration: '500ms', delay: '5ms', drop_rate: 0.05, duplicate_rate: 0.05 }],
    });
    const healed = firstValueFrom(s.trace$.pipe(filter((e) => e.type === 'fault' && e.fault === 'heal')));
    const networkEnded = firstValueFrom(s.trace$.pipe(filter((e) => e.type === 'fault' && e.fault === 'network-end')));
    const recovered = firstValueFrom(s.trace$.pipe(filter((e) => e.type === 'fault' && e.fault === 'recover')));
    layFaults(
      s.faults,
      {
        members: peers,
        outsiders: ['client'],
        roles: new Map(peers.map((p) => [p, 'node'])),
        leaderName: 'leader',
        leader: () => null,
        neighbours: () => [],
        seed: 7,
      },
      plan,
    );
    s.send('client', { kind: 'start' });
    await Promise.all([healed, networkEnded, recovered]);
    expect(faultsOf('crash').map((e) => e.detail)).toEqual(['n2']);
    expect(faultsOf('partition')).toHaveLength(1);
    expect(faultsOf('network')).toHaveLength(1);
    expect(s.faults.running('n2')).toBe(true);
    const result = await s.shutdown();
    sys = undefined;
    expect(result.accountingImbalance).toBe(0);
    expect(result.messages.sent).toBeGreaterThan(0);
  });
});
