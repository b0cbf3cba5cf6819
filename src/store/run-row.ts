import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import type { Scenario } from '../scenario/index.ts';
import type { StoreDb } from './open-store.ts';
import type { RunKind } from './queries.ts';
import { ALL_DECISIONS, DEFAULT_DETAIL_LIMIT } from './store-limits.ts';

/** What a run is, as the store records it when the run starts. */
export interface RunStart {
  readonly kind: RunKind;
  readonly name: string;
  readonly file?: string;
  /** The scenario as the user wrote it (the file's text). */
  readonly scenarioGiven?: string;
  /** The scenario the run used, resolved (JSON-able). */
  readonly scenarioResolved?: unknown;
  readonly protocol: string;
  readonly mode?: string;
  readonly seed?: number;
  readonly agents?: number;
  readonly topology?: string;
  readonly argv?: readonly string[];
  /** Decisions stored one by one; later ones go into aggregates. */
  readonly detailLimit: number;
  /** Decisions the run plans, when known: a big run starts its writer thread at once (not a column). */
  readonly plannedDecisions?: number;
  readonly signed: boolean;
}

/**
 * Whether a scenario's run signs its audit chain: yes unless its `security.audit_signatures` or
 * `audit.enabled` says false (the chain of hashes is kept either way: it costs little and still
 * shows an edit made without recomputing it).
 *
 * @example
 * ```ts
 * signsAudit({ security: { auditSignatures: false } }); // false
 * ```
 */
export function signsAudit(s: { security?: { auditSignatures?: boolean }; audit?: { enabled?: boolean } }): boolean {
  return s.security?.auditSignatures !== false && s.audit?.enabled !== false;
}

/**
 * How many decisions a scenario's run stores one by one: every one when the scenario asks for an
 * audit trail (an `audit:` section that is not `enabled: false`), else the default.
 *
 * @example
 * ```ts
 * detailLimitFor({ audit: { enabled: true } }); // ALL_DECISIONS
 * ```
 */
export function detailLimitFor(s: { audit?: { enabled?: boolean } }): number {
  return s.audit !== undefined && s.audit.enabled !== false ? ALL_DECISIONS : DEFAULT_DETAIL_LIMIT;
}

/**
 * What the store records when a scenario's run (`run`, `replay`) starts: the scenario as written
 * (its file's text, when it has one) and as resolved, its size and topology, how much of it is
 * kept one by one (`detailLimit`, default {@link detailLimitFor}) and whether it is signed
 * ({@link signsAudit}).
 *
 * @example
 * ```ts
 * RunRecorder.start(file, scenarioRunStart(scenario, { kind: 'run', mode: 'sim', seed: 42 }));
 * ```
 */
export function scenarioRunStart(
  scenario: Scenario,
  o: { kind: 'run' | 'replay'; mode: string; seed?: number; argv?: readonly string[]; detailLimit?: number },
): RunStart {
  let given: string | undefined;
  try {
    given = scenario.file === undefined ? undefined : readFileSync(scenario.file, 'utf8');
  } catch {
    given = undefined; // gone since it was loaded: the resolved scenario is still recorded
  }
  return {
    kind: o.kind,
    name: scenario.name,
    file: scenario.file,
    scenarioGiven: given,
    scenarioResolved: scenario,
    protocol: scenario.consensus.algorithm,
    mode: o.mode,
    seed: o.seed ?? scenario.seed,
    agents: scenario.agents.reduce((n, g) => n + g.count, 0),
    topology: typeof scenario.topology === 'string' ? scenario.topology : scenario.topology.type,
    argv: o.argv,
    detailLimit: o.detailLimit ?? detailLimitFor(scenario),
    signed: signsAudit(scenario),
    plannedDecisions: scenario.task.decisions,
  };
}

/** A new run id: when it started (UTC, sortable) and six random hex digits (two runs in one second differ). */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The machine a run ran on: figures differ between machines, so every run says which. */
export function machine(): { cpus: number; cpu: string; memoryGb: number; node: string; platform: string } {
  return {
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * Inserts a run's row with status `running` and returns its id. A run killed before it ends
 * stays `running` with its pid: `show` and `monitor` tell a live run from a dead one by the pid.
 *
 * @example
 * ```ts
 * const id = insertRun(db, { kind: 'run', name: 'db-choice', protocol: 'simple_majority', detailLimit: 5_000, signed: true });
 * ```
 */
export function insertRun(db: StoreDb, r: RunStart, id = newRunId()): string {
  db.prepare(`INSERT INTO runs (id, kind, status, started_at, pid, host, argv, name, file, scenario_given, scenario_resolved, protocol, mode, seed, agents, topology, machine, detail_limit, signed)
    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    id,
    r.kind,
    Date.now(),
    process.pid,
    hostname(),
    r.argv ? JSON.stringify(r.argv) : null,
    r.name,
    r.file ?? null,
    r.scenarioGiven ?? null,
    r.scenarioResolved === undefined ? null : JSON.stringify(r.scenarioResolved),
    r.protocol,
    r.mode ?? null,
    r.seed ?? null,
    r.agents ?? null,
    r.topology ?? null,
    JSON.stringify(machine()),
    r.detailLimit,
    r.signed ? 1 : 0,
  );
  return id;
}
