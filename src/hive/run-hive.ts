import type { MessageAccounting } from '../actors/counters.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import { RunCheckers } from '../check/registry.ts';
import type { Violation } from '../check/violation.ts';
import { createPrng } from '../scheduler/prng.ts';
import { createSystem, type SystemOptions } from '../system/create-system.ts';
import type { Member, TopologySpec } from '../topologies/index.ts';
import { BYZANTINE_HIVE_WORKER } from './byzantine-worker.ts';
import { SOUND } from './decision-rules.ts';
import { resolveHiveOptions, type HiveOptions, type ResolvedHiveOptions } from './hive-options.ts';
import type { ObjectiveReport } from './objective-report.ts';
import { HIVE_QUEEN } from './queen.ts';
import type { QueenProps } from './queen-state.ts';
import { TEAM_LEAD } from './team-lead.ts';
import { DECISION_KINDS, TASK_KINDS, type TaskKind, type WorkerInfo } from './types.ts';
import { HIVE_WORKER } from './worker.ts';

/**
 * What a hive session reports: each objective's report, the swarm, the checkers' findings, the
 * books, and throughput (subtasks per wall-clock minute, and per simulated minute in sim mode).
 *
 * @example
 * ```ts
 * const r: HiveRunReport = await runHive({ objective: 'Write the docs' });
 * console.log(r.objectives[0].status, r.safety.length, r.subtasksPerMinute);
 * ```
 */
export interface HiveRunReport {
  readonly objective: string;
  readonly mode: 'sim' | 'threads';
  readonly seed: number;
  readonly queenType: ResolvedHiveOptions['queen'];
  readonly consensus: ResolvedHiveOptions['consensus'];
  readonly topology: ResolvedHiveOptions['topology'];
  readonly workers: number;
  readonly teams: number;
  /** Every actor: queen, leads and workers. */
  readonly agents: number;
  readonly byzantine: readonly string[];
  readonly objectives: readonly ObjectiveReport[];
  readonly subtasks: number;
  readonly subtasksPerMinute: number;
  /** Per virtual minute (sim mode), or the same as `subtasksPerMinute` (threads mode). */
  readonly simSubtasksPerMinute: number;
  readonly elapsedMs: number;
  readonly wallMs: number;
  readonly checkers: readonly string[];
  readonly safety: readonly Violation[];
  readonly liveness: readonly Violation[];
  readonly messages: MessageAccounting;
  readonly accountingImbalance: number;
  readonly topologySwitches: number;
  readonly traceHash: string;
}

/** Worker ids: `worker_TT_NN` (team, number within the team). */
function workerId(team: number, n: number): string {
  return `worker_${String(team).padStart(2, '0')}_${String(n).padStart(2, '0')}`;
}

/**
 * The swarm's workers in teams, with seeded skills: each worker is a specialist at two kinds
 * (0.75–0.95) and middling at the rest (0.25–0.6).
 *
 * @example
 * ```ts
 * buildWorkers(20, 4, 7).length; // 20
 * ```
 */
export function buildWorkers(workers: number, teams: number, seed: number): WorkerInfo[] {
  const rnd = createPrng(seed, 'hive-skills');
  const out: WorkerInfo[] = [];
  for (let i = 0; i < workers; i++) {
    const team = Math.floor((i * teams) / workers) + 1;
    const first = Math.floor(((team - 1) * workers) / teams);
    const skills: Partial<Record<TaskKind, number>> = {};
    for (const k of TASK_KINDS) skills[k] = Math.round((0.25 + 0.35 * rnd()) * 100) / 100;
    for (let s = 0; s < 2; s++) skills[TASK_KINDS[Math.floor(rnd() * TASK_KINDS.length)]] = Math.round((0.75 + 0.2 * rnd()) * 100) / 100;
    out.push({ id: workerId(team, i - first + 1), lead: `lead_${String(team).padStart(2, '0')}`, skills });
  }
  return out;
}

