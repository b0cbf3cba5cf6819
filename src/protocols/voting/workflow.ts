import type { ActorId } from '../../actors/envelope.ts';
import type { RiskLevel } from './types.ts';

/**
 * One stage of a multi-stage decision: its own algorithm and threshold, an electorate drawn from
 * experts in `expert_domains` (capped at `max_agents`), and the stages it waits for.
 *
 * @example
 * ```ts
 * const review: Stage = { name: 'security-review', consensus_algorithm: 'supermajority', expert_domains: ['security'], max_agents: 3, depends_on: ['design'] };
 * ```
 */
export interface Stage {
  readonly name: string;
  readonly consensus_algorithm: string;
  readonly threshold?: number;
  readonly max_agents?: number;
  readonly expert_domains?: readonly string[];
  readonly depends_on: readonly string[];
  readonly question?: string;
  readonly options?: readonly string[];
  readonly truth?: string;
  readonly risk?: RiskLevel;
  /** Its class of decision (`decision_policies`). */
  readonly policy?: string;
}

/**
 * Where a stage is: waiting for its dependencies, voting, done (`passed` / `failed`), or
 * `blocked` because something it depends on failed.
 *
 * @example
 * ```ts
 * const status: StageStatus = 'blocked';
 * ```
 */
export type StageStatus = 'pending' | 'open' | 'passed' | 'failed' | 'blocked';

/**
 * Stages that can open now: pending, with every dependency passed.
 *
 * @example
 * ```ts
 * readyStages(stages, { design: { status: 'passed' }, build: { status: 'pending' } }); // [build] if it depends on design only
 * ```
 */
export function readyStages(stages: readonly Stage[], status: Readonly<Record<string, { status: StageStatus }>>): Stage[] {
  return stages.filter((s) => status[s.name]?.status === 'pending' && s.depends_on.every((d) => status[d]?.status === 'passed'));
}

/**
 * Every stage that (directly or transitively) depends on `failed`: they can never open.
 *
 * @example
 * ```ts
 * blockedBy('design', stages); // ['build', 'launch'] when build depends on design and launch on build
 * ```
 */
export function blockedBy(failed: string, stages: readonly Stage[]): string[] {
  const out: string[] = [];
  const frontier = [failed];
  while (frontier.length > 0) {
    const name = frontier.pop()!;
    for (const s of stages) {
      if (s.depends_on.includes(name) && !out.includes(s.name)) {
        out.push(s.name);
        frontier.push(s.name);
      }
    }
  }
  return out;
}

/**
 * A stage's electorate: the voters whose domains meet `expert_domains` (everyone when the stage
 * names none, or when no voter has them), in voter order, at most `max_agents`.
 *
 * @example
 * ```ts
 * electorateFor({ ...stage, expert_domains: ['security'], max_agents: 2 }, ['a', 'b', 'c'], { a: { role: 'sec', domains: ['security'] } }); // ['a']
 * ```
 */
export function electorateFor(
  stage: Stage,
  voters: readonly ActorId[],
  info: Readonly<Record<ActorId, { readonly domains?: readonly string[] }>> | undefined,
): ActorId[] {
  const wanted = stage.expert_domains;
  let chosen = [...voters];
  if (wanted?.length && info) {
    const experts = voters.filter((v) => info[v]?.domains?.some((d) => wanted.includes(d)));
    if (experts.length > 0) chosen = experts;
  }
  return stage.max_agents === undefined ? chosen : chosen.slice(0, stage.max_agents);
}
