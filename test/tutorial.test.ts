/**
 * docs/tutorial.md (issue 15, "tutorial parity"): every exercise of the consensus tutorial our
 * users come from, and every troubleshooting command, done with Conclave. Each scenario under
 * examples/tutorial/ runs here as `conclave run` runs it (through `runCommand`, recorded in a
 * store of this test's own, in sim mode), and shows what its exercise is about; bench, analyze and
 * optimize, config, show, stats, monitor, audit, approve and health run through their command
 * functions. A file that waits for a feature goes in `pending` below, naming it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from '../src/cli/analyze-command.ts';
import { approveCommand } from '../src/cli/approve-command.ts';
import { auditExportCommand, auditVerifyCommand } from '../src/cli/audit-command.ts';
import { healthCommand } from '../src/cli/health-command.ts';
import { monitorCommand } from '../src/cli/monitor-command.ts';
import { benchCommand } from '../src/cli/bench-command.ts';
import { configGetCommand, configMergeCommand, configSetCommand, configShowCommand } from '../src/cli/config-command.ts';
import { optimizeCommand } from '../src/cli/optimize-command.ts';
import { replayCommand } from '../src/cli/replay-command.ts';
import { runCommand, type RunCommandOptions } from '../src/cli/run-command.ts';
import { showCommand, type ShowCommandOptions } from '../src/cli/show-command.ts';
import { statsCommand } from '../src/cli/stats-command.ts';
import type { BenchReport } from '../src/bench/bench-report.ts';
import type { ConfigPlaces } from '../src/config/config-files.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/index.ts';
import type { ScenarioResult } from '../src/swarm/run-scenario.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = join(root, 'examples', 'tutorial');
const example = (name: string) => join(dir, name);
const tmp = mkdtempSync(join(tmpdir(), 'conclave-tutorial-'));
/** One store for every run of this file, as a user's .conclave/conclave.db holds every run. */
const store = join(tmp, 'conclave.db');
/** Where runs look for configuration files: an empty project directory and user home, so no file of this machine's leaks in. */
const places = (name: string): ConfigPlaces => {
  const cwd = join(tmp, name);
  mkdirSync(join(cwd, 'home'), { recursive: true });
  return { cwd, env: { CONCLAVE_HOME: join(cwd, 'home') } };
};
const noConfig = places('no-config');
const plain = (lines: readonly string[]) => lines.join('\n').replace(/\x1b\[\d+m/g, '');
const quiet = { write: () => undefined };
/** The tutorial files this test ran (checked at the end against every file under examples/tutorial/). */
const ran = new Set<string>();
/** Files whose runs wait for a command or section that lands later, and what they wait for. */
const pending: Record<string, string> = {};
/** Files that are run through another one (a workflow a scenario names). */
const runThrough: Record<string, string> = { '14-multistage-workflow.json': '14-multistage-from-json.yml' };
/** The run id each tutorial file's latest run was stored under. */
const recorded: Record<string, string> = {};
const used = (file: string | undefined) => {
  if (file?.startsWith(dir)) ran.add(file.slice(dir.length + 1));
};

/** `conclave run FILE --json`, recorded in the test's store: the exit code, the result and its run id. */
async function run(file: string | undefined, opts: Partial<RunCommandOptions> = {}): Promise<{ code: number; result: ScenarioResult; runId: string }> {
  used(file);
  for (const c of [opts.config ?? []].flat()) used(c);
  const lines: string[] = [];
  const code = await runCommand(file, { store, timeline: 0, json: true, progress: quiet, places: noConfig, ...opts }, (l) => lines.push(l));
  expect(lines).toHaveLength(1);
  const { runId, ...result } = JSON.parse(lines[0]) as ScenarioResult & { runId: string };
  if (file !== undefined) recorded[file] = runId;
  return { code, result, runId };
}

/** `conclave run FILE --json` for a file made in the test (not counted as a tutorial file run). */
async function runCommandJson(file: string, opts: Partial<RunCommandOptions> = {}): Promise<{ code: number; result: ScenarioResult }> {
  const lines: string[] = [];
  const code = await runCommand(file, { store, timeline: 0, json: true, progress: quiet, places: noConfig, ...opts }, (l) => lines.push(l));
  return { code, result: JSON.parse(lines.join('\n')) as ScenarioResult };
}

/** `conclave run FILE --timeline N`: the exit code and the summary as a person reads it. */
async function text(file: string, timeline: number, opts: Partial<RunCommandOptions> = {}): Promise<{ code: number; text: string }> {
  used(file);
  const lines: string[] = [];
  const code = await runCommand(file, { store, timeline, progress: quiet, places: noConfig, ...opts }, (l) => lines.push(l));
  return { code, text: plain(lines) };
}

/** `conclave monitor RUN --follow` on a stored run: its lines (a run that has ended is not waited for). */
async function monitor(runId: string): Promise<string> {
  const lines: string[] = [];
  const code = await monitorCommand(runId, { store, follow: true }, (l) => lines.push(l), {
    sleep: () => Promise.reject(new Error('monitor waited for a run that has ended')),
  });
  expect(code).toBe(0);
  return plain(lines);
}

/** `conclave show RUN [sections]`: the text a person reads. */
function show(runId: string, opts: ShowCommandOptions): string {
  const lines: string[] = [];
  expect(showCommand(runId, { store, ...opts }, (l) => lines.push(l))).toBe(0);
  return plain(lines);
}

/** `conclave show RUN [sections] --json`. */
function showJson(runId: string, opts: ShowCommandOptions): Record<string, any> {
  const lines: string[] = [];
  expect(showCommand(runId, { store, json: true, ...opts }, (l) => lines.push(l))).toBe(0);
  return JSON.parse(lines.join('\n'));
}

/** The `decided` and `escalated` events of a trace file. */
function decisionEvents(traceFile: string): { t: number; type: string; algorithm?: string }[] {
  return readFileSync(traceFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'emit' && (e.event.type === 'decided' || e.event.type === 'escalated'))
    .map((e) => ({ t: e.t, type: e.event.type, algorithm: e.event.algorithm }));
}

describe('docs/tutorial.md and examples/tutorial/', () => {
  const doc = readFileSync(join(root, 'docs', 'tutorial.md'), 'utf8');
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();

  it('every file under examples/tutorial/ is used in the tutorial, and every one the tutorial names exists', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const f of files) expect(doc, `docs/tutorial.md never mentions examples/tutorial/${f}`).toContain(`examples/tutorial/${f}`);
    const named = [...new Set([...doc.matchAll(/examples\/tutorial\/([\w.-]+\.(?:ya?ml|json))/g)].map((m) => m[1]))];
    for (const f of named) expect(existsSync(example(f)), `docs/tutorial.md names examples/tutorial/${f}, which does not exist`).toBe(true);
    // ...and every other file it points a reader at (policies, fixtures).
    for (const [, path] of doc.matchAll(/\b((?:examples|src|test)\/[\w./-]+\.(?:ts|yml|json))\b/g)) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('has a section for each of the 19 exercises and for the three troubleshooting problems', () => {
    for (let n = 1; n <= 19; n++) expect(doc, `exercise ${n}`).toMatch(new RegExp(`^### Exercise ${n}\\b`, 'm'));
    for (const problem of ['Consensus never reached', 'Byzantine agents detected', 'Poor consensus performance']) expect(doc).toContain(problem);
  });
});

describe('Part 1: configuration (exercise 1)', () => {
  it("1: the tutorial's consensus-config.yml, given to conclave run --config, fills in the built-in scenario", async () => {
    const config = example('01-consensus-config.yml');
    const s = parseScenario(undefined, undefined, { configFile: config });
    expect(s.consensus).toMatchObject({ algorithm: 'simple_majority', threshold: 0.5, min_participants: 2 });
    // The tutorial writes `voting_timeout: 60` and means a minute; the file says 60s.
    expect(s.consensus.votingTimeoutMs).toBe(60_000);
    expect(s.consensus.agent_weights).toMatchObject({ researcher: 1.5, analyst: 1.5, coder: 1, tester: 2, coordinator: 1.2 });
    // Under a scenario: the scenario's own settings win, the roles' weights come from the file.
    const db = await loadScenarioFile(example('02-majority-db.yml'), { configFile: config });
    expect(db.consensus.agent_weights).toMatchObject({ researcher: 1.5, analyst: 1.5 });
    expect(db.consensus.votingTimeoutMs).toBe(60_000);
    const { code, result } = await run(undefined, { config });
    expect(code).toBe(0);
    expect(result.algorithm).toBe('simple_majority');
    expect(result.decisions.decided).toBeGreaterThan(0);
  });

  it("1: conclave config merge keeps the file in the project's conclave.config.yml; config show --resolved says what a run will use and where it came from", async () => {
    const project = places('project-01');
    expect(configMergeCommand(example('01-consensus-config.yml'), {}, () => undefined, project)).toBe(0);
    expect(existsSync(join(project.cwd, 'conclave.config.yml'))).toBe(true);
    const shown: string[] = [];
    expect(await configShowCommand(undefined, { resolved: true, json: true }, (l) => shown.push(l), project)).toBe(0);
    const settings = Object.fromEntries((JSON.parse(shown.join('\n')).settings as { key: string; value: unknown; source: string }[]).map((e) => [e.key, e]));
    const fromProject = (key: string, value: unknown) =>
      expect(settings[key], key).toMatchObject({ value, source: `project file ${join(project.cwd, 'conclave.config.yml')}` });
    fromProject('consensus.algorithm', 'simple_majority');
    fromProject('consensus.threshold', 0.5);
    fromProject('consensus.min_participants', 2);
    fromProject('consensus.voting_timeout', '60000ms');
    fromProject('consensus.agent_weights.tester', 2);
    // A run in that directory uses it without --config, and says the weights count for nothing under simple majority.
    const { result } = await run(example('02-majority-db.yml'), { places: project });
    expect(result.algorithm).toBe('simple_majority');
    expect((result.warnings ?? []).join('\n')).toMatch(/agent_weights/);
  });

  it("1: the tutorial's own bare `voting_timeout: 60` is 60 ms, and the run says to write 60s if seconds were meant", async () => {
    const bare = join(tmp, 'consensus-config-bare.yml');
    writeFileSync(bare, readFileSync(example('01-consensus-config.yml'), 'utf8').replace(/^ {2}voting_timeout: 60s.*$/m, '  voting_timeout: 60'));
    expect(parseScenario(undefined, undefined, { configFile: bare }).consensus.votingTimeoutMs).toBe(60);
    const { result } = await run(undefined, { config: bare });
    expect((result.warnings ?? []).join('\n')).toMatch(/voting_timeout[\s\S]*60s/);
  });

  it("4: after exercise 1's merge (byzantine_tolerance: false) a PBFT scenario runs PBFT and names the project's contrary setting; the tutorial's config set byzantine_tolerance true silences it", async () => {
    const project = places('project-04');
    expect(configMergeCommand(example('01-consensus-config.yml'), {}, () => undefined, project)).toBe(0);
    const before = await run(example('04-bft-investment.yml'), { places: project });
    expect(before.result.algorithm).toBe('byzantine_tolerant');
    expect((before.result.warnings ?? []).join('\n')).toMatch(
      /consensus\.byzantine_tolerance \(the project file [^)]*\): false, but this scenario names consensus\.algorithm: byzantine_tolerant/,
    );
    expect(configSetCommand('consensus.byzantine_tolerance', 'true', {}, () => undefined, project)).toBe(0);
    expect(configSetCommand('consensus.malicious_detection', 'true', {}, () => undefined, project)).toBe(0);
    const { code, result } = await run(example('04-bft-investment.yml'), { places: project });
    expect(code).toBe(0);
    expect((result.warnings ?? []).join('\n')).not.toMatch(/byzantine_tolerance/);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
  });

  it("4 then 8: the tutorial's config set commands in one project; Raft runs and names byzantine_tolerance: true, then its timeouts (bare ms) apply", async () => {
    const project = places('project-08');
    const set = (key: string, value: string) => expect(configSetCommand(key, value, {}, () => undefined, project)).toBe(0);
    // exercise 4
    set('consensus.default_algorithm', 'byzantine_tolerant');
    set('consensus.byzantine_tolerance', 'true');
    set('consensus.malicious_detection', 'true');
    const got: string[] = [];
    expect(configGetCommand('consensus.default_algorithm', {}, (l) => got.push(l), project)).toBe(0);
    expect(plain(got)).toContain('byzantine_tolerant');
    // where the scenario names no algorithm, the project's default is PBFT
    const bare = join(tmp, '04-no-algorithm.yml');
    writeFileSync(bare, readFileSync(example('04-bft-investment.yml'), 'utf8').replace(/^  algorithm: byzantine_tolerant\n/m, ''));
    expect(readFileSync(bare, 'utf8')).not.toMatch(/algorithm:/);
    const pbft = await runCommandJson(bare, { places: project });
    expect(pbft.result.algorithm).toBe('byzantine_tolerant');
    expect(pbft.result.pbft).toMatchObject({ n: 7, f: 2 });
    // exercise 8, as the tutorial writes it
    set('consensus.raft.enabled', 'true');
    set('consensus.raft.leader_timeout', '5000');
    set('consensus.raft.election_timeout_min', '1000');
    set('consensus.raft.election_timeout_max', '2000');
    // Exercise 4's byzantine_tolerance: true is left in the project: the Raft scenario runs Raft and names it.
    const named = await run(example('08-raft-deployment.yml'), { places: project });
    expect(named.result.algorithm).toBe('raft');
    expect((named.result.warnings ?? []).join('\n')).toMatch(
      /consensus\.byzantine_tolerance \(the project file [^)]*\): true, but this scenario names consensus\.algorithm: raft, which does not tolerate Byzantine agents/,
    );
    set('consensus.byzantine_tolerance', 'false');
    // exercise 8's scenario without its own raft timeouts: the project's apply, 1000 meaning 1000 ms
    const scenario = join(tmp, '08-no-timeouts.yml');
    writeFileSync(scenario, readFileSync(example('08-raft-deployment.yml'), 'utf8').replace(/^  raft: .*$/m, ''));
    const { result } = await runCommandJson(scenario, { places: project });
    expect(result.algorithm).toBe('raft');
    expect(result.raft!.leaders[0].at).toBeGreaterThanOrEqual(1000);
    expect(result.raft!.leaders[0].at).toBeLessThan(4000);
    expect((result.warnings ?? []).join('\n')).toMatch(/consensus\.raft\.leader_timeout[^\n]*not used/);
  });
});

