import { describe, expect, it } from 'vitest';
import { runCheckers } from '../src/check/registry.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { ConfigError } from '../src/errors.ts';
import { runHive } from '../src/hive/run-hive.ts';
import { decompose } from '../src/hive/task-graph.ts';
import { createPrng } from '../src/scheduler/prng.ts';
import { createSystem } from '../src/system/create-system.ts';
import { registerBehaviour } from '../src/actors/registry.ts';
import { TEAM_LEAD, type TeamLeadState } from '../src/hive/team-lead.ts';
import '../src/actors/library.ts';

const features = { complexity: 0.7, novelty: 0.5, criticality: 0.8, sequentiality: 0.2 };

describe('hive', () => {
  it('decomposes an objective into an acyclic graph with kinds, complexity, novelty and criticality', () => {
    const g = decompose('Build an auth service', features, createPrng(1, 'q'));
    const seen = new Set<string>();
    for (const t of g.subtasks) {
      for (const d of t.deps) expect(seen.has(d)).toBe(true); // every dependency comes first
      seen.add(t.id);
      for (const x of [t.complexity, t.novelty, t.criticality]) expect(x >= 0 && x <= 1).toBe(true);
    }
    expect(g.subtasks.map((t) => t.kind)).toContain('architecture');
    expect(g.subtasks.length).toBeGreaterThan(10);
  });

  it('runs an objective to a report in sim mode, the same for the same seed, with every envelope accounted for', async () => {
    const a = await runHive({ objective: 'Build an auth service', queen: 'strategic', seed: 5, features });
    const b = await runHive({ objective: 'Build an auth service', queen: 'strategic', seed: 5, features });
    expect(a.objectives[0].status).toBe('done');
    expect(a.objectives[0].done).toBe(a.objectives[0].subtasks);
    expect(a.objectives[0].decisions).toBeGreaterThan(0);
    expect(a.agents).toBe(25);
    expect(a.accountingImbalance).toBe(0);
    expect(a.safety).toEqual([]);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.objectives).toEqual(a.objectives);
    const c = await runHive({ objective: 'Build an auth service', queen: 'strategic', seed: 6, features });
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('reassigns the work of workers that crashed: their attempts time out and other workers finish them', async () => {
    const options = { objective: 'x', queen: 'strategic' as const, consensus: 'weighted' as const, seed: 2, features };
    const base = await runHive(options);
    const crashed = await runHive({
      ...options,
      crash: ['worker_01_01', 'worker_02_01', 'worker_03_01', 'worker_04_01'].map((worker) => ({ worker, atMs: 0 })),
    });
    const o = crashed.objectives[0];
    expect(base.objectives[0].timeouts).toBe(0);
    expect(o.timeouts).toBeGreaterThan(0);
    expect(o.reassigned).toBeGreaterThanOrEqual(o.timeouts);
    expect(o.status).toBe('done');
    expect(o.durationMs).toBeGreaterThan(base.objectives[0].durationMs);
  });

  it('refuses bad options by name', async () => {
    await expect(runHive({ objective: 'x', workers: 0 })).rejects.toThrow(ConfigError);
    await expect(runHive({ objective: 'x', workers: 0 })).rejects.toThrow(/workers/);
    await expect(runHive({ objective: 'x', queen: 'royal' as never })).rejects.toThrow(/queen.*strategic, tactical, adaptive/);
    await expect(runHive({ objective: 'x', features: { complexity: 2 } })).rejects.toThrow(/features.complexity/);
    await expect(runHive({ objective: 'x', colour: 'red' } as never)).rejects.toThrow(/colour/);
  });

  it('queen types trade quality for latency on the same objectives, each for its reason', async () => {
    // A complex, delegated objective on a star (a poor fit: the hub is a bottleneck for complex work), 8 seeds each.
    const figures: Record<string, { q: number; d: number; switches: Set<string> }> = {};
    for (const queen of ['strategic', 'tactical', 'adaptive'] as const) {
      const f = { q: 0, d: 0, switches: new Set<string>() };
      for (let seed = 1; seed <= 8; seed++) {
        const r = (
          await runHive({
            objective: 'Refactor the billing system',
            queen,
            seed,
            workers: 20,
            teams: 4,
            topology: 'star',
            features: { complexity: 0.9, novelty: 0.3, criticality: 0.3, sequentiality: 0 },
          })
        ).objectives[0];
        f.q += r.quality / 8;
        f.d += r.durationMs / 8;
        for (const s of r.switches) f.switches.add(s.what);
      }
      figures[queen] = f;
    }
    const { strategic, tactical, adaptive } = figures;
    // Strategic plans every subtask onto the most skilled worker, who queues them: better work, later.
    expect(strategic.q).toBeGreaterThan(tactical.q);
    // Tactical hands work to whoever is free, skilled or not: sooner, worse, more sent back.
    expect(tactical.d).toBeLessThan(strategic.d);
    // Adaptive leaves the star for the hierarchy the selector calls for, and turns strategic once failures mount:
    // on this objective it beats both, because the topology was the real bottleneck.
    expect([...adaptive.switches]).toEqual(expect.arrayContaining(['topology star → hierarchical', 'assign tactical → strategic']));
    expect(adaptive.q).toBeGreaterThan(tactical.q);
    expect(adaptive.d).toBeLessThan(strategic.d);
    expect(strategic.switches.size + tactical.switches.size).toBe(0);
  });

  it('an adaptive queen switches the topology the selector calls for, through the scheduler', async () => {
    const r = await runHive({
      objective: 'Explore a new protocol',
      queen: 'adaptive',
      topology: 'star',
      seed: 3,
      features: { complexity: 0.9, novelty: 0.9, criticality: 0.2, sequentiality: 0 },
    });
    expect(r.objectives[0].switches.map((s) => s.what)).toContain('topology star → mesh');
    expect(r.objectives[0].topology).toBe('mesh');
    expect(r.topologySwitches).toBeGreaterThanOrEqual(2); // the initial install and the queen's switch
  });
});

describe('zero architectural mistakes', () => {
  it('with at most f Byzantine experts no critical decision goes against the honest majority (200 seeds)', async () => {
    let decisions = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = await runHive({
        objective: 'Secure the payments API',
        queen: 'tactical',
        consensus: 'byzantine',
        seed,
        workers: 7,
        teams: 1,
        features: { complexity: 0.2, novelty: 0.2, criticality: 0.9, sequentiality: 0 },
        byzantine: { count: 2, types: ['false_information', 'conflicting_votes'] },
      });
      expect(r.byzantine).toHaveLength(2);
      expect(r.safety).toEqual([]);
      decisions += r.objectives[0].decisions;
    }
    expect(decisions).toBeGreaterThan(400);
  });

  const critical = {
    objective: 'Secure the payments API',
    queen: 'tactical' as const,
    workers: 7,
    teams: 1,
    features: { complexity: 0.2, novelty: 0.2, criticality: 0.9, sequentiality: 0 },
  };
  const mistakes = async (consensus: 'byzantine' | 'weighted' | 'raft', count: number, seeds: number) => {
    const found = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const r = await runHive({ ...critical, consensus, seed, byzantine: { count, types: ['false_information'] } });
      found.push(...r.safety.filter((v) => v.checker === 'zero-architectural-mistakes'));
    }
    return found;
  };

  // At 3 of 7 a decision needs 2 honest votes beside the liars' 3, and the deciding round's 4
  // honest votes then split 2-2: no honest majority to judge against. From 4 of 7 there is.
  it('with more than f liars (4 of 7) the checker reports the mistake, naming the decision and the honest votes', async () => {
    const found = await mistakes('byzantine', 4, 60);
    expect(found.length).toBeGreaterThan(0);
    for (const v of found) expect(v.detail).toMatch(/took "shortcut" but \d+ of \d+ honest expert votes chose "sound-design"/);
  });

  it.each(['weighted', 'raft'] as const)(
    '%s decisions with the same f liars make mistakes the checker reports: the Byzantine vote is what keeps the count at zero',
    async (consensus) => {
      expect((await mistakes(consensus, 2, 60)).length).toBeGreaterThan(0);
    },
  );

  it('judges from the trace alone: a decision against the honest votes is a mistake, one that follows them is not', () => {
    const emit = (event: Record<string, unknown>, t = 1): TraceEvent => ({ t, type: 'emit', actor: 'queen', event });
    const trace = (value: string) => [
      emit({ hive: 'vote', decision: 'd#1', agent: 'a', value: 'sound-design' }),
      emit({ hive: 'vote', decision: 'd#1', agent: 'b', value: 'sound-design' }),
      emit({ hive: 'vote', decision: 'd#1', agent: 'liar', value: 'shortcut' }),
      emit({ hive: 'vote', decision: 'd#1', agent: 'a', value: 'shortcut' }), // equivocation: the first vote counts
      emit({ hive: 'decision', decision: 'd#1', rounds: ['d#1'], critical: true, consensus: true, value }),
    ];
    expect(runCheckers('hive', trace('sound-design'), { byzantine: ['liar'] }).safety).toEqual([]);
    const bad = runCheckers('hive', trace('shortcut'), { byzantine: ['liar'] }).safety;
    expect(bad.map((v) => v.checker)).toEqual(['zero-architectural-mistakes']);
    expect(bad[0].positions).toEqual([0, 1, 4]);
  });
});

