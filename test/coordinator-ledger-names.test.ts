import { describe, expect, it } from 'vitest';
import { emptySummary } from '../src/protocols/voting/coordinator.ts';
import { parseScenario, type TraceEvent } from '../src/index.ts';
import { CoordinatorLedger, joinSummaries } from '../src/swarm/coordinator-ledger.ts';

/**
 * The ledger that rebuilds a crashed coordinator's books from the trace (threads mode) keys its
 * counts by option and its stages by name, and the schema lets either be "__proto__": an
 * assignment took it for the object's prototype, and the count or the stage was lost. The
 * coordinator's own books were fixed the same way (0bf5a0d).
 */
const emit = (t: number, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor: 'coordinator', event });

describe('the coordinator ledger with names that are Object.prototype members', () => {
  it('counts an option named __proto__ and keeps a stage named __proto__ through a cut', () => {
    const scenario = parseScenario(
      [
        'name: proto',
        'seed: 1',
        'agents: [{ role: a, count: 3 }]',
        'consensus: { algorithm: simple_majority }',
        'task: { question: pick, options: [__proto__, constructor], truth: __proto__ }',
        'workflow: { stages: [{ name: __proto__ }, { name: constructor, depends_on: [__proto__] }] }',
      ].join('\n'),
      'proto.yml',
    );
    const ledger = new CoordinatorLedger(scenario);
    ledger.observe(emit(1, { type: 'proposal', decision: 'd1', stage: '__proto__' }));
    ledger.observe(emit(2, { type: 'decided', decision: 'd1', stage: '__proto__', consensus: true, value: '__proto__', strength: 1, latencyMs: 1 }));
    ledger.observe(emit(3, { type: 'proposal', decision: 'd2', stage: 'constructor' }));
    const { summary, resume } = ledger.cut(10);
    expect(Object.hasOwn(summary.byOutcome, '__proto__')).toBe(true);
    expect(JSON.stringify(summary.byOutcome)).toBe('{"__proto__":1}');
    expect(Object.keys(summary.stages ?? {})).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(summary.stages)).toBe('{"__proto__":{"status":"passed","decision":"__proto__","strength":1},"constructor":{"status":"open"}}');
    expect(Object.keys(resume.stages ?? {})).toEqual(['__proto__', 'constructor']);
    expect([summary.decided, summary.judged]).toEqual([1, 0]); // a stage without a truth is not judged
  });

  it('joinSummaries adds the parts’ counts of an option named __proto__ or constructor', () => {
    const part = (byOutcome: string) => ({ ...emptySummary(), byOutcome: JSON.parse(byOutcome) as Record<string, number> });
    const whole = joinSummaries([part('{"__proto__": 2, "constructor": 1}'), part('{"__proto__": 3}')]);
    expect(JSON.stringify(whole.byOutcome)).toBe('{"__proto__":5,"constructor":1}');
  });
});