describe('Part 2: simple majority (exercises 2, 3)', () => {
  it('2: five agents reach a simple majority on the database, mostly the right one, and the run is recorded', async () => {
    const { code, result, runId } = await run(example('02-majority-db.yml'));
    expect(code).toBe(0);
    expect(result).toMatchObject({ algorithm: 'simple_majority', agents: 5, topology: 'mesh', mode: 'sim' });
    expect(result.decisions.attempted).toBe(50);
    expect(result.decisions.decided).toBeGreaterThanOrEqual(40);
    expect(result.quality).toBeGreaterThanOrEqual(0.9);
    expect(result.safetyViolations).toEqual([]);
    expect(runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]+$/);
  });

  it("3: the timeline shows each agent's vote with its reason, then the majority reached", async () => {
    const { code, text: t } = await text(example('02-majority-db.yml'), 3);
    expect(code).toBe(0);
    expect(t).toMatch(/coordinator opens d1: Choose the best database technology/);
    for (const agent of ['researcher_001', 'analyst_001', 'analyst_002', 'coder_001', 'coder_002']) {
      expect(t).toMatch(new RegExp(`${agent} votes (PostgreSQL|MongoDB|DynamoDB) \\([a-zA-Z ]+; confidence 0\\.\\d\\d\\)`));
    }
    expect(t).toMatch(/d1 decided PostgreSQL \(simple_majority, strength [\d.]+, \d\/5 votes\)/);
    expect(t).toMatch(/d3 (decided|no consensus)/);
    expect(t).not.toMatch(/opens d4/);
    expect(t).toMatch(/stored as \S+ \(50 decisions\) · conclave show /);
  });

  it('2: conclave monitor RUN --follow reads the recorded run: its decisions, votes and verdict', async () => {
    const { result, runId } = await run(example('02-majority-db.yml'));
    const t = await monitor(runId);
    expect(t).toContain(`run ${runId}: tutorial-majority-db · simple_majority · sim · 5 agents`);
    expect(t).toMatch(new RegExp(`completed · closed 50 \\(decided ${result.decisions.decided}\\) .* votes 250`));
    expect(t).toMatch(new RegExp(`run ${runId} completed \\(exit 0\\) after [\\d.]+ m?s: 50 decisions closed, ${result.decisions.decided} decided`));
  });
  it('3: conclave show RUN --timeline and --votes --reasoning show the recorded votes with their reasons, as the run printed them', async () => {
    const { runId } = await run(example('02-majority-db.yml'));
    const printed = (await text(example('02-majority-db.yml'), 1)).text;
    const votes = (t: string) => [...t.matchAll(/(\w+_\d{3}) votes (\w+) \(([^;]+); confidence (0\.\d\d)\)/g)].map((m) => m.slice(1).join(' '));
    const timeline = show(runId, { timeline: true, limit: 1 });
    expect(votes(timeline)).toHaveLength(5);
    expect(votes(timeline)).toEqual(votes(printed));
    const j = showJson(runId, { votes: true, reasoning: true, limit: 2 });
    expect(j.votes.map((d: { decision: string }) => d.decision)).toEqual(['d1', 'd2']);
    for (const d of j.votes) {
      expect(d.ballots).toHaveLength(5);
      for (const b of d.ballots) expect(b.reason).toMatch(/\w/);
    }
  });

  it('3: conclave stats RUN: decisions, success rate and consensus time of the recorded run', async () => {
    const { result, runId } = await run(example('02-majority-db.yml'));
    const lines: string[] = [];
    expect(statsCommand(runId, { store, json: true }, (l) => lines.push(l))).toBe(0);
    const stats = JSON.parse(lines.join('\n'));
    const p = stats.protocols.find((x: { protocol: string }) => x.protocol === 'simple_majority');
    expect(p).toMatchObject({ runs: 1, attempted: 50, decided: result.decisions.decided, safetyViolations: 0 });
    expect(p.successRate).toBeCloseTo(result.decisions.decided / 50, 5);
  });
});

