import { moduleUrl } from '../module-url.ts';
import { fileURLToPath } from 'node:url';
import type { Behaviour } from '../actors/behaviour.ts';
import type { BehaviourRef } from '../actors/registry.ts';
import { asResult } from './messages.ts';

/**
 * A team lead's props: its queen, its team, and the quality under which it sends work back.
 *
 * @example
 * ```ts
 * const props: TeamLeadProps = { queen: 'queen', team: ['worker_01_01'], reviewBar: 0.5 };
 * ```
 */
export interface TeamLeadProps {
  readonly queen: string;
  readonly team: readonly string[];
  readonly reviewBar: number;
}

/** What a lead has seen of its team's work. */
export interface TeamLeadState {
  accepted: number;
  sentBack: number;
}

/**
 * A team lead: reviews every result its team's workers send (a failed attempt, or quality under
 * the review bar, goes back to the queen as not accepted, so the queen retries it) and passes
 * it on to the queen. Results from outside its team are ignored: a lead vouches only for its own.
 *
 * @example
 * ```ts
 * await system.spawn('lead_01', TEAM_LEAD, { props: { queen: 'queen', team: ['worker_01_01'], reviewBar: 0.5 } });
 * ```
 */
export const teamLead: Behaviour<TeamLeadState, TeamLeadProps> = {
  init: () => ({ accepted: 0, sentBack: 0 }),
  receive(state, env, ctx) {
    if (env.kind !== 'result' || !ctx.props.team.includes(env.from)) return;
    const r = asResult(env.body);
    if (r === undefined || r.worker !== env.from) return;
    const reviewed = r.failed ? 'failed' : r.quality < ctx.props.reviewBar ? 'below-review-bar' : 'accepted';
    if (reviewed === 'accepted') state.accepted++;
    else state.sentBack++;
    ctx.send(ctx.props.queen, { kind: 'result', body: { ...r, reviewed } });
  },
};

/**
 * The team lead as a behaviour reference.
 *
 * @example
 * ```ts
 * await system.spawn('lead_01', TEAM_LEAD, { props });
 * ```
 */
export const TEAM_LEAD: BehaviourRef = { module: fileURLToPath(moduleUrl('./team-lead.ts', import.meta.url)), export: 'teamLead' };
