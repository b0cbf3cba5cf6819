import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { timelineWriter } from '../src/cli/run-command.ts';

/** The timeline `conclave run` prints names each decision's end as the summary counts it. */
describe('the run timeline', () => {
  it('a vote that closed at its timeout without consensus reads "timed out", as the summary counts it; one judged below threshold reads "no consensus"', () => {
    const lines: string[] = [];
    const write = timelineWriter(2, 'sim', lines);
    const emit = (t: number, event: Record<string, unknown>): TraceEvent => ({ t, type: 'emit', actor: 'coordinator', event });
    write(emit(0, { type: 'proposal', decision: 'd1', question: 'q', options: ['A', 'B'] }));
    write(emit(0, { type: 'proposal', decision: 'd2', question: 'q', options: ['A', 'B'] }));
    write(
      emit(5, {
        type: 'decided',
        decision: 'd1',
        consensus: false,
        cause: 'timeout',
        reason: 'below threshold 0.67 (0.6667)',
        strength: 0.67,
        votes: 3,
        of: 4,
      }),
    );
    write(
      emit(6, { type: 'decided', decision: 'd2', consensus: false, cause: 'complete', reason: 'below threshold 0.67 (0.5)', strength: 0.5, votes: 4, of: 4 }),
    );
    const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
    expect(text).toMatch(/d1 timed out: below threshold 0\.67 \(0\.6667\)/);
    expect(text).toMatch(/d2 no consensus: below threshold 0\.67 \(0\.5\)/);
  });
});