describe('Part 3: Byzantine fault tolerance (exercises 4, 5)', () => {
  it('4: seven PBFT replicas (f = 2) commit every request, signed, with the checkers clean', async () => {
    const { code, result } = await run(example('04-bft-investment.yml'));
    expect(code).toBe(0);
    expect(result.algorithm).toBe('byzantine_tolerant');
    expect(result.pbft).toMatchObject({ n: 7, f: 2, signatures: 'token' });
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.safetyViolations).toEqual([]);
    expect(result.safetyChecked).toBe(true);
  });

  it('5: with 20% Byzantine replicas (conflicting votes, delayed responses, false information) every liar is caught with evidence and isolated, and every request still commits', async () => {
    const { code, result } = await run(example('05-byzantine-simulation.yml'));
    expect(code).toBe(0);
    const liars = result.pbft!.byzantine.agents;
    expect(liars.length).toBeGreaterThanOrEqual(1); // 20% of 7
    expect(result.pbft!.byzantine.kinds).toEqual(['conflicting_votes', 'delayed_responses', 'false_information']);
    expect(result.byzantineDetected.map((d) => d.agent).sort()).toEqual([...liars].sort());
    for (const d of result.byzantineDetected) expect(d.evidence).toMatch(/signed proof/);
    expect(result.pbft!.rejected['sender proven faulty: isolated']).toBeGreaterThan(0);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.safetyViolations).toEqual([]);
  });

  it('5: conclave show RUN --byzantine lists the liar the scenario made, caught, with its evidence', async () => {
    const { result, runId } = await run(example('05-byzantine-simulation.yml'));
    const b = showJson(runId, { byzantine: true }).byzantine;
    expect(b.configured).toEqual(result.pbft!.byzantine.agents);
    expect(b.undetected).toEqual([]);
    expect(b.detected.map((d: { suspect: string }) => d.suspect)).toEqual(result.pbft!.byzantine.agents);
    expect(show(runId, { byzantine: true })).toMatch(/all caught/);
  });
});

