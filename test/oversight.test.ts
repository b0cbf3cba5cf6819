import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { OversightHook, OversightRequest, ScenarioResult, TraceEvent } from '../src/index.ts';
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Five accurate voters; every decision of class critical is held for oversight. */
const scenario = (o: { mode?: string; oversight?: string; policy?: string; extra?: string; agents?: string } = {}) =>
  parseScenario(
    `
name: oversight
seed: 7
${o.mode ? `mode: ${o.mode}` : ''}
agents: ${o.agents ?? '[{ role: analyst, count: 5, accuracy: 1 }]'}
consensus: { algorithm: simple_majority, voting_timeout: 5s }
decision_policies:
  routine: { algorithm: simple_majority }
  critical: { algorithm: supermajority, threshold: 0.75, human_oversight: true${o.policy ?? ''} }
task: { question: Ship it?, options: [ship, hold], truth: ship, policy: critical, decisions: 3, in_flight: 3 }
${o.oversight ?? ''}
${o.extra ?? ''}
`,
    fixture('inline.yml'),
  );

/** The trace events of the given types, as [type, decision, answer-or-by...]. */
function collect(): { events: TraceEvent[]; onEvent: (e: TraceEvent) => void; of: (type: string) => Record<string, unknown>[] } {
  const events: TraceEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    of: (type) => events.flatMap((e) => (e.type === 'emit' && e.event.type === type ? [e.event as Record<string, unknown>] : [])),
  };
}

/** The books balance: every envelope sent is delivered, dropped, dead-lettered or still in flight. */
function booksExact(r: ScenarioResult): void {
  const m = r.messages;
  expect(m.sent).toBe(m.delivered + m.dropped + m.deadLettered + m.inFlight);
  expect(r.accountingImbalance).toBe(0);
  expect(r.safetyViolations).toEqual([]);
  expect(r.livenessViolations).toEqual([]);
}

