/**
 * Human oversight of a decision (`decision_policies.<class>.human_oversight: true`): once its
 * vote has reached consensus, the decision is held until an {@link OversightHook} approves or
 * rejects it, or until its `oversight_timeout` passes (then `on_timeout` decides).
 *
 * Where the hook runs, and when its answer counts:
 * - The hook runs on the run's own side (the swarm, in the main thread), never in an actor: it
 *   sees the `oversight-requested` trace event and its answer is sent to the coordinator from
 *   the runtime (`SYSTEM_SENDER`); an answer from any actor (a voter) is ignored.
 * - threads mode: the hook may answer at once or later (a Promise): the coordinator holds the
 *   decision on the wall clock until the answer or the timeout, whichever comes first. An answer
 *   after the timeout is too late and changes nothing.
 * - sim mode: the simulation runs in virtual time and never yields to promises, so only a
 *   synchronous answer is taken: it is sent at the virtual instant of the request and lands one
 *   delivery (the link's seeded latency) later, like any message. A Promise is
 *   not awaited: the decision takes its timeout outcome at `oversight_timeout` (virtual), and the
 *   run's warnings say so. Waiting for a real person would either make the trace depend on when
 *   the person answered (not replayable) or freeze virtual time on the wall clock (a timeout
 *   that never fires); a decision left to its timeout is the only replayable reading. Use
 *   `mode: threads` for a person in the loop.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors.ts';
import { importUserModule } from '../../user-module.ts';

/**
 * An overseer's answer.
 *
 * @example
 * ```ts
 * const a: OversightAnswer = 'approve';
 * ```
 */
export type OversightAnswer = 'approve' | 'reject';

/**
 * What an overseer is asked about one decision: its vote has closed with consensus on `value`.
 *
 * @example
 * ```ts
 * const r: OversightRequest = { decision: 'd1', question: 'Deploy?', options: ['yes', 'no'], value: 'yes', strength: 0.8, tally: { yes: 4, no: 1 }, votes: 5, policyClass: 'critical', timeoutMs: 60_000 };
 * ```
 */
export interface OversightRequest {
  /** The decision's id (`d1`, ... or a stage's name). */
  readonly decision: string;
  readonly question: string;
  readonly options: readonly string[];
  /** The outcome the vote reached. */
  readonly value: string;
  /** The policy's strength of that outcome (0..1). */
  readonly strength: number;
  /** Votes per option (abstentions not counted). */
  readonly tally: Readonly<Record<string, number>>;
  /** Ballots counted. */
  readonly votes: number;
  /** The decision's class (`decision_policies` key). */
  readonly policyClass: string;
  /** A workflow stage's name, for a stage. */
  readonly stage?: string;
  /** How long the decision is held before `on_timeout` decides (ms; virtual in sim mode). */
  readonly timeoutMs: number;
  /** `RunOptions.runId`, when the caller gave one (the run store does). */
  readonly runId?: string;
}

/**
 * The human-oversight hook: approve or reject the decision, now or later (a Promise; see the
 * module notes for what sim mode does with one). A hook that throws, or answers anything else,
 * rejects.
 *
 * @example
 * ```ts
 * const oversight: OversightHook = (r) => (r.strength >= 0.8 ? 'approve' : 'reject');
 * await runScenario(scenario, { oversight });
 * ```
 */
export type OversightHook = (request: OversightRequest) => OversightAnswer | Promise<OversightAnswer>;

/**
 * How a held decision was settled: by the hook's answer, or by `on_timeout`.
 *
 * @example
 * ```ts
 * const s: OversightSettlement = { answer: 'reject', by: 'timeout' };
 * ```
 */
export interface OversightSettlement {
  readonly answer: OversightAnswer | 'escalate';
  readonly by: 'hook' | 'timeout';
}

/**
 * What a run counts of oversight: decisions held, and how each was settled (`timedOut` are among
 * `approved` / `rejected` / `escalated`, settled by `on_timeout`).
 *
 * @example
 * ```ts
 * result.oversight; // { requested: 3, approved: 2, rejected: 1, escalated: 0, timedOut: 1 }
 * ```
 */
export interface OversightCounts {
  requested: number;
  approved: number;
  rejected: number;
  escalated: number;
  timedOut: number;
}

/**
 * Zeroed counts.
 *
 * @example
 * ```ts
 * const c = emptyOversightCounts(); // { requested: 0, ... }
 * ```
 */
export const emptyOversightCounts = (): OversightCounts => ({ requested: 0, approved: 0, rejected: 0, escalated: 0, timedOut: 0 });

/**
 * An answer as the hook gave it, read strictly: `approve` or `reject`; anything else rejects.
 *
 * @example
 * ```ts
 * asOversightAnswer('approve'); // 'approve'
 * asOversightAnswer('yes');     // 'reject'
 * ```
 */
export function asOversightAnswer(value: unknown): OversightAnswer {
  return value === 'approve' ? 'approve' : 'reject';
}

/**
 * Imports the hook a scenario names (`oversight: { module: path#export }`; the export defaults
 * to `oversight`, else `default`). A module that cannot be imported or exports no function is a
 * ConfigError at `oversight.module` / `oversight.export`.
 *
 * @example
 * ```ts
 * const hook = await loadOversightModule({ module: '/abs/examples/enterprise-oversight.ts', export: 'approveStrong' });
 * ```
 */
export async function loadOversightModule(ref: { module: string; export?: string }, path = 'oversight'): Promise<OversightHook> {
  const what =
    'a module exporting an oversight hook, e.g. `export function oversight(request) { return "approve"; }`, at a path relative to the scenario file (module: path#export)';
  const spec = ref.module;
  const url = spec.startsWith('file:') ? spec : isAbsolute(spec) ? pathToFileURL(spec).href : undefined;
  if (url === undefined) throw new ConfigError(`${path}.module`, what, spec);
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(url);
  } catch (e) {
    throw new ConfigError(`${path}.module`, `${what}; importing it failed (${(e as Error)?.message ?? String(e)})`, spec);
  }
  for (const key of ref.export !== undefined ? [ref.export] : ['oversight', 'default']) {
    if (typeof mod[key] === 'function') return mod[key] as OversightHook;
  }
  const found = Object.keys(mod).sort().join(', ') || 'none';
  throw new ConfigError(ref.export !== undefined ? `${path}.export` : `${path}.module`, `${what} (exports found: ${found})`, ref.export ?? spec);
}