/** The `count` workers best at decisions (mean skill over the decision kinds): where liars do the most harm. */
function liarsAmong(workers: readonly WorkerInfo[], count: number): string[] {
  const decisionSkill = (w: WorkerInfo) => DECISION_KINDS.reduce((a, k) => a + (w.skills[k] ?? 0), 0);
  return [...workers]
    .sort((a, b) => decisionSkill(b) - decisionSkill(a) || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map((w) => w.id);
}

function topologySpec(o: ResolvedHiveOptions): TopologySpec {
  return o.topology === 'hierarchical' ? { type: 'hierarchical', queen: 'queen', teams: o.teams } : o.topology;
}

/**
 * What a caller may hook into a hive run: its trace, its system once created (a live dashboard),
 * and the system's making (`natsSystemFactory`: the hive across node processes on NATS).
 *
 * @example
 * ```ts
 * await runHive(options, { createSystem: natsSystemFactory({ url, swarm: 'demo', nodes: 3 }) });
 * ```
 */
export interface HiveHooks {
  readonly onEvent?: (e: TraceEvent) => void;
  readonly onSystem?: (system: ActorSystem) => void;
  readonly createSystem?: (options: SystemOptions) => Promise<ActorSystem>;
}

/**
 * Runs a hive session: spawns the queen, one lead per team and the workers (simulated, Byzantine
 * for `byzantine.count` of them, or the user's `behaviour`), installs the topology, gives the
 * queen the objective `objectives` times in a row, and reports. Every trace event goes through
 * the hive's checkers (zero architectural mistakes, accounting, termination).
 *
 * @example
 * ```ts
 * const report = await runHive({ objective: 'Document the API', queen: 'strategic', workers: 20, teams: 4, seed: 1 });
 * report.objectives[0].status; // 'done'
 * ```
 */
export async function runHive(options: HiveOptions, hooks: HiveHooks = {}): Promise<HiveRunReport> {
  const o = resolveHiveOptions(options);
  const workers = buildWorkers(o.workers, o.teams, o.seed);
  const liars = liarsAmong(workers, o.byzantine.count);
  // Across node processes on NATS (`createSystem`), a hive runs in real time, like threads mode.
  const system = await (hooks.createSystem ?? createSystem)(
    o.mode === 'sim' && hooks.createSystem === undefined
      ? { mode: 'sim', seed: o.seed, link: { latency: { kind: 'exponential', meanMs: 2, minMs: 1 } } }
      : { mode: 'threads', workers: 2, seed: o.seed },
  );
  hooks.onSystem?.(system);
  const checks = new RunCheckers('hive', { byzantine: liars });
  const sub = system.trace$.subscribe((e) => {
    checks.observe(e);
    hooks.onEvent?.(e);
  });
  try {
    const teamSize = Math.ceil(o.workers / o.teams);
    const queenProps: QueenProps = {
      queenType: o.queen,
      consensus: o.consensus,
      topology: o.topology,
      teamSize,
      workers,
      maxAttempts: o.maxAttempts,
      decisionTimeoutMs: o.decisionTimeoutMs,
    };
    await system.spawn('queen', HIVE_QUEEN, { props: queenProps });
    const members: Member[] = [{ id: 'queen', role: 'queen' }];
    for (let t = 1; t <= o.teams; t++) {
      const lead = `lead_${String(t).padStart(2, '0')}`;
      const team = workers.filter((w) => w.lead === lead);
      await system.spawn(lead, TEAM_LEAD, { props: { queen: 'queen', team: team.map((w) => w.id), reviewBar: o.reviewBar } });
      members.push({ id: lead, role: 'lead', team: t });
      for (const w of team) {
        // An expert sees the sound design the better the more skilled it is at decisions (0.85..0.99).
        const accuracy = Math.round((0.85 + 0.15 * Math.max(...DECISION_KINDS.map((k) => w.skills[k] ?? 0))) * 100) / 100;
        const props = { role: 'worker', accuracy, truth: SOUND, lead, skills: w.skills, ...(liars.includes(w.id) ? { byzantine: o.byzantine.types } : {}) };
        await system.spawn(w.id, o.behaviour ?? (liars.includes(w.id) ? BYZANTINE_HIVE_WORKER : HIVE_WORKER), { props });
        members.push({ id: w.id, role: 'worker', team: t });
      }
    }
    await system.switchTopology(topologySpec(o), { members, reason: 'hive: initial topology' });
    for (const c of o.crash) system.faults.at(c.atMs, () => system.faults.crash(c.worker));
    const objectives: ObjectiveReport[] = [];
    const body = { objective: o.objective, features: o.features, ...(o.sections ? { sections: o.sections } : {}) };
    const timeoutMs = o.mode === 'sim' ? 1e12 : 600_000;
    for (let i = 0; i < o.objectives; i++) {
      const reply = await system.ask('queen', { kind: 'objective', body }, { timeoutMs });
      objectives.push(reply.body as ObjectiveReport);
    }
    await system.settle();
    const result = await system.shutdown();
    const { safety, liveness, checkers } = checks.finish(result);
    const subtasks = objectives.reduce((a, r) => a + r.subtasks, 0);
    const perMinute = (ms: number) => (ms > 0 ? Math.round((subtasks / ms) * 60_000) : 0);
    return {
      objective: o.objective,
      mode: o.mode,
      seed: o.seed,
      queenType: o.queen,
      consensus: o.consensus,
      topology: o.topology,
      workers: o.workers,
      teams: o.teams,
      agents: 1 + o.teams + o.workers,
      byzantine: liars,
      objectives,
      subtasks,
      subtasksPerMinute: perMinute(result.wallMs),
      simSubtasksPerMinute: perMinute(result.elapsedMs),
      elapsedMs: result.elapsedMs,
      wallMs: result.wallMs,
      checkers,
      safety,
      liveness,
      messages: result.messages,
      accountingImbalance: result.accountingImbalance,
      topologySwitches: result.topology.switches.length,
      traceHash: result.traceHash,
    };
  } catch (e) {
    await system.shutdown().catch(() => undefined);
    throw e;
  } finally {
    sub.unsubscribe();
  }
}
