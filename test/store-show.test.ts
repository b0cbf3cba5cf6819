import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCodeForError } from '../src/cli/exit-codes.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { runsCommand } from '../src/cli/runs-command.ts';
import { showCommand, type ShowCommandOptions } from '../src/cli/show-command.ts';
import { statsCommand } from '../src/cli/stats-command.ts';
import { parseSince } from '../src/cli/store-read.ts';
import { ConclaveError, ConfigError, StoreError } from '../src/errors.ts';
import { insertRun, openStore, RunWriter } from '../src/store/index.ts';
import { addEvent, emptyBatch } from '../src/store/record-batch.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import type { ScenarioResult } from '../src/swarm/report.ts';

const example = (name: string) => new URL(`../examples/${name}.yml`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'conclave-show-'));
const store = join(dir, 'runs.db');

interface Recorded {
  id: string;
  result: ScenarioResult;
  trace: { t: number; type: string; actor?: string; event?: Record<string, unknown> }[];
}
const runs: Record<string, Recorded> = {};

/** Records one example run (sim mode: deterministic) into the test's store, keeping its result and trace. */
async function record(name: string): Promise<Recorded> {
  const lines: string[] = [];
  const trace = join(dir, `${name}.jsonl`);
  const code = await runCommand(example(name), { store, timeline: 0, json: true, trace, progress: { write: () => undefined } }, (l) => lines.push(l));
  expect(code).toBe(0);
  const { runId, ...result } = JSON.parse(lines.join('\n')) as ScenarioResult & { runId: string };
  return {
    id: runId,
    result: result as ScenarioResult,
    trace: readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

function show(ref: string, opts: ShowCommandOptions = {}): string[] {
  const lines: string[] = [];
  expect(showCommand(ref, { store, ...opts }, (l) => lines.push(...l.split('\n')))).toBe(0);
  return lines;
}

function showJson(ref: string, opts: ShowCommandOptions = {}): Record<string, any> {
  const lines: string[] = [];
  showCommand(ref, { store, json: true, ...opts }, (l) => lines.push(l));
  return JSON.parse(lines.join('\n'));
}

function failure(f: () => unknown): ConclaveError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConclaveError);
    expect(exitCodeForError(e as ConclaveError)).toBe(2);
    return e as ConclaveError;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  for (const name of ['db-choice', 'raft-deployment', 'byzantine-review', 'pbft-ledger', 'dynamic-weights']) runs[name] = await record(name);
});