describe('Part 4: weighted voting (exercises 6, 7)', () => {
  it('6: expert weights decide more often, and only right, than the same agents with equal weights', async () => {
    const weighted = await run(example('06-expert-weights.yml'));
    expect(weighted.code).toBe(0);
    expect(weighted.result.algorithm).toBe('weighted_voting');
    // The same scenario without agent_expertise: one head, one vote.
    const source = readFileSync(example('06-expert-weights.yml'), 'utf8');
    const flat = source.replace(/  agent_expertise:\n(    .*\n)+/, '');
    expect(flat).not.toMatch(/^\s+agent_expertise:/m);
    const flatFile = join(tmp, '06-equal-weights.yml');
    writeFileSync(flatFile, flat);
    const equal = await run(flatFile);
    expect(weighted.result.decisions.decided).toBeGreaterThan(equal.result.decisions.decided);
    expect(weighted.result.quality).toBe(1);
    expect(equal.result.quality!).toBeLessThan(1);
  });

  it("6: each vote is counted with its role's expert weight (the tutorial's --show-weights: audit.detailed_logging puts it in the trace)", async () => {
    const trace = join(tmp, 'weights.jsonl');
    await run(example('06-expert-weights.yml'), { trace });
    const weights = new Map<string, Set<number>>();
    for (const e of readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))) {
      if (e.type === 'emit' && e.event.type === 'vote') weights.set(e.event.role, (weights.get(e.event.role) ?? new Set()).add(e.event.weight));
    }
    expect(Object.fromEntries([...weights].map(([role, w]) => [role, [...w]]))).toEqual({
      security_expert: [3],
      performance_expert: [2.5],
      domain_expert: [2],
      general_developer: [1],
    });
  });

  it('7: dynamic weights move toward the agents that were right', async () => {
    const { code, result } = await run(example('07-dynamic-weights.yml'));
    expect(code).toBe(0);
    const w = result.weights!;
    expect(Object.keys(w).sort()).toEqual(['data_scientist_001', 'intern_001', 'junior_analyst_001', 'mathematician_001', 'optimisation_engineer_001']);
    // accuracies 0.95, 0.9 against 0.5, 0.45; everyone started at 1
    for (const strong of ['mathematician_001', 'optimisation_engineer_001']) {
      expect(w[strong]).toBeGreaterThan(1);
      for (const weak of ['junior_analyst_001', 'intern_001']) expect(w[strong]).toBeGreaterThan(w[weak]);
    }
    expect(w.intern_001).toBeLessThan(1);
    expect(result.quality).toBeGreaterThanOrEqual(0.95);
  });

  it("7: conclave show RUN --weights shows how each agent's weight evolved, ending at the run's final weights", async () => {
    const { result, runId } = await run(example('07-dynamic-weights.yml'));
    const w = showJson(runId, { weights: true }).weights;
    expect(w.updates).toBe(200);
    expect(Object.fromEntries(w.agents.map((a: { agent: string; final: number }) => [a.agent, a.final]))).toEqual(result.weights);
  });
});

describe('Part 5: Raft (exercises 8, 9)', () => {
  it("8: five nodes elect a leader within the tutorial's election timeouts (1000-2000 ms) and commit every command", async () => {
    const { code, result } = await run(example('08-raft-deployment.yml'));
    expect(code).toBe(0);
    expect(result.algorithm).toBe('raft');
    const first = result.raft!.leaders[0];
    expect(first).toBeDefined();
    // No node may stand before its election timeout (at least 1000 ms) has run out.
    expect(first.at).toBeGreaterThanOrEqual(1000);
    expect(first.at).toBeLessThan(4000);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.safetyViolations).toEqual([]);
  });

  it('9: the leader crashes, the others elect a new one, and no acknowledged command is lost', async () => {
    const { code, result } = await run(example('09-raft-leader-crash.yml'));
    expect(code).toBe(0);
    const { leaders, failovers } = result.raft!;
    expect(failovers).toHaveLength(1);
    const [f] = failovers;
    expect(f.at).toBe(3000);
    expect(f.crashed).toBe(leaders.filter((l) => l.at <= 3000).at(-1)!.leader);
    expect(f.newLeader).not.toBeNull();
    expect(f.newLeader).not.toBe(f.crashed);
    expect(f.ms!).toBeGreaterThan(0);
    expect(leaders.some((l) => l.leader === f.newLeader && l.at > 3000)).toBe(true);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.decisions.attempted).toBeGreaterThan(100);
    expect(result.safetyViolations).toEqual([]);
  });

  it("9: the summary's timeline shows the crash and the new leader's election", async () => {
    const { text: t } = await text(example('09-raft-leader-crash.yml'), 1);
    expect(t).toMatch(/3000\.00 ms {2}\S+ crashed/);
    expect(t).toMatch(/failover +(\S+) crashed at 3,000 ms → (\S+) led [\d,]+ ms later/);
    const [, crashed, next] = /failover +(\S+) crashed at 3,000 ms → (\S+) led/.exec(t)!;
    expect(next).not.toBe(crashed);
    expect(t).toMatch(new RegExp(`${next} elected leader of term \\d+`));
  });

  it("9: conclave show RUN --leaders names each term's leader, the failover and the current leader", async () => {
    const { result, runId } = await run(example('09-raft-leader-crash.yml'));
    const l = showJson(runId, { leaders: true }).leaders;
    expect(l.terms.map((t: { term: number; leader: string; from: number }) => ({ term: t.term, leader: t.leader, at: t.from }))).toEqual(result.raft!.leaders);
    expect(l.failovers).toEqual(result.raft!.failovers);
    expect(l.currentLeader).toBe(result.raft!.failovers[0].newLeader);
  });
});

describe('Part 6: custom policies (exercises 10, 11)', () => {
  it('10: the medical policy module decides only with enough evidence-weighted agreement, and always the right treatment', async () => {
    const { code, result } = await run(example('10-medical-policy.yml'));
    expect(code).toBe(0);
    expect(result.algorithm).toBe('medical_consensus');
    expect(result.decisions.decided).toBeGreaterThan(50);
    // Under 75% of the evidence-weighted votes: no consensus.
    expect(result.decisions.noConsensus).toBeGreaterThan(0);
    expect(result.decisions.decided + result.decisions.noConsensus).toBe(result.decisions.attempted);
    expect(result.quality).toBe(1);
  });

  it('10: the policy refuses to decide without two medical experts', async () => {
    const source = readFileSync(example('10-medical-policy.yml'), 'utf8');
    // The clinician becomes a nurse: one medical expert left.
    const oneExpert = source
      .replace('role: clinician', 'role: nurse')
      .replace('module: ../policies/medical.ts', `module: ${join(root, 'examples', 'policies', 'medical.ts')}`);
    expect(oneExpert).not.toContain('clinician');
    const file = join(tmp, '10-one-expert.yml');
    writeFileSync(file, oneExpert);
    const { result } = await run(file);
    expect(result.decisions.decided).toBe(0);
    expect(result.decisions.noConsensus).toBe(result.decisions.attempted);
  });

  it('11: the financial policy holds a high-risk decision to 0.8 of the confidence: split rounds end without consensus', async () => {
    const { code, result } = await run(example('11-financial-policy.yml'));
    expect(code).toBe(0);
    expect(result.algorithm).toBe('financial_risk_consensus');
    expect(result.decisions.decided).toBeGreaterThan(0);
    expect(result.decisions.noConsensus).toBeGreaterThan(0);
    expect(result.quality).toBe(1);
  });
});

