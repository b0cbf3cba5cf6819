import { describe, expect, it } from 'vitest';
import { SimSystem } from '../src/index.ts';

describe('dead letters in the trace', () => {
  async function flood(traceLevel: 'events' | 'full') {
    const sim = new SimSystem({ seed: 1, traceLevel, keepTrace: true, link: { latency: { kind: 'fixed', ms: 1 } } });
    for (let i = 0; i < 1000; i++) sim.send('nobody', { kind: 'x', body: i });
    await sim.settle();
    return { sim, acc: sim.accountingNow(), events: sim.recorder.events };
  }

  it('at level events, a flood is traced as 64 events plus one summary per turn, and the counters stay exact', async () => {
    const { acc, events } = await flood('events');
    expect(acc.deadLetteredBy['unknown-actor']).toBe(1000);
    const single = events.filter((e) => e.type === 'dead-letter');
    const summaries = events.filter((e) => e.type === 'dead-letters-summarised');
    expect(single).toHaveLength(64);
    expect(summaries).toHaveLength(1);
    expect(summaries[0].type === 'dead-letters-summarised' && summaries[0].byReason).toEqual({ 'unknown-actor': 936 });
  });

  it('at level full, every dead letter is its own event', async () => {
    const { events } = await flood('full');
    expect(events.filter((e) => e.type === 'dead-letter')).toHaveLength(1000);
    expect(events.some((e) => e.type === 'dead-letters-summarised')).toBe(false);
  });
});