describe('conclave runs', () => {
  it('lists the stored runs newest first, with their decisions and status, as a table and as JSON', () => {
    const lines: string[] = [];
    expect(runsCommand({ store }, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^ {2}id +started \(UTC\) +kind +name +protocol +mode +agents +decided +status +exit$/);
    const db = runs['db-choice']!;
    const row = lines.find((l) => l.includes(db.id))!;
    expect(row.split(/ {2,}/).slice(3)).toEqual(['run', 'db-choice', 'simple_majority', 'sim', '5', '186/200', 'completed', '0']);
    expect(lines.slice(1, 6).map((l) => l.trim().split(' ')[0])).toEqual(
      ['dynamic-weights', 'pbft-ledger', 'byzantine-review', 'raft-deployment', 'db-choice'].map((n) => runs[n]!.id),
    );

    const json: string[] = [];
    runsCommand({ store, json: true, protocol: 'raft' }, (l) => json.push(l));
    const listed = JSON.parse(json.join('\n'));
    expect(listed).toHaveLength(1);
    const raft = runs['raft-deployment']!.result;
    expect(listed[0]).toMatchObject({
      id: runs['raft-deployment']!.id,
      kind: 'run',
      status: 'completed',
      name: 'raft-deployment',
      protocol: 'raft',
      mode: 'sim',
      agents: 5,
      attempted: raft.decisions.attempted,
      decided: raft.decisions.decided,
      exitCode: 0,
    });
    expect(raft.decisions).toMatchObject({ attempted: 2000, decided: 2000 });
  });

  it('filters by --limit, --kind and --since (an age or an ISO date)', () => {
    const count = (o: Parameters<typeof runsCommand>[0]) => {
      const out: string[] = [];
      runsCommand({ store, json: true, ...o }, (l) => out.push(l));
      return (JSON.parse(out.join('\n')) as unknown[]).length;
    };
    expect(count({ limit: 2 })).toBe(2);
    expect(count({ kind: 'stress' })).toBe(0);
    expect(count({ since: '1h' })).toBe(5);
    expect(count({ since: '1h', now: Date.now() + 7_200_000 })).toBe(0);
    expect(count({ since: '2000-01-01' })).toBe(5);
    expect(parseSince('2h', Date.parse('2026-12-07T12:00Z'))).toBe(Date.parse('2026-12-07T10:00Z'));
    expect(parseSince('2026-12-01T12:00Z')).toBe(Date.parse('2026-12-01T12:00Z'));
  });

  it('shows a running run whose process is gone as interrupted, and a live one as running', () => {
    const file = join(dir, 'interrupted.db');
    const db = openStore(file);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const gone = insertRun(db, { kind: 'run', name: 'killed', protocol: 'raft', detailLimit: 10, signed: false }, 'r-gone');
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(dead, gone);
    // It got as far as two decisions opened and one decided before it was killed.
    const b = emptyBatch();
    for (const e of [
      { t: 1, type: 'emit', actor: 'coordinator', event: { type: 'proposal', decision: 'd1' } },
      { t: 1, type: 'emit', actor: 'coordinator', event: { type: 'proposal', decision: 'd2' } },
      { t: 2, type: 'emit', actor: 'coordinator', event: { type: 'vote', decision: 'd1', agent: 'a_001', vote: 'x', reason: 'r', confidence: 0.5 } },
      {
        t: 3,
        type: 'emit',
        actor: 'coordinator',
        event: { type: 'decided', decision: 'd1', value: 'x', consensus: true, strength: 1, votes: 1, of: 1, algorithm: 'simple_majority' },
      },
    ] as TraceEvent[])
      addEvent(b, e);
    new RunWriter(db, gone, { detailLimit: 10 }).apply(b);
    insertRun(db, { kind: 'run', name: 'alive', protocol: 'raft', detailLimit: 10, signed: false }, 'r-alive');
    db.close();
    const out: string[] = [];
    runsCommand({ store: file, json: true }, (l) => out.push(l));
    const byId = Object.fromEntries((JSON.parse(out.join('\n')) as { id: string; status: string }[]).map((r) => [r.id, r.status]));
    expect(byId).toEqual({ 'r-gone': 'interrupted', 'r-alive': 'running' });
    const lines = show('r-gone', { store: file });
    expect(lines).toContain('  interrupted  its process (pid ' + dead + ') is gone: what it stored up to then is below');
    expect(lines).toContain('  decisions    2 attempted · 1 decided (50.0%) · 0 no consensus · 0 timed out · 1 still open');
    expect(lines).toContain('  safety       not judged: the run has no result (it did not finish)');
    const table: string[] = [];
    runsCommand({ store: file }, (l) => table.push(l));
    expect(
      table
        .find((l) => l.includes('r-gone'))!
        .split(/ {2,}/)
        .slice(3),
    ).toEqual(['run', 'killed', 'raft', '-', '-', '1/2', 'interrupted', '-']);
  });
});

describe('conclave show', () => {
  it("prints the run's header and result, its figures the run's own", () => {
    const { id, result } = runs['db-choice']!;
    expect(result.decisions).toMatchObject({ attempted: 200, decided: 186, noConsensus: 14, timedOut: 0 });
    expect(result.latencyMs).toEqual({ p50: 5.297, p99: 5.959 });
    expect(result.messagesPerDecision).toBe(10.01);
    const lines = show(id);
    expect(lines[0]).toBe('db-choice · simple_majority · 5 agents · mesh · sim mode · seed 42');
    expect(lines[1]).toMatch(
      new RegExp(`^ {2}run {10}${id} · run · completed \\(exit 0\\) · started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC · \\d+\\.\\d s · pid \\d+ on `),
    );
    expect(lines).toContain('  decisions    200 attempted · 186 decided (93.0%) · 14 no consensus · 0 timed out');
    expect(lines).toContain('  outcomes     PostgreSQL 182 · MongoDB 4');
    expect(lines).toContain("  consensus    p50 5.30 ms · p99 5.96 ms (simulated time; the run's own figures)");
    expect(lines).toContain('  messages     10.0 per decision (2,002 sent)');
    expect(lines).toContain('  quality      97.8% of decided decisions chose the ground truth (PostgreSQL)');
    expect(lines).toContain('  safety       0 violations');
    expect(lines).toContain('  stored       200 decisions one by one, with their votes');
  });

  it('accepts `last` and a unique prefix of an id', () => {
    expect(showJson('last').run.id).toBe(runs['dynamic-weights']!.id);
    const id = runs['pbft-ledger']!.id;
    const prefix = Array.from({ length: id.length }, (_, i) => id.slice(0, i + 1)).find(
      (p) => Object.values(runs).filter((r) => r.id.startsWith(p)).length === 1,
    )!;
    expect(showJson(prefix).run.id).toBe(id);
  });

  it("--votes --reasoning: each agent's vote, confidence and reason, as the trace has them", () => {
    const { id, trace } = runs['db-choice']!;
    const json = showJson(id, { votes: true, limit: 2 });
    const traced = (d: string) =>
      trace
        .filter((e) => e.event?.type === 'vote' && e.event.decision === d)
        .map((e) => ({ t: e.t, agent: e.event!.agent, vote: e.event!.vote, reason: e.event!.reason, confidence: e.event!.confidence }));
    expect(json.votes.map((d: { decision: string }) => d.decision)).toEqual(['d1', 'd2']);
    expect(json.votes[0].ballots).toEqual(traced('d1'));
    expect(json.votes[1].ballots).toEqual(traced('d2'));
    const lines = show(id, { votes: true, reasoning: true, limit: 1 });
    const at = lines.indexOf('  d1  decided PostgreSQL (simple_majority, strength 0.80, 5/5 votes) · 5.45 ms');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '      sre_001               MongoDB     0.44  point-in-time recovery',
      '      backend_engineer_001  PostgreSQL  0.95  flexible schema',
      '      researcher_001        PostgreSQL  0.68  mature ecosystem',
      '      architect_001         PostgreSQL  0.68  managed operations',
      '      backend_engineer_002  PostgreSQL  0.91  ACID compliance',
    ]);
    expect(show(id, { votes: true, limit: 1 })).toContain('      sre_001               MongoDB     0.44');
  });

  it('--timeline: decisions opened, voted and closed, and events, in time order', () => {
    const { id } = runs['db-choice']!;
    const lines = show(id, { timeline: true, limit: 1 });
    const start = lines.findIndex((l) => l.startsWith('Timeline'));
    expect(lines.slice(start + 2, start + 10)).toEqual([
      '     0.00 ms  topology (none) -> mesh (epoch 1: as the scenario says)',
      '     1.08 ms  d1 opened',
      '     3.75 ms  d1: sre_001 votes MongoDB (point-in-time recovery; confidence 0.44)',
      '     5.00 ms  d1: backend_engineer_001 votes PostgreSQL (flexible schema; confidence 0.95)',
      '     5.11 ms  d1: researcher_001 votes PostgreSQL (mature ecosystem; confidence 0.68)',
      '     5.72 ms  d1: architect_001 votes PostgreSQL (managed operations; confidence 0.68)',
      '     6.53 ms  d1: backend_engineer_002 votes PostgreSQL (ACID compliance; confidence 0.91)',
      '     6.53 ms  d1 decided PostgreSQL (simple_majority, strength 0.80, 5/5 votes)',
    ]);
  });

  it('--participation and --vote-conflicts: counted from the ballots, as the trace has them', () => {
    const { id, trace, result } = runs['db-choice']!;
    const votes = trace.filter((e) => e.event?.type === 'vote').map((e) => e.event!);
    const perAgent = new Map<string, number>();
    const perDecision = new Map<string, Set<unknown>>();
    for (const v of votes) {
      perAgent.set(v.agent as string, (perAgent.get(v.agent as string) ?? 0) + 1);
      perDecision.set(v.decision as string, (perDecision.get(v.decision as string) ?? new Set()).add(v.vote));
    }
    const json = showJson(id, { participation: true, voteConflicts: true });
    expect(json.participation.decisions).toBe(result.decisions.attempted);
    expect(json.participation.votesCast).toBe(votes.length);
    expect(Object.fromEntries(json.participation.agents.map((a: { agent: string; cast: number }) => [a.agent, a.cast]))).toEqual(Object.fromEntries(perAgent));
    const split = [...perDecision.values()].filter((s) => s.size > 1).length;
    expect(json.voteConflicts.split).toBe(split);
    expect(json.voteConflicts.noConsensus).toBe(result.decisions.noConsensus);
    const lines = show(id, { participation: true, voteConflicts: true, limit: 2 });
    expect(lines).toContain('  200 voting decisions stored · 1,000 of 1,000 votes cast (100.0%) · 0 decisions closed short of votes');
    expect(lines).toContain('  sre_001                    200 / 200  100.0%        0          0');
    expect(lines).toContain(`  ${split} of 200 decisions with votes split (${((split / 200) * 100).toFixed(1)}%) · 14 of them without consensus`);
    expect(lines).toContain('  d1  PostgreSQL 4 · MongoDB 1 (decided PostgreSQL) · minority 20.0% · dissent: sre_001');
  });

  it('--participation finds the voter that never voted (crashed for the whole run)', async () => {
    const scenario = join(dir, 'silent.yml');
    writeFileSync(
      scenario,
      [
        'name: silent-voter',
        'seed: 3',
        'agents:',
        '  - { role: voter, count: 4 }',
        'topology: mesh',
        'consensus: { algorithm: simple_majority, voting_timeout: 100ms }',
        'task: { question: "Ship it?", options: [yes, no], truth: yes, decisions: 10 }',
        'faults:',
        '  crash: [{ target: voter_004, at: 0s, duration: 60s }]',
        '',
      ].join('\n'),
    );
    const file = join(dir, 'silent.db');
    const out: string[] = [];
    await runCommand(scenario, { store: file, json: true, timeline: 0, progress: { write: () => undefined } }, (l) => out.push(l));
    const result = JSON.parse(out.join('\n')) as ScenarioResult;
    expect(result.decisions).toMatchObject({ attempted: 10, decided: 10 });
    const p = showJson('last', { store: file, participation: true }).participation;
    expect(p).toMatchObject({ decisions: 10, votesOwed: 40, votesCast: 30, short: 10, unattributed: 0 });
    expect(p.agents.find((a: { agent: string }) => a.agent === 'voter_004')).toEqual({ agent: 'voter_004', cast: 0, asked: 10, abstained: 0, missing: 10 });
    const lines = show('last', { store: file, participation: true, faults: true });
    expect(lines).toContain('  10 voting decisions stored · 30 of 40 votes cast (75.0%) · 10 decisions closed short of votes');
    expect(lines).toContain('  voter_004          0 / 10    0.0%       10          0');
    expect(lines).toContain('  crash  voter_004  0.00 ms → not lifted');
  });

  it('--timeline shows alerts and human oversight as the store recorded them', async () => {
    const file = join(dir, 'enterprise.db');
    await runCommand(example('enterprise-policies'), { store: file, timeline: 0, progress: { write: () => undefined } }, () => undefined);
    const lines = show('last', { store: file, timeline: true, limit: 1 });
    expect(lines).toContain('     9.42 ms  alert byzantine-detected: agent engineer_004 detected as Byzantine: architecture-review: voted ship, then hold');
    expect(lines).toContain('    17.15 ms  production-release held for human oversight (critical): ship by 8 votes');
    expect(lines).toContain('    19.01 ms  production-release oversight answered approve by hook');
  });

  it('--leaders and --faults on a Raft run: terms, the failover, time leaderless, the current leader', () => {
    const { id, result } = runs['raft-deployment']!;
    const json = showJson(id, { leaders: true, faults: true });
    expect(json.leaders.terms.map((t: { term: number; leader: string; from: number }) => ({ term: t.term, leader: t.leader, at: t.from }))).toEqual(
      result.raft!.leaders,
    );
    expect(json.leaders.failovers).toEqual(result.raft!.failovers);
    expect(json.leaders.currentLeader).toBe('node_004');
    expect(json.faults.map((f: { fault: string; target: string; start: number; end: number | null }) => [f.fault, f.target, f.start, f.end])).toEqual([
      ['crash', 'node_001', 1000, 1500],
      ['partition', 'node_002,node_001 | node_003,node_004,node_005,client', 2500, 3100],
    ]);
    const lines = show(id, { leaders: true, faults: true });
    expect(lines).toContain('  term 1    node_001    169.49 ms → 1000.00 ms (831 ms) · node_001 crashed');
    expect(lines).toContain('  term 3    node_004    2708.82 ms → the end');
    expect(lines).toContain('  failover     node_001 crashed at 1,000 ms → node_002 led 173 ms later');
    expect(lines).toContain('  leaderless   343 ms in all: 0.00 ms → 169.49 ms (no leader elected yet) · 1000.00 ms → 1173.48 ms (node_001 crashed)');
    expect(lines).toContain('  current leader  node_004');
    expect(lines).toContain('  crash      node_001                  1000.00 ms → 1500.00 ms (500 ms, recover)');
    expect(show(id, { votes: true, limit: 1 })).toContain('  client#1  committed (write k1, log index 2) · 252.10 ms');
  });

  it('--leaders in threads mode: trace times are epoch ms, so time leaderless counts from the first record', () => {
    const file = join(dir, 'threads.db');
    const db = openStore(file);
    const id = insertRun(db, { kind: 'run', name: 'raft-threads', protocol: 'raft', mode: 'threads', agents: 3, detailLimit: 100, signed: false }, 'r-threads');
    const t0 = Date.parse('2026-12-07T02:00:00Z');
    const b = emptyBatch();
    const events: TraceEvent[] = [
      { t: t0, type: 'emit', actor: 'client', event: { type: 'client-invoke', client: 'client', seq: 1 } },
      { t: t0 + 50, type: 'emit', actor: 'node_001', event: { type: 'raft-leader', term: 1, votes: 2 } },
      { t: t0 + 60, type: 'emit', actor: 'client', event: { type: 'client-ok', client: 'client', seq: 1, value: 'ok', f: 'write', key: 'k1', index: 1 } },
      { t: t0 + 1000, type: 'fault', fault: 'crash', detail: 'node_001' },
      { t: t0 + 1200, type: 'emit', actor: 'node_002', event: { type: 'raft-leader', term: 2, votes: 2 } },
      { t: t0 + 1500, type: 'fault', fault: 'recover', detail: 'node_001' },
    ] as TraceEvent[];
    for (const e of events) addEvent(b, e);
    const w = new RunWriter(db, id, { detailLimit: 100 });
    w.apply(b);
    w.finish({ status: 'completed', exitCode: 0 });
    db.close();
    const l = showJson(id, { store: file, leaders: true, faults: true });
    expect(l.leaders.leaderlessMs).toBe(250);
    expect(l.leaders.gaps).toEqual([
      { from: t0, until: t0 + 50, why: 'no leader elected yet' },
      { from: t0 + 1000, until: t0 + 1200, why: 'node_001 crashed' },
    ]);
    expect(l.leaders.currentLeader).toBe('node_002');
    expect(l.faults).toEqual([{ fault: 'crash', target: 'node_001', start: t0 + 1000, end: t0 + 1500, durationMs: 500, endedBy: 'recover' }]);
    const lines = show(id, { store: file, leaders: true, timeline: true });
    expect(lines).toContain('  term 1    node_001    02:00:00.050 → 02:00:01.000 (950 ms) · node_001 crashed');
    expect(lines).toContain(
      '  leaderless   250 ms in all: 02:00:00.000 → 02:00:00.050 (no leader elected yet) · 02:00:01.000 → 02:00:01.200 (node_001 crashed)',
    );
    expect(lines).toContain('02:00:00.060  client#1 committed (write k1, log index 1)');
  });

  it('--byzantine: who was caught, by whom, with what evidence (voting and PBFT)', () => {
    const voting = runs['byzantine-review']!;
    const v = showJson(voting.id, { byzantine: true }).byzantine;
    expect(v.detected.map((d: { suspect: string; evidence: string }) => ({ agent: d.suspect, evidence: d.evidence }))).toEqual(voting.result.byzantineDetected);
    expect(show(voting.id, { byzantine: true })).toContain('  reviewer_004  conflicting votes · caught at 5.60 ms by coordinator');

    const pbft = runs['pbft-ledger']!;
    const p = showJson(pbft.id, { byzantine: true, leaders: true });
    expect(p.byzantine.configured).toEqual(pbft.result.pbft!.byzantine.agents);
    expect(p.byzantine.undetected).toEqual([]);
    expect(p.byzantine.detected.map((d: { suspect: string; caughtBy: string[]; kinds: string[] }) => [d.suspect, d.kinds, d.caughtBy[0]])).toEqual(
      pbft.result.pbft!.detected.map((d) => [d.suspect, [d.kind], d.by]),
    );
    expect(p.leaders.currentLeader).toBe('node_002');
    const lines = show(pbft.id, { byzantine: true, leaders: true });
    expect(lines).toContain(
      '  node_001  equivocation · caught at 6.85 ms by node_003, node_005, node_007, node_006 and 2 more (6 detections) · isolated at 6.85 ms',
    );
    expect(lines).toContain('      evidence: 2 signed messages (digest 50bed6be vs e3b0c442)');
    expect(lines).toContain('  byzantine by the scenario: node_001, node_005 · all caught');
    expect(lines).toContain('  current primary  node_002');
  });

  it("--weights: each agent's weight over time, ending at the run's final weights", () => {
    const { id, result } = runs['dynamic-weights']!;
    const w = showJson(id, { weights: true }).weights;
    expect(w.updates).toBe(300);
    expect(Object.fromEntries(w.agents.map((a: { agent: string; final: number }) => [a.agent, a.final]))).toEqual(result.weights);
    expect(w.samples.map((s: { decision: string }) => s.decision)).toEqual(['d1', 'd61', 'd121', 'd180', 'd240', 'd300']);
    const lines = show(id, { weights: true });
    expect(lines).toContain('  agent                       start      d1     d61    d121    d180    d240    d300     min     max  changes');
    expect(lines).toContain('  optimisation_engineer_001    1.00    1.20    5.00    5.00    5.00    5.00    4.80    1.20    5.00       88 ↑');
  });

  it('--json without a section flag gives every section', () => {
    expect(Object.keys(showJson(runs['db-choice']!.id))).toEqual(
      expect.arrayContaining([
        'run',
        'decisions',
        'latencyMs',
        'stored',
        'timeline',
        'votes',
        'weights',
        'participation',
        'voteConflicts',
        'byzantine',
        'leaders',
        'faults',
      ]),
    );
  });

  it('says when only the first decisions were stored one by one', async () => {
    const file = join(dir, 'detail.db');
    await runCommand(example('db-choice'), { store: file, storeDetail: 50, timeline: 0, progress: { write: () => undefined } }, () => undefined);
    expect(show('last', { store: file })).toContain('  stored       votes and decisions stored one by one for the first 50 of 200; the rest as aggregates');
  });
});