describe('Part 7: performance (exercises 12, 13)', () => {
  const bench = join(tmp, 'consensus_benchmark.json');
  const html = join(tmp, 'report.html');
  let report: BenchReport;
  const algorithms = ['simple_majority', 'supermajority', 'byzantine_tolerant', 'weighted_voting', 'raft'];

  beforeAll(async () => {
    // The tutorial's benchmark, small: 3 and 5 agents, 2 iterations of 20 decisions.
    const code = await benchCommand(
      { algorithms: algorithms.join(','), agents: '3,5', iterations: '2', decisions: '20', seed: '1', output: bench, html },
      () => undefined,
      { isTTY: false, write: () => undefined },
    );
    expect(code).toBe(0);
    report = JSON.parse(readFileSync(bench, 'utf8')) as BenchReport;
  }, 180_000);

  it('12: conclave bench measures the five algorithms at each size (PBFT needs n >= 4)', () => {
    expect(report.results.map((g) => `${g.algorithm}:${g.agents}:${g.status}`)).toEqual(
      algorithms.flatMap((a) => [3, 5].map((n) => `${a}:${n}:${a === 'byzantine_tolerant' && n === 3 ? 'not_applicable' : 'measured'}`)),
    );
    for (const g of report.results) {
      if (g.status !== 'measured') continue;
      expect(g.decisions.attempted).toBe(40);
      expect(g.decisions.decided).toBeGreaterThan(0);
      expect(g.throughput.simPerMinute!).toBeGreaterThan(0);
      expect(g.consensusMs.p99).toBeGreaterThanOrEqual(g.consensusMs.p50);
      expect(g.safetyViolations).toBe(0);
    }
    expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
  });

  it('12: conclave analyze --detailed ranks the algorithms at each size, with each iteration', () => {
    const lines: string[] = [];
    expect(analyzeCommand([bench], { detailed: true }, (l) => lines.push(l))).toBe(0);
    const t = plain(lines);
    expect(t).toMatch(/^n = 3$/m);
    expect(t).toMatch(/^n = 5$/m);
    for (const a of ['simple_majority', 'supermajority', 'weighted_voting', 'raft', 'byzantine_tolerant']) expect(t).toContain(a);
    expect(t).toMatch(/byzantine_tolerant: not applicable: PBFT needs n >= 4/);
    expect(t).toMatch(/per iteration/);
  });

  it('13: conclave optimize recommends from the measurements: simple majority for speed, PBFT for reliability, a vote for expertise', () => {
    const recommend = (target: string, taskType: string) => {
      const lines: string[] = [];
      expect(optimizeCommand({ target, taskType, from: [bench], json: true }, (l) => lines.push(l))).toBe(0);
      return JSON.parse(lines.join('\n')) as { basis: string; algorithm: string; agents: number; scenario: string };
    };
    const speed = recommend('speed', 'routine_decisions');
    expect(speed).toMatchObject({ basis: 'measured', algorithm: 'simple_majority' });
    const reliability = recommend('reliability', 'critical_decisions');
    expect(reliability).toMatchObject({ basis: 'measured', algorithm: 'byzantine_tolerant', agents: 5 });
    const expertise = recommend('expertise', 'technical_decisions');
    expect(expertise.basis).toBe('measured');
    expect(['simple_majority', 'supermajority', 'weighted_voting']).toContain(expertise.algorithm);
    // The scenario it prints for speed is the one saved as 13-optimized-speed.yml.
    const saved = parseScenario(readFileSync(example('13-optimized-speed.yml'), 'utf8'));
    const printed = parseScenario(speed.scenario);
    expect(saved.consensus.algorithm).toBe(printed.consensus.algorithm);
    expect(saved.agents.reduce((n, g) => n + g.count, 0)).toBe(speed.agents);
    expect(saved.consensus.votingTimeoutMs).toBe(printed.consensus.votingTimeoutMs);
  });

  it('13: the optimised scenario runs: every routine decision closes within its aggressive timeout', async () => {
    const { code, result } = await run(example('13-optimized-speed.yml'));
    expect(code).toBe(0);
    expect(result.algorithm).toBe('simple_majority');
    expect(result.decisions.timedOut).toBe(0);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
  });

  it('19: conclave bench --html writes a page with charts that opens offline', () => {
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<svg|<canvas/i);
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/i);
    for (const a of ['simple_majority', 'raft']) expect(page).toContain(a);
  });

  it("13: the tutorial's switches: --recommended-algorithm, --timeout-aggressive (half the timeout), --redundancy-high (one more fault tolerated), --expert-weighting-enabled", () => {
    type Rec = { algorithm: string; agents: number; parameters: { key: string; value: unknown }[] };
    const recommend = (o: Record<string, unknown>): Rec => {
      const lines: string[] = [];
      expect(optimizeCommand({ from: [bench], json: true, target: 'speed', ...o }, (l) => lines.push(l))).toBe(0);
      return JSON.parse(lines.join('\n')) as Rec;
    };
    const param = (r: Rec, key: string) => r.parameters.find((p) => p.key === key)?.value;
    const ms = (v: unknown) => Number(String(v).replace(/ms$/, ''));
    const plainSpeed = recommend({ taskType: 'routine_decisions' });
    const aggressive = recommend({ taskType: 'routine_decisions', recommendedAlgorithm: 'simple_majority', timeoutAggressive: true });
    expect(aggressive.algorithm).toBe('simple_majority');
    expect(ms(param(aggressive, 'consensus.voting_timeout'))).toBeLessThanOrEqual(Math.ceil(ms(param(plainSpeed, 'consensus.voting_timeout')) / 2));
    expect(recommend({ taskType: 'routine_decisions', recommendedAlgorithm: 'raft' }).algorithm).toBe('raft');
    const reliable = recommend({ target: 'reliability', taskType: 'critical_decisions', recommendedAlgorithm: 'byzantine_tolerant' });
    const redundant = recommend({ target: 'reliability', taskType: 'critical_decisions', recommendedAlgorithm: 'byzantine_tolerant', redundancyHigh: true });
    expect(redundant.algorithm).toBe('byzantine_tolerant');
    expect(redundant.agents).toBeGreaterThanOrEqual(reliable.agents + 2); // PBFT tolerating one more liar needs more replicas
    expect(recommend({ target: 'expertise', taskType: 'technical_decisions', expertWeightingEnabled: true }).algorithm).toBe('weighted_voting');
  });
});