describe('a real agent behind the worker role', () => {
  const agent = { module: new URL('./fixtures/hive-agent.ts', import.meta.url).pathname, export: 'codingAgent' };

  it('runs the user behaviour in every worker: results through the leads, votes to the queen', async () => {
    const events: TraceEvent[] = [];
    const r = await runHive(
      { objective: 'x', queen: 'tactical', workers: 8, teams: 2, seed: 1, behaviour: agent, features },
      { onEvent: (e) => events.push(e) },
    );
    const o = r.objectives[0];
    expect(o.status).toBe('done');
    expect(o.done).toBe(o.subtasks);
    expect(events.filter((e) => e.type === 'emit' && e.event.agent === 'coding')).toHaveLength(o.attempts);
    expect(o.unsound).toBe(0); // the agent votes for the first option, the sound design
  });

  it('refuses liars together with a user behaviour, by name', async () => {
    await expect(runHive({ objective: 'x', behaviour: agent, byzantine: { count: 1 } })).rejects.toThrow(/byzantine\.count/);
  });
});

describe('a team lead', () => {
  // Sends the body of every `go` to the lead as a result, from itself.
  registerBehaviour('hive-test-sender', {
    init: () => 0,
    receive: (n, env, ctx) => {
      if (env.kind === 'go') ctx.send('lead', { kind: 'result', body: env.body });
      return n + 1;
    },
  });

  it('passes accepted work on, sends work under its review bar or failed back, and ignores results from outside its team', async () => {
    const sys = await createSystem({ mode: 'sim', seed: 1 });
    await sys.spawn('queen', 'sink');
    await sys.spawn('lead', TEAM_LEAD, { props: { queen: 'queen', team: ['w1'], reviewBar: 0.5 } });
    await sys.spawn('w1', 'hive-test-sender');
    await sys.spawn('outsider', 'hive-test-sender');
    const result = (quality: number, failed = false, worker = 'w1') => ({ taskId: 't01', attempt: 1, worker, quality, failed, durationMs: 5 });
    sys.send('w1', { kind: 'go', body: result(0.8) });
    sys.send('w1', { kind: 'go', body: result(0.3) });
    sys.send('w1', { kind: 'go', body: result(0.9, true) });
    sys.send('w1', { kind: 'go', body: result(0.9, false, 'w2') }); // names another worker: not vouched for
    sys.send('outsider', { kind: 'go', body: result(0.9, false, 'outsider') });
    await sys.settle();
    expect(await sys.snapshot<TeamLeadState>('lead')).toEqual({ accepted: 1, sentBack: 2 });
    expect(await sys.snapshot<number>('queen')).toBe(3);
    expect((await sys.shutdown()).accountingImbalance).toBe(0);
  });
});
