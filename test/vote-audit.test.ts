import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 15: a scenario's `audit:` section, and `security.byzantine_detection`, in voting runs.
 */
function yaml(o: { audit?: string; security?: string; byzantine?: string; count?: number; algorithm?: string; mode?: 'sim' | 'threads' }): string {
  return `
name: vote-audit
agents:
  - { role: lead, count: 1, weight: 2, vote_fields: { evidence_level: high } }
  - { role: coder, count: 5 }
topology: mesh
consensus:
  algorithm: ${o.algorithm ?? 'simple_majority'}
  voting_timeout: ${o.mode === 'threads' ? '1s' : '300ms'}
${o.audit ? `  audit: ${o.audit}` : ''}
${o.security ? `  security: ${o.security}` : ''}
task: { question: "Which one?", options: [PostgreSQL, MongoDB], truth: PostgreSQL, decisions: 20, in_flight: ${o.mode === 'threads' ? 10 : 4} }
${o.byzantine ? `faults: { byzantine: { count: ${o.count ?? 1}, types: [${o.byzantine}] } }` : ''}
`;
}

async function run(text: string, mode: 'sim' | 'threads' = 'sim', traceVotes?: boolean) {
  const votes: Record<string, unknown>[] = [];
  const onEvent = (e: TraceEvent) => {
    if (e.type === 'emit' && e.event.type === 'vote') votes.push(e.event as Record<string, unknown>);
  };
  const result = await runScenario(parseScenario(text), { seed: 5, mode, workers: 2, onEvent, ...(traceVotes === undefined ? {} : { traceVotes }) });
  return { result, votes };
}

const clean = { stranger: 0, duplicate: 0, malformed: 0, late: 0 };

describe('audit.decision_justification: required', () => {
  for (const mode of ['sim', 'threads'] as const) {
    it(`refuses and counts votes without a reason; the voter counts as not voting (${mode})`, async () => {
      const required = await run(yaml({ audit: '{ decision_justification: required }', byzantine: 'unjustified', mode }), mode);
      const silent = await run(yaml({ audit: '{ decision_justification: required }', byzantine: 'silent', mode }), mode);
      expect(required.result.refusedVotes).toEqual({ ...clean, unjustified: 20 });
      expect(required.result.byOutcome).toEqual(silent.result.byOutcome);
      if (mode === 'threads') return;
      // Optional (the default): the same votes count.
      const optional = await run(yaml({ byzantine: 'unjustified', mode }), mode);
      expect(optional.result.refusedVotes).toEqual(clean);
      expect(optional.votes.filter((v) => v.reason === '')).toHaveLength(20);
    }, 60_000);
  }
});

describe('audit.detailed_logging: true', () => {
  it('vote events carry the whole vote, its signature and its weight, even with vote events turned off', async () => {
    const { votes } = await run(
      yaml({ audit: '{ detailed_logging: true }', security: '{ agent_authentication: required }', algorithm: 'weighted_voting' }),
      'sim',
      false,
    );
    expect(votes).toHaveLength(120);
    const lead = votes.find((v) => v.agent === 'lead_001')!;
    expect(Object.keys(lead).sort()).toEqual(['agent', 'body', 'confidence', 'decision', 'reason', 'role', 'signature', 'type', 'vote', 'weight']);
    expect(lead.weight).toBe(2);
    expect(lead.body).toMatchObject({
      agent: 'lead_001',
      role: 'lead',
      evidence_level: 'high',
      decision: lead.vote,
      reason: lead.reason,
      confidence: lead.confidence,
    });
    expect(lead.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(votes.find((v) => v.agent === 'coder_001')!.weight).toBe(1);
  }, 60_000);

  it('off (the default): the summary fields only, and none when vote events are off', async () => {
    const on = await run(yaml({ algorithm: 'weighted_voting' }));
    expect(Object.keys(on.votes[0]).sort()).toEqual(['agent', 'confidence', 'decision', 'reason', 'role', 'type', 'vote']);
    expect((await run(yaml({ algorithm: 'weighted_voting' }), 'sim', false)).votes).toEqual([]);
  }, 60_000);
});

describe('audit.compliance_check: true', () => {
  it('a decided decision with fewer justified votes than the threshold is a finding; at the threshold it complies', async () => {
    const audit = '{ compliance_check: true }';
    const half = await run(yaml({ audit, byzantine: 'unjustified', count: 3 }));
    expect(half.result.compliance).toEqual({ checked: half.result.decisions.decided, failed: 0, findings: [] });
    const most = (await run(yaml({ audit, byzantine: 'unjustified', count: 4 }))).result;
    expect(most.decisions.decided).toBeGreaterThan(0);
    expect(most.compliance!.checked).toBe(most.decisions.decided);
    expect(most.compliance!.failed).toBe(most.decisions.decided);
    expect(most.compliance!.findings[0].finding).toBe('only 2 of 6 votes justified (needs 50%)');
    // Without the check, no compliance figures at all.
    expect((await run(yaml({ byzantine: 'unjustified', count: 4 }))).result.compliance).toBeUndefined();
  }, 60_000);
});

describe('security.byzantine_detection', () => {
  it('false stops the reporting of lying voters; their extra votes are still refused', async () => {
    const on = (await run(yaml({ security: '{ byzantine_detection: true }', byzantine: 'conflicting_votes' }))).result;
    const off = (await run(yaml({ security: '{ byzantine_detection: false }', byzantine: 'conflicting_votes' }))).result;
    expect(on.byzantineDetected.map((d) => d.agent)).toEqual(['coder_003']);
    expect(off.byzantineDetected).toEqual([]);
    expect(on.refusedVotes.duplicate + on.refusedVotes.late).toBe(20);
    expect(off.refusedVotes).toEqual(on.refusedVotes);
    expect(off.byOutcome).toEqual(on.byOutcome);
  }, 60_000);
});