describe('Part 8: multi-stage and adaptive consensus (exercises 14, 15)', () => {
  it('14: the four-stage workflow passes stage by stage, each with its own algorithm', async () => {
    const { code, result } = await run(example('14-multistage-workflow.yml'));
    expect(code).toBe(0);
    const stages = result.stages!;
    expect(Object.keys(stages)).toEqual(['concept_validation', 'technical_feasibility', 'resource_allocation', 'final_approval']);
    for (const s of Object.values(stages)) expect(s).toMatchObject({ status: 'passed', decision: 'go' });
  });

  it('14: a stage that reaches no consensus blocks every stage after it (seed 42: an expert dissents on feasibility)', async () => {
    const { code, result } = await run(example('14-multistage-workflow.yml'), { seed: 42 });
    expect(code).toBe(0); // a failed stage is an outcome, not a failed run
    const stages = result.stages!;
    expect(stages.concept_validation.status).toBe('passed');
    expect(stages.technical_feasibility.status).toBe('failed');
    expect(stages.resource_allocation.status).toBe('blocked');
    expect(stages.final_approval.status).toBe('blocked');
  });

  it("14: the tutorial's workflow JSON as written (workflow: 14-multistage-workflow.json) loads and runs the same four stages; its byzantine_tolerant stage votes by byzantine supermajority", async () => {
    const s = await loadScenarioFile(example('14-multistage-from-json.yml'));
    expect(s.workflow!.stages.map((st) => [st.name, st.consensus_algorithm, st.threshold])).toEqual([
      ['concept_validation', 'simple_majority', 0.6],
      ['technical_feasibility', 'weighted_voting', 0.7],
      ['resource_allocation', 'supermajority', 0.75],
      ['final_approval', 'byzantine_supermajority', 0.8],
    ]);
    const { code, result } = await run(example('14-multistage-from-json.yml'));
    expect(code).toBe(0);
    expect(Object.entries(result.stages!).map(([n, st]) => [n, st.status])).toEqual([
      ['concept_validation', 'passed'],
      ['technical_feasibility', 'passed'],
      ['resource_allocation', 'passed'],
      ['final_approval', 'passed'],
    ]);
    expect(result.stages!.final_approval.strength!).toBeGreaterThanOrEqual(0.8);
  });

  it('15: the algorithm follows the risk: weighted voting at medium, byzantine supermajority at high, escalation to a human at critical', async () => {
    const trace = join(tmp, 'adaptive.jsonl');
    const { code, result } = await run(example('15-adaptive-market.yml'), { trace });
    expect(code).toBe(0);
    expect(result.algorithm).toBe('adaptive');
    const events = decisionEvents(trace);
    const algorithmsBefore = (ms: number) => new Set(events.filter((e) => e.type === 'decided' && e.t < ms).map((e) => e.algorithm));
    expect(algorithmsBefore(150)).toEqual(new Set(['weighted_voting']));
    expect(new Set(events.filter((e) => e.type === 'decided' && e.t > 160 && e.t < 300).map((e) => e.algorithm))).toEqual(new Set(['byzantine_supermajority']));
    const escalated = events.filter((e) => e.type === 'escalated');
    expect(escalated.length).toBe(result.decisions.escalated);
    expect(escalated.length).toBeGreaterThan(0);
    expect(Math.min(...escalated.map((e) => e.t))).toBeGreaterThanOrEqual(300);
    expect(result.decisions.decided).toBeGreaterThan(0);
  });
});

describe('Part 9: failure scenarios (exercises 16, 17)', () => {
  it('16: a 40/60 partition of seven Raft nodes is in the timeline; the majority goes on and nothing acknowledged is lost', async () => {
    const { code, text: t } = await text(example('16-network-partition.yml'), 1);
    expect(code).toBe(0);
    const cut = /2000\.00 ms {2}partition: (\S+) \| (\S+)/.exec(t);
    expect(cut, t).not.toBeNull();
    const sides = [cut![1], cut![2]].map((s) => s.split(',').filter((id) => id.startsWith('datacenter_node')).length).sort();
    expect(sides).toEqual([3, 4]); // 40% of 7, rounded, against the rest
    expect(t).toMatch(/5000\.00 ms {2}heal: partition healed/);
    const { result } = await run(example('16-network-partition.yml'));
    expect(result.messages.droppedBy.partition).toBeGreaterThan(0);
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.safetyViolations).toEqual([]);
    expect(result.livenessViolations).toEqual([]);
  });

  it('16: conclave monitor RUN shows the partition starting at 2 s and healing at 5 s, and the leaders on either side', async () => {
    const t = await monitor(recorded[example('16-network-partition.yml')]);
    expect(t).toMatch(/t=2\.00 s fault started: partition (datacenter_node_\d+,?)+ \| /);
    expect(t).toMatch(/t=5\.00 s fault ended: heal partition healed/);
    expect(t).toMatch(/t=[\d.]+ m?s leader: datacenter_node_\d+ leads term 1/);
    expect(t).toMatch(/completed \(exit 0\)/);
  });

  it('16: conclave show RUN --faults lists the partition at 2 s and its heal at 5 s', () => {
    const f = showJson(recorded[example('16-network-partition.yml')], { faults: true }).faults;
    expect(f.map((x: { fault: string; start: number; end: number | null }) => [x.fault, x.start, x.end])).toEqual([['partition', 2000, 5000]]);
  });

  it('17: a cascade of crashes spreads along the ring, takes more than f down, recovers, and PBFT commits every request', async () => {
    const { code, text: t } = await text(example('17-cascading-failures.yml'), 1);
    expect(code).toBe(0);
    const crashed = [...t.matchAll(/ms {2}(\S+) crashed/g)].map((m) => m[1]);
    expect(crashed.length).toBeGreaterThan(2); // f = 2 for n = 9
    expect(t).toMatch(/cascade: \S+ from \S+/); // it spread
    expect([...t.matchAll(/recover: (\S+)/g)].map((m) => m[1]).sort()).toEqual([...crashed].sort());
    const { result } = await run(example('17-cascading-failures.yml'));
    expect(result.decisions.decided).toBe(result.decisions.attempted);
    expect(result.safetyViolations).toEqual([]);
    expect(result.pbft!.failovers.every((f) => f.newPrimary !== null)).toBe(true);
  });
});