describe('stress campaigns and benchmarks in the store', () => {
  it("show their reports: a campaign's runs and findings, a benchmark's groups", () => {
    const file = join(dir, 'reports.db');
    const db = openStore(file);
    const stress = insertRun(db, { kind: 'stress', name: 'stress raft', protocol: 'raft', mode: 'sim', agents: 3, detailLimit: 0, signed: false }, 'r-stress');
    new RunWriter(db, stress, { detailLimit: 0 }).finish({
      status: 'completed',
      exitCode: 0,
      result: JSON.stringify({
        plan: { protocol: 'raft', agents: 3, faults: ['crash', 'partition'], decisions: 10 },
        runs: 4,
        seed: 1,
        decisions: { attempted: 40, decided: 40 },
        violations: {},
        byChecker: {},
        unfinished: [],
        notTerminated: [],
        stalled: [],
        slowestRecovery: { seed: 3, ms: 466.4 },
        failing: [],
        detected: 0,
      }),
    });
    const bench = insertRun(
      db,
      { kind: 'bench', name: 'bench simple_majority', protocol: 'simple_majority', mode: 'sim', agents: 3, detailLimit: 0, signed: false },
      'r-bench',
    );
    new RunWriter(db, bench, { detailLimit: 0 }).finish({
      status: 'completed',
      exitCode: 0,
      result: JSON.stringify({
        version: 1,
        kind: 'conclave-bench',
        results: [
          {
            algorithm: 'simple_majority',
            agents: 3,
            iterations: 2,
            decisions: { attempted: 100, decided: 100 },
            successRate: 1,
            consensusMs: { clock: 'virtual', p50: 4.699, p99: 5.754 },
            messagesPerDecision: 6.04,
            quality: 0.86,
            safetyViolations: 0,
          },
        ],
      }),
    });
    db.close();
    const table: string[] = [];
    runsCommand({ store: file }, (l) => table.push(l));
    expect(
      table
        .find((l) => l.includes('r-stress'))!
        .split(/ {2,}/)
        .slice(3),
    ).toEqual(['stress', 'stress raft', 'raft', 'sim', '3', '40/40', 'completed', '0']);
    expect(
      table
        .find((l) => l.includes('r-bench'))!
        .split(/ {2,}/)
        .slice(3, 9),
    ).toEqual(['bench', 'bench simple_majority', 'simple_majority', 'sim', '3', '100/100']);
    const s = show('r-stress', { store: file });
    expect(s).toContain('  campaign     4 runs · faults crash, partition · 0 failing · 0 stalled · 0 not terminated · 0 unfinished · 0 liars caught');
    expect(s).toContain('  safety       0 violations');
    expect(s).toContain("  stored       the campaign's report and its findings (its runs' decisions are not stored one by one)");
    const b = show('r-bench', { store: file });
    expect(b).toContain("  consensus    p50 4.70 ms · p99 5.75 ms (simulated time; the run's own figures)");
    expect(b).toContain('  simple_majority                3           2      100/100   100.0%    4.70 ms    5.75 ms            6.0    86.0%           0');
  });
});

