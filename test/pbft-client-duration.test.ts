import { describe, expect, it } from 'vitest';
import { PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import { PBFT_CLIENT, PBFT_REPLICA, type PbftClientProps, type PbftClientSummary } from '../src/protocols/pbft/index.ts';
import { SimSystem } from '../src/scheduler/sim-system.ts';

async function cluster(seed: number) {
  const sim = new SimSystem({ seed, keepTrace: true });
  const replicas = ['r0', 'r1', 'r2', 'r3'];
  const monitor = new PbftSafetyMonitor();
  sim.trace$.subscribe((e) => monitor.observe(e));
  for (const id of replicas) await sim.spawn(id, PBFT_REPLICA, { props: { replicas } });
  const emitted = (type: string) =>
    sim.recorder.events.flatMap((e) => (e.type === 'emit' && e.event.type === type ? [{ t: e.t, ev: e.event as Record<string, unknown> }] : []));
  return { sim, replicas, monitor, emitted };
}

describe('PBFT client: a duration workload (durationMs)', () => {
  it('keeps issuing across the whole duration, through a primary crash at 1 s, then stops and ends once all are accepted', async () => {
    const { sim, monitor, emitted, replicas } = await cluster(21);
    const durationMs = 3_000;
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, durationMs, window: 8, deadlineMs: 60_000 } satisfies PbftClientProps });
    sim.at(1_000, () => sim.faults.crash('r0')); // the primary of view 0
    const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 120_000 })).body as PbftClientSummary;
    const requests = emitted('pbft-request');
    expect(emitted('pbft-view-change').length + emitted('pbft-new-view').length).toBeGreaterThan(0);
    for (let sec = 0; sec < 3; sec++) {
      const from = s.firstAt + sec * 1_000;
      expect(
        requests.some((r) => r.t >= from && r.t < from + 1_000),
        `requests in second ${sec}`,
      ).toBe(true);
    }
    expect(requests.every((r) => r.t < s.firstAt + durationMs)).toBe(true);
    const firstSecond = requests.filter((r) => r.t < s.firstAt + 1_000).length;
    expect(s.accepted).toBeGreaterThan(firstSecond);
    expect(s).toMatchObject({ issued: requests.length, accepted: requests.length, gaveUp: false });
    expect(monitor.finish({ expectLiveness: true })).toEqual([]);
  });

  it('deadlineMs stays the hard stop: beyond the fault bound it gives up with what it issued and what was accepted', async () => {
    const { sim, replicas } = await cluster(22);
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, durationMs: 2_000, window: 4, deadlineMs: 1_500 } satisfies PbftClientProps });
    sim.at(500, () => {
      sim.faults.crash('r1');
      sim.faults.crash('r2');
    });
    const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 60_000 })).body as PbftClientSummary;
    expect(s.gaveUp).toBe(true);
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.issued).toBeGreaterThan(s.accepted);
  });

  it('neither requests nor durationMs is refused; durationMs 0 issues nothing', async () => {
    const { sim, replicas } = await cluster(23);
    await expect(sim.spawn('bad', PBFT_CLIENT, { props: { replicas } })).rejects.toThrow(/requests.*durationMs/);
    await expect(sim.spawn('bad2', PBFT_CLIENT, { props: { replicas, durationMs: Number.NaN } })).rejects.toThrow(/durationMs/);
    await sim.spawn('idle', PBFT_CLIENT, { props: { replicas, durationMs: 0 } satisfies PbftClientProps });
    const s = (await sim.ask('idle', { kind: 'start' }, { timeoutMs: 1_000 })).body as PbftClientSummary;
    expect(s).toMatchObject({ issued: 0, accepted: 0, gaveUp: false });
  });
});

describe('PBFT client: stallMs gives up on a run that stopped progressing, not on a long one', () => {
  it('a count workload that runs far longer than stallMs, progressing all along, is not cut short', async () => {
    const { sim, replicas } = await cluster(5);
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 300, window: 1, stallMs: 100 } satisfies PbftClientProps });
    const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 600_000 })).body as PbftClientSummary;
    expect(s.lastAt - s.firstAt).toBeGreaterThan(5 * 100);
    expect(s).toMatchObject({ issued: 300, accepted: 300, gaveUp: false });
  });

  it('with no result accepted for stallMs it gives up, between one and two stallMs after the last acceptance', async () => {
    const { sim, replicas } = await cluster(6);
    await sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 1_000, window: 4, stallMs: 500 } satisfies PbftClientProps });
    // Two of four replicas down: beyond f = 1, nothing more is accepted.
    sim.at(200, () => {
      sim.faults.crash('r2');
      sim.faults.crash('r3');
    });
    const s = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 600_000 })).body as PbftClientSummary;
    expect(s.gaveUp).toBe(true);
    expect(s.accepted).toBeLessThan(1_000);
    const gaveUpAt = sim.recorder.events.find((e) => e.type === 'emit' && e.event.type === 'pbft-client-gave-up')!.t;
    expect(gaveUpAt - s.lastAt).toBeGreaterThanOrEqual(500);
    expect(gaveUpAt - s.lastAt).toBeLessThanOrEqual(1_000);
  });

  it('refuses a stallMs that is not a positive number, by name', async () => {
    const { sim, replicas } = await cluster(7);
    await expect(sim.spawn('client', PBFT_CLIENT, { props: { replicas, requests: 1, stallMs: 0 } })).rejects.toThrow(/stallMs/);
  });
});