describe('Part 10: production (exercises 18, 19)', () => {
  /**
   * 18-enterprise-release.yml with 18-enterprise-consensus.yml's consensus section written under
   * its own, which is what `--config` will do once it carries the enterprise sections.
   */
  function enterpriseRelease(edit: (config: string) => string = (c) => c): string {
    const release = readFileSync(example('18-enterprise-release.yml'), 'utf8').replace(
      'module: ./18-release-board.ts',
      `module: ${example('18-release-board.ts')}`,
    );
    const config = edit(readFileSync(example('18-enterprise-consensus.yml'), 'utf8'));
    const file = join(tmp, `18-inline-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, release.replace('topology: mesh\n', `topology: mesh\n${config.slice(config.indexOf('consensus:'))}\n`));
    return file;
  }

  it('18: each stage is judged by its class (routine, important with expert review, critical with human oversight); what cannot be honoured is named', async () => {
    const { code, result } = await run(enterpriseRelease());
    expect(code).toBe(0);
    expect(Object.values(result.stages!).map((st) => st.status)).toEqual(['passed', 'passed', 'passed']);
    expect(result.byPolicy).toEqual({
      routine: expect.objectContaining({ attempted: 1, decided: 1 }),
      important: expect.objectContaining({ attempted: 1, decided: 1 }),
      critical: expect.objectContaining({ attempted: 1, decided: 1 }),
    });
    expect(result.oversight).toMatchObject({ requested: 1, approved: 1, rejected: 0 });
    const warned = (result.warnings ?? []).map((w) => w.split(':')[0]);
    expect(warned).toEqual(
      expect.arrayContaining([
        'decision_policies.critical.algorithm',
        'decision_policies.emergency',
        'decision_policies.emergency.algorithm',
        'decision_policies.emergency.leader_override',
        'decision_policies.emergency.emergency_contacts',
      ]),
    );
    expect(result.byzantineDetected.map((d) => d.agent)).toEqual(['engineer_004']);
  });

  it('18: the board (human oversight) rejects a release the swarm passed only narrowly (seed 8)', async () => {
    const { result } = await run(enterpriseRelease(), { seed: 8 });
    expect(result.oversight).toMatchObject({ requested: 1, approved: 0, rejected: 1 });
    expect(result.stages!.production_release.status).toBe('failed');
    expect(result.stages!.production_release.strength!).toBeLessThan(0.8);
  });

  it('18: with production_mode: true, as the tutorial writes it, the run is refused, naming what it cannot honour', async () => {
    const file = enterpriseRelease((c) => c.replace(/production_mode: false.*/, 'production_mode: true'));
    await expect(run(file)).rejects.toThrow(/production_mode[\s\S]*decision_policies\.critical\.algorithm: byzantine_tolerant/);
  });

  it('18: --config 18-enterprise-consensus.yml gives 18-enterprise-release.yml its classes: the same run as with the configuration inlined', async () => {
    const viaConfig = await run(example('18-enterprise-release.yml'), { config: example('18-enterprise-consensus.yml') });
    const inlined = await run(enterpriseRelease());
    expect(viaConfig.code).toBe(0);
    expect(viaConfig.result.byPolicy).toEqual(inlined.result.byPolicy);
    expect(viaConfig.result.stages).toEqual(inlined.result.stages);
    expect(viaConfig.result.oversight).toEqual(inlined.result.oversight);
    expect(viaConfig.result.traceHash).toBe(inlined.result.traceHash);
  });

  it('18: conclave config merge 18-enterprise-consensus.yml: a run in that project gets the classes without --config', async () => {
    const project = places('project-18');
    expect(configMergeCommand(example('18-enterprise-consensus.yml'), {}, () => undefined, project)).toBe(0);
    const { code, result } = await run(example('18-enterprise-release.yml'), { places: project });
    expect(code).toBe(0);
    expect(Object.keys(result.byPolicy!)).toEqual(['routine', 'important', 'critical']);
  });
  it('18: conclave approve on a run that has ended is refused: nothing would read the answer (the threads run below is answered live)', async () => {
    const { runId } = await run(enterpriseRelease());
    expect(() => approveCommand(runId, 'production_release', { store, by: 'release-board' }, () => undefined)).toThrow(
      `expected a run in progress (an ended run holds no decision for oversight), got "${runId} (completed)"`,
    );
  });

  it('18: in threads mode a critical decision waits for a person: conclave approve RUN DECISION answers it and the release stands', async () => {
    // No oversight module: `conclave run --mode threads` with the store asks a person instead.
    const file = enterpriseRelease();
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^oversight: .*$/m, ''));
    const asked: string[] = [];
    const lines: string[] = [];
    let second: string | undefined;
    const progress = {
      write: (line: string) => {
        const held = /held for human oversight: conclave approve (\S+) (\S+) \[--reject\]/.exec(line);
        if (!held) return;
        asked.push(held[2]);
        approveCommand(held[1], held[2], { store, by: 'release-board' }, () => undefined);
        // An answer is final: a second one, while the run still waits, is refused naming the first.
        try {
          approveCommand(held[1], held[2], { store, reject: true, by: 'someone else' }, () => undefined);
        } catch (e) {
          second = (e as Error).message;
        }
      },
    };
    const code = await runCommand(file, { store, timeline: 0, json: true, mode: 'threads', workers: 2, progress, places: noConfig }, (l) => lines.push(l));
    expect(code).toBe(0);
    const result = JSON.parse(lines.join('\n')) as ScenarioResult;
    expect(asked).toEqual(['production_release']);
    expect(second).toMatch(/already answered "approve" by release-board/);
    expect(result.oversight).toMatchObject({ requested: 1, approved: 1, rejected: 0, timedOut: 0 });
    expect(result.stages!.production_release).toMatchObject({ status: 'passed', decision: 'ship' });
  }, 120_000);

  it("18: conclave audit verify finds the recorded run's decision chain intact and signed; audit export writes every decision with its votes", async () => {
    const { result, runId } = await run(example('19-monitoring-alerts.yml'));
    const verdict: string[] = [];
    expect(auditVerifyCommand(runId, { store }, (l) => verdict.push(l))).toBe(0);
    expect(plain(verdict)).toMatch(new RegExp(`run ${runId}: ${result.decisions.attempted} decisions, chain intact, \\d+ checkpoints signed by key [0-9a-f]+`));
    const exported: string[] = [];
    expect(await auditExportCommand(runId, { store, format: 'jsonl' }, (l) => exported.push(l))).toBe(0);
    const records = exported.map((l) => JSON.parse(l) as { record: string; decision?: string; outcome?: string; ballots?: string });
    expect(records[0].record).toBe('run');
    const decisions = records.filter((r) => r.record === 'decision');
    expect(decisions).toHaveLength(result.decisions.attempted);
    expect(decisions.filter((d) => d.outcome === 'decided')).toHaveLength(result.decisions.decided);
    expect(JSON.parse(decisions[0].ballots!)).toHaveLength(7);
  });
  it('18: security (signed, encrypted ballots) and audit (justified votes, compliance) are enforced: a forger and a tamperer are refused', async () => {
    const config = example('18-enterprise-consensus.yml');
    const { result } = await run(example('18-enterprise-release.yml'), { config });
    // Present only when enforced: each refusal reason of signed, encrypted, justified ballots.
    expect(result.refusedVotes).toMatchObject({ unsigned: 0, 'bad-signature': 0, unencrypted: 0, undecryptable: 0, unjustified: 0 });
    expect(result.compliance).toMatchObject({ checked: 3, failed: 0 });
    const variant = async (type: string) => {
      const file = join(dir, `_18-${type}.yml`); // beside the original: its oversight module is relative
      writeFileSync(file, readFileSync(example('18-enterprise-release.yml'), 'utf8').replace('types: [conflicting_votes]', `types: [${type}]`));
      try {
        return (await runCommandJson(file, { config })).result;
      } finally {
        rmSync(file);
      }
    };
    const forged = await variant('forge_votes');
    expect(forged.refusedVotes['bad-signature']).toBeGreaterThan(0);
    expect(forged.byzantineDetected.map((d) => d.agent)).toEqual(['engineer_004']);
    const tampered = await variant('tamper_ciphertext');
    expect(tampered.refusedVotes.undecryptable).toBeGreaterThan(0);
    // The forger's ballots are refused, so the honest ones decide.
    expect(Object.values(forged.stages!).map((st) => st.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it("19: the tutorial's alert thresholds raise slow-consensus, failure-rate and byzantine-detected alerts on a run that deserves them", async () => {
    const { code, result } = await run(example('19-monitoring-alerts.yml'));
    expect(code).toBe(0);
    const alerts = result.alerts!;
    const rules = new Set(alerts.map((a) => a.rule));
    expect(rules).toEqual(new Set(['slow-consensus', 'failure-rate', 'byzantine-detected']));
    for (const a of alerts.filter((x) => x.rule === 'slow-consensus')) expect(a.value).toBeGreaterThan(120);
    expect(
      alerts
        .filter((a) => a.rule === 'byzantine-detected')
        .map((a) => a.agent)
        .sort(),
    ).toEqual(result.byzantineDetected.map((d) => d.agent).sort());
    expect(result.byzantineDetected).toHaveLength(2);
  });

  it("19: conclave monitor RUN shows the run's alerts from the store", async () => {
    const t = await monitor(recorded[example('19-monitoring-alerts.yml')]);
    expect(t).toMatch(/ALERT: decision d\d+ still open after \d+ ms \(slow-consensus threshold 120 ms\)/);
    expect(t).toMatch(/completed \(exit 0\) after [\d.]+ m?s: 100 decisions closed, 41 decided/);
  });
});

describe('Troubleshooting', () => {
  it('consensus never reached: a silent voter never votes, a partitioned one cannot, and decisions close at their timeout', async () => {
    const { code, text: t } = await text(example('troubleshooting-no-consensus.yml'), 4);
    expect(code).toBe(0);
    expect(t).toMatch(/0\.00 ms {2}partition: voter_\d{3} \|/);
    expect(t).toMatch(/voter_00[2-4] votes/);
    expect(t).not.toMatch(/voter_005 votes/); // silent
    const { result } = await run(example('troubleshooting-no-consensus.yml'));
    expect(result.decisions.timedOut).toBeGreaterThan(0);
    expect(result.decisions.decided).toBeLessThan(result.decisions.attempted);
    expect(result.messages.droppedBy.partition).toBeGreaterThan(0);
  });

  it('consensus never reached: conclave show RUN --participation shows the silent voter with no votes and the partitioned one with fewer; --vote-conflicts the split decisions', async () => {
    const { result, runId } = await run(example('troubleshooting-no-consensus.yml'));
    const j = showJson(runId, { participation: true, voteConflicts: true });
    const cast = Object.fromEntries(j.participation.agents.map((a: { agent: string; cast: number }) => [a.agent, a.cast]));
    expect(cast.voter_005 ?? 0).toBe(0);
    const partitioned = result.decisions.attempted;
    expect(Math.min(...['voter_001', 'voter_002', 'voter_003', 'voter_004'].map((a) => cast[a]))).toBeLessThan(partitioned);
    expect(j.voteConflicts.split).toBeGreaterThan(0);
  });
  it('consensus never reached: conclave health --connectivity-test passes: the store opens, worker threads answer, a 3-node vote completes in sim and threads mode', async () => {
    const lines: string[] = [];
    expect(await healthCommand({ store, connectivityTest: true, json: true }, (l) => lines.push(l))).toBe(0);
    const report = JSON.parse(lines.join('\n')) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks).toHaveLength(4); // store, worker threads, a vote in sim mode, a vote in threads mode
    for (const c of report.checks) expect(c.ok, `${c.name}: ${c.detail}`).toBe(true);
    expect(report.ok).toBe(true);
  });

  it('Byzantine agents detected: conclave replay reruns exercise 5 exactly (the same trace) for a closer look at the liar', async () => {
    const first = await run(example('05-byzantine-simulation.yml'));
    const lines: string[] = [];
    expect(await replayCommand(example('05-byzantine-simulation.yml'), { json: true, store }, (l) => lines.push(l))).toBe(0);
    const replayed = JSON.parse(lines.join('\n')) as { result: ScenarioResult; violations: unknown[] };
    expect(replayed.result.traceHash).toBe(first.result.traceHash);
    expect(replayed.result.byzantineDetected).toEqual(first.result.byzantineDetected);
    expect(replayed.result.byzantineDetected.length).toBeGreaterThan(0);
    expect(replayed.violations).toEqual([]);
  });

  it('poor performance: a ring over a slow network is slower per decision than the mesh of exercise 4, and says why (relay hops)', async () => {
    const slow = await run(example('troubleshooting-slow.yml'));
    const fast = await run(example('04-bft-investment.yml'));
    expect(slow.code).toBe(0);
    expect(slow.result.messages.relayed).toBeGreaterThan(0);
    expect(fast.result.messages.relayed).toBe(0);
    expect(slow.result.latencyMs.p50).toBeGreaterThan(5 * fast.result.latencyMs.p50);
    expect(slow.result.decisions.decided).toBe(slow.result.decisions.attempted);
  });
});

describe('coverage', () => {
  // Last in the file: vitest runs a file's tests in order.
  it('every file under examples/tutorial/ was run above, or waits for a named feature', () => {
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    const missing = files.filter((f) => !ran.has(f) && !ran.has(runThrough[f] ?? '') && pending[f] === undefined);
    expect(missing, 'files no test runs').toEqual([]);
    // A pending file that a test already runs is pending no more: take it off the list.
    expect(Object.keys(pending).filter((f) => ran.has(f))).toEqual([]);
    for (const f of Object.keys(pending)) expect(files).toContain(f);
  });
});