describe('human oversight of a decision class', () => {
  it('sim mode: a synchronous approval lets the vote stand; the request shows the vote', async () => {
    const asked: OversightRequest[] = [];
    const t = collect();
    const r = await runScenario(scenario(), { oversight: (req) => (asked.push(req), 'approve'), runId: 'run-42', onEvent: t.onEvent });
    expect(r.decisions).toMatchObject({ attempted: 3, decided: 3, noConsensus: 0 });
    expect(r.byOutcome).toEqual({ ship: 3 });
    expect(r.oversight).toEqual({ requested: 3, approved: 3, rejected: 0, escalated: 0, timedOut: 0 });
    expect(r.byPolicy).toEqual({ critical: { attempted: 3, decided: 3, noConsensus: 0, timedOut: 0, escalated: 0 } });
    expect(asked.map((q) => q.decision)).toEqual(['d1', 'd2', 'd3']);
    expect(asked[0]).toEqual({
      decision: 'd1',
      question: 'Ship it?',
      options: ['ship', 'hold'],
      value: 'ship',
      strength: 1,
      tally: { ship: 5 },
      votes: 5,
      policyClass: 'critical',
      timeoutMs: 60_000,
      runId: 'run-42',
    });
    expect(t.of('oversight-answered').map((e) => [e.decision, e.answer, e.by])).toEqual([
      ['d1', 'approve', 'hook'],
      ['d2', 'approve', 'hook'],
      ['d3', 'approve', 'hook'],
    ]);
    // The answer is a message from the runtime, sent at the virtual instant of the request: it
    // lands one delivery later (well within any timeout), and the decision closes as it lands.
    const times = (type: string) => t.events.filter((e) => e.type === 'emit' && e.event.type === type).map((e) => e.t);
    const requested = times('oversight-requested');
    const answered = times('oversight-answered');
    expect(times('decided')).toEqual(answered);
    answered.forEach((a, i) => expect(a - requested[i]).toBeGreaterThan(0));
    answered.forEach((a, i) => expect(a - requested[i]).toBeLessThan(10));
    expect(t.of('decided').map((e) => [e.decision, e.value, e.consensus, e.policy, e.cause])).toEqual([
      ['d1', 'ship', true, 'critical', 'complete'],
      ['d2', 'ship', true, 'critical', 'complete'],
      ['d3', 'ship', true, 'critical', 'complete'],
    ]);
    expect(r.warnings).toEqual(["decision_policies.routine: no decision names this class (task.policy, or a workflow stage's policy), so it is not applied"]);
    booksExact(r);
  });

  it('sim mode: a rejection overturns the vote (no consensus), counted as such', async () => {
    const t = collect();
    const r = await runScenario(scenario(), { oversight: () => 'reject', onEvent: t.onEvent });
    expect(r.decisions).toMatchObject({ attempted: 3, decided: 0, noConsensus: 3, timedOut: 0 });
    expect(r.byOutcome).toEqual({});
    expect(r.oversight).toEqual({ requested: 3, approved: 0, rejected: 3, escalated: 0, timedOut: 0 });
    expect(r.byPolicy?.critical).toEqual({ attempted: 3, decided: 0, noConsensus: 3, timedOut: 0, escalated: 0 });
    expect(t.of('decided').map((e) => [e.value, e.consensus, e.cause, e.reason])).toEqual(
      Array(3).fill([null, false, 'oversight-rejected', 'rejected by human oversight']),
    );
    booksExact(r);
  });

  it('sim mode: a Promise is not awaited: the decision takes its timeout outcome at oversight_timeout (virtual), and the warnings say so', async () => {
    let resolve!: (a: 'approve') => void;
    const later = new Promise<'approve'>((res) => (resolve = res));
    const t = collect();
    const r = await runScenario(scenario({ policy: ', oversight_timeout: 2s' }), { oversight: () => later, onEvent: t.onEvent });
    resolve('approve'); // after the run: too late, and it changes nothing
    expect(r.decisions).toMatchObject({ decided: 0, noConsensus: 3 });
    expect(r.oversight).toEqual({ requested: 3, approved: 0, rejected: 3, escalated: 0, timedOut: 3 });
    expect(t.of('oversight-answered').map((e) => [e.answer, e.by])).toEqual(Array(3).fill(['reject', 'timeout']));
    const requested = t.events.find((e) => e.type === 'emit' && e.event.type === 'oversight-requested')!.t;
    const answered = t.events.find((e) => e.type === 'emit' && e.event.type === 'oversight-answered')!.t;
    expect(answered - requested).toBe(2_000);
    expect(r.warnings).toContain(
      'oversight: the hook answered d1, d2, d3 with a Promise, which sim mode does not wait for (virtual time does not stop for a person), so each took its on_timeout outcome at oversight_timeout; answer synchronously in sim mode, or run with mode: threads',
    );
    booksExact(r);
    // Replayable: the same seed gives the same trace.
    const again = await runScenario(scenario({ policy: ', oversight_timeout: 2s' }), { oversight: () => new Promise(() => undefined) });
    expect(again.traceHash).toBe(r.traceHash);
  });

  it('on_timeout: approve lets the vote stand, escalate counts it as escalated', async () => {
    const never: OversightHook = () => new Promise(() => undefined);
    const approve = await runScenario(scenario({ policy: ', oversight_timeout: 1s, on_timeout: approve' }), { oversight: never });
    expect(approve.decisions).toMatchObject({ decided: 3, noConsensus: 0, escalated: 0 });
    expect(approve.oversight).toEqual({ requested: 3, approved: 3, rejected: 0, escalated: 0, timedOut: 3 });
    const escalate = await runScenario(scenario({ policy: ', oversight_timeout: 1s, on_timeout: escalate' }), { oversight: never });
    expect(escalate.decisions).toMatchObject({ decided: 0, noConsensus: 0, escalated: 3 });
    expect(escalate.byPolicy?.critical).toEqual({ attempted: 3, decided: 0, noConsensus: 0, timedOut: 0, escalated: 3 });
    expect(escalate.oversight).toEqual({ requested: 3, approved: 0, rejected: 0, escalated: 3, timedOut: 3 });
    booksExact(escalate);
  });

  it('threads mode: an asynchronous hook that answers later is waited for (approve and reject)', async () => {
    const pending: { req: OversightRequest; answer: (a: 'approve' | 'reject') => void }[] = [];
    // The hook answers only once all three decisions are held: d1 waits for d3's vote.
    const hook: OversightHook = (req) =>
      new Promise((answer) => {
        pending.push({ req, answer });
        if (pending.length === 3) for (const p of pending) p.answer(p.req.decision === 'd2' ? 'reject' : 'approve');
      });
    const t = collect();
    const r = await runScenario(scenario({ mode: 'threads', policy: ', oversight_timeout: 60s' }), { oversight: hook, workers: 2, onEvent: t.onEvent });
    expect(r.mode).toBe('threads');
    expect(r.decisions).toMatchObject({ attempted: 3, decided: 2, noConsensus: 1, timedOut: 0 });
    expect(r.oversight).toEqual({ requested: 3, approved: 2, rejected: 1, escalated: 0, timedOut: 0 });
    expect(
      t
        .of('oversight-answered')
        .map((e) => [e.decision, e.answer, e.by])
        .sort(),
    ).toEqual([
      ['d1', 'approve', 'hook'],
      ['d2', 'reject', 'hook'],
      ['d3', 'approve', 'hook'],
    ]);
    expect(r.warnings ?? []).not.toContainEqual(expect.stringMatching(/^oversight:/));
    booksExact(r);
  });

  it('threads mode: no answer by oversight_timeout (wall clock) takes on_timeout (reject by default)', async () => {
    const r = await runScenario(scenario({ mode: 'threads', policy: ', oversight_timeout: 150ms' }), {
      oversight: () => new Promise(() => undefined),
      workers: 2,
    });
    expect(r.decisions).toMatchObject({ attempted: 3, decided: 0, noConsensus: 3 });
    expect(r.oversight).toEqual({ requested: 3, approved: 0, rejected: 3, escalated: 0, timedOut: 3 });
    booksExact(r);
  });

  it('threads mode: a synchronous hook works as in sim mode, with the same outcome', async () => {
    const hook: OversightHook = (req) => (req.decision === 'd1' ? 'reject' : 'approve');
    const sim = await runScenario(scenario(), { oversight: hook });
    const threads = await runScenario(scenario({ mode: 'threads' }), { oversight: hook, workers: 2 });
    expect(threads.decisions).toEqual(sim.decisions);
    expect(threads.oversight).toEqual(sim.oversight);
    expect(threads.byPolicy).toEqual(sim.byPolicy);
    booksExact(threads);
  });

  it('a hook from the scenario (oversight: { module: path#export }); RunOptions.oversight beats it', async () => {
    const fromFile = await runScenario(scenario({ oversight: 'oversight: { module: ./oversight-hooks.ts#approveStrong }' }));
    expect(fromFile.oversight).toMatchObject({ requested: 3, approved: 3 });
    const byDefault = await runScenario(scenario({ oversight: 'oversight: { module: ./oversight-hooks.ts }' }));
    expect(byDefault.oversight).toMatchObject({ requested: 3, rejected: 3 });
    const overridden = await runScenario(scenario({ oversight: 'oversight: { module: ./oversight-hooks.ts#approveStrong }' }), { oversight: () => 'reject' });
    expect(overridden.oversight).toMatchObject({ rejected: 3 });
    await expect(runScenario(scenario({ oversight: 'oversight: { module: ./oversight-hooks.ts#nope }' }))).rejects.toThrow(
      /oversight\.export.*exports found: approveStrong, oversight/,
    );
  });

  it('human_oversight without a hook is refused by name; a decision without consensus is not held', async () => {
    await expect(runScenario(scenario())).rejects.toThrow(/decision_policies\.critical\.human_oversight.*oversight hook/);
    const asked: string[] = [];
    const split = await runScenario(scenario({ agents: '[{ role: a, count: 2, accuracy: 1 }, { role: b, count: 2, accuracy: 0 }]' }), {
      oversight: (q) => (asked.push(q.decision), 'approve'),
    });
    expect(split.decisions).toMatchObject({ decided: 0, noConsensus: 3 });
    expect(asked).toEqual([]);
    expect(split.oversight).toBeUndefined();
  });

  it('a hook that throws or answers anything but approve/reject rejects; a hook nothing asks is warned about', async () => {
    const thrown = await runScenario(scenario(), {
      oversight: () => {
        throw new Error('board unreachable');
      },
    });
    expect(thrown.oversight).toMatchObject({ requested: 3, rejected: 3 });
    const odd = await runScenario(scenario(), { oversight: (() => 'yes') as unknown as OversightHook });
    expect(odd.oversight).toMatchObject({ requested: 3, rejected: 3 });
    const unused = await runScenario(
      parseScenario(
        'name: x\nagents: [{ role: a, count: 3 }]\ntask: { question: q, options: [a, b] }\noversight: { module: ./oversight-hooks.ts }\n',
        fixture('inline.yml'),
      ),
    );
    expect(unused.warnings).toEqual([
      'oversight: no decision of this run is held for oversight (that needs a class with human_oversight: true named by task.policy or a stage), so the hook is never asked',
    ]);
  });

  it('a voter cannot approve a held decision nor time its hold out early', async () => {
    const asked: string[] = [];
    const r = await runScenario(scenario({ agents: `[{ role: forger, count: 4, behaviour: { module: ./oversight-forger.ts, export: voter } }]` }), {
      oversight: (q) => (asked.push(q.decision), 'reject'),
    });
    expect(asked).toEqual(['d1', 'd2', 'd3']);
    expect(r.oversight).toEqual({ requested: 3, approved: 0, rejected: 3, escalated: 0, timedOut: 0 });
    expect(r.decisions).toMatchObject({ decided: 0, noConsensus: 3 });
  });
});