describe('conclave stats', () => {
  it('per protocol: runs, decisions, success rate, consensus time over the stored decisions, messages per decision, quality', () => {
    const out: string[] = [];
    expect(statsCommand(undefined, { store, json: true }, (l) => out.push(l))).toBe(0);
    const stats = JSON.parse(out.join('\n'));
    expect(stats.runs).toBe(5);
    const byProtocol = Object.fromEntries(stats.protocols.map((p: { protocol: string }) => [p.protocol, p]));
    const db = runs['db-choice']!.result;
    expect(byProtocol.simple_majority).toMatchObject({
      runs: 1,
      attempted: db.decisions.attempted,
      decided: db.decisions.decided,
      successRate: 0.93,
      messagesPerDecision: db.messagesPerDecision,
      quality: db.quality,
      safetyViolations: 0,
    });
    const raft = runs['raft-deployment']!.result;
    expect(byProtocol.raft).toMatchObject({
      runs: 1,
      attempted: 2000,
      decided: 2000,
      successRate: 1,
      messagesPerDecision: raft.messages.sent / raft.decisions.attempted,
      quality: null,
    });
    // Exact percentiles over the stored decisions sit within a histogram bucket of the run's own figures.
    expect(Math.abs(byProtocol.simple_majority.latencyMs.p50 - db.latencyMs.p50)).toBeLessThan(0.1);

    const text: string[] = [];
    statsCommand('last', { store }, (l) => text.push(l));
    expect(text[0]).toBe(`Consensus statistics · run ${runs['dynamic-weights']!.id} (dynamic-weights) · ${store}`);
    expect(text[2]).toBe('  weighted_voting     1            291/300    97.0%  4.94 ms  5.89 ms           10.0    97.3%           0');
  });

  it('says what the default leaves out (stress campaigns, benchmarks, hive sessions) instead of dropping it silently', () => {
    const own = join(mkdtempSync(join(tmpdir(), 'conclave-stats-kinds-')), 'conclave.db');
    const db = openStore(own);
    for (const kind of ['run', 'stress', 'stress', 'bench', 'hive'] as const)
      insertRun(db, { kind, name: kind, protocol: 'simple_majority', detailLimit: 100, signed: false });
    db.close();
    const text: string[] = [];
    statsCommand(undefined, { store: own }, (l) => text.push(l.replace(/\x1b\[[0-9;]*m/g, '')));
    expect(text[0]).toBe(`Consensus statistics · 1 stored run · ${own}`);
    expect(text[1]).toBe('  not counted: 2 stress campaigns, 1 benchmark, 1 hive session (each reports in its own shape: conclave show ID, or --kind)');
    const stress: string[] = [];
    statsCommand(undefined, { store: own, kind: 'stress' }, (l) => stress.push(l));
    expect(stress.some((l) => l.includes('not counted'))).toBe(false);
  });

  it('a hive session: show says what the queen did, stats --kind hive counts its critical decisions, runs --kind hive lists it', () => {
    const own = join(mkdtempSync(join(tmpdir(), 'conclave-hive-show-')), 'conclave.db');
    const cli = new URL('../bin/conclave.js', import.meta.url).pathname;
    const spawned = spawnSync(process.execPath, [cli, 'hive-mind', 'spawn', 'Document the API', '--store', own], { encoding: 'utf8' });
    expect(spawned.status, spawned.stderr).toBe(0);
    const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
    const lines: string[] = [];
    expect(showCommand('last', { store: own }, (l) => lines.push(...l.split('\n').map(plain)))).toBe(0);
    const line = (label: string) => lines.find((l) => l.startsWith(`  ${label.padEnd(12)} `));
    expect(line('decisions')).toBe('  decisions    3 attempted · 3 decided (100.0%) · 0 no consensus · 0 timed out');
    expect(line('safety')).toBe('  safety       0 violations');
    expect(line('hive')).toBe('  hive         adaptive queen · 20 workers · 4 teams · hierarchical · consensus auto');
    expect(line('work')).toMatch(/^ {2}work {9}1 of 1 objectives done · 16 of 16 subtasks done · quality 0\.\d{3} · [\d,]+ ms simulated$/);
    expect(line('critical')).toBe('  critical     3 decisions by consensus · 0 undecided · 0 against the honest experts');
    expect(line('learned')).toBe('  learned      reasoning-bank/pattern/document-the-api (fixed configuration)');
    expect(line('stored')).toBe("  stored       the session's report and its findings (its decisions are not stored one by one)");
    const stats: string[] = [];
    statsCommand(undefined, { store: own, kind: 'hive' }, (l) => stats.push(plain(l)));
    expect(stats[2]).toBe('  hive         1                3/3   100.0%    -    -              -        -           0');
    const listed: string[] = [];
    runsCommand({ store: own, kind: 'hive' }, (l) => listed.push(plain(l)));
    expect(listed[1]).toMatch(/ hive {2}Document the API {2}hive {6}sim .* completed {5}0$/);
    for (const refused of [
      () => statsCommand(undefined, { store: own, kind: 'hives' }, () => undefined),
      () => runsCommand({ store: own, kind: 'hives' }, () => undefined),
    ])
      expect(failure(refused).message).toMatch(/"--kind": expected one of run, stress, bench, replay, hive, got "hives"/);
  });

  it('refuses a protocol no stored run used, and a run together with filters', () => {
    expect(failure(() => statsCommand(undefined, { store, protocol: 'paxos' }, () => undefined)).message).toMatch(
      /"--protocol": expected one of the protocols the stored runs used: byzantine_supermajority, byzantine_tolerant, raft, simple_majority, weighted_voting, got "paxos"/,
    );
    expect(failure(() => statsCommand('last', { store, protocol: 'raft' }, () => undefined))).toBeInstanceOf(ConfigError);
  });
});

describe('bad input exits 2 and says what to do', () => {
  it('an unknown run id: how many runs the store holds and the most recent ids', () => {
    const e = failure(() => show('nope'));
    expect(e).toBeInstanceOf(StoreError);
    expect(e.message).toContain(
      `has no run "nope": it holds 5 runs, the most recent ${runs['dynamic-weights']!.id} (dynamic-weights), ${runs['pbft-ledger']!.id} (pbft-ledger)`,
    );
    expect(e.message).toContain('conclave runs lists them all');
  });

  it('an ambiguous prefix lists its matches', () => {
    const e = failure(() => show(runs['db-choice']!.id.slice(0, 4)));
    expect(e.message).toMatch(/run "\d{4}" is ambiguous: 5 run ids begin with it: /);
    for (const r of Object.values(runs)) expect(e.message).toContain(r.id);
  });

  it('`last` on an empty store, and a store that does not exist', () => {
    const empty = join(dir, 'empty.db');
    openStore(empty).close();
    expect(failure(() => show('last', { store: empty })).message).toMatch(/empty\.db: holds no run yet, so there is no last one/);
    expect(failure(() => show('abc', { store: empty })).message).toMatch(/has no run "abc": it holds no run yet/);
    expect(failure(() => show('last', { store: join(dir, 'absent.db') })).message).toMatch(/absent\.db: does not exist: no run has been recorded here yet/);
    const out: string[] = [];
    runsCommand({ store: empty }, (l) => out.push(l));
    expect(out).toEqual([`No run has been recorded in ${empty} yet: conclave run SCENARIO records one.`]);
  });

  it('bad option values name the flag', () => {
    expect(failure(() => runsCommand({ store, since: 'yesterday' }, () => undefined)).message).toMatch(
      /"--since": expected an age such as 30m, 2h, 1d or 1w, or an ISO date/,
    );
    expect(failure(() => runsCommand({ store, kind: 'sweep' }, () => undefined)).message).toMatch(
      /"--kind": expected one of run, stress, bench, replay, hive, got "sweep"/,
    );
    expect(failure(() => show('last', { limit: 0 })).message).toMatch(/"--limit": expected an integer from 1 to 1,000,000/);
  });

  it('from the command line: an unknown run and an unknown flag exit 2', () => {
    const cli = new URL('../bin/conclave.js', import.meta.url).pathname;
    const unknown = spawnSync(process.execPath, [cli, 'show', 'nope', '--store', store], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^conclave show: Run store .*runs\.db: has no run "nope": it holds 5 runs/);
    const flag = spawnSync(process.execPath, [cli, 'show', 'last', '--votes', '--bogus', '--store', store], { encoding: 'utf8' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
  });
});
