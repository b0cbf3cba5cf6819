import type { ActorSystem } from '../scheduler/actor-system.ts';
import { TOPOLOGY_KINDS, type TopologyKind } from '../topologies/index.ts';
import type { ControlAction } from './feed-frame.ts';

/** The control actions a live run takes in each mode (a threads run cannot be paused: its workers run on the wall clock). */
export const CONTROLS: Readonly<Record<'sim' | 'threads', readonly ControlAction['action'][]>> = {
  sim: ['pause', 'resume', 'switch-topology', 'crash', 'recover', 'partition', 'heal', 'isolate', 'byzantine'],
  threads: ['switch-topology', 'crash', 'recover', 'partition', 'heal', 'isolate', 'byzantine'],
};

/**
 * Checks a control action from the page against the run: a known action this mode takes, members
 * of the graph in force, a topology by name. Returns the action, or throws an Error that names
 * what was wrong and what to send instead.
 *
 * @example
 * ```ts
 * checkControl({ action: 'crash', member: 'n2' }, 'sim', ['n1', 'n2', 'n3']);
 * ```
 */
export function checkControl(input: unknown, mode: 'sim' | 'threads', members: readonly string[]): ControlAction {
  const a = input as Record<string, unknown> | null;
  const allowed = CONTROLS[mode];
  if (typeof a !== 'object' || a === null || typeof a.action !== 'string')
    throw new Error(`a control action is an object {"action": ...}; actions: ${allowed.join(', ')}`);
  if (!allowed.includes(a.action as ControlAction['action'])) {
    const why = a.action === 'pause' || a.action === 'resume' ? ' (a threads-mode run runs on the wall clock: it cannot be held)' : '';
    throw new Error(`unknown or unavailable action "${a.action}"${why}; a ${mode}-mode run takes: ${allowed.join(', ')}`);
  }
  const known = new Set(members);
  const member = (m: unknown): string => {
    if (typeof m !== 'string' || !known.has(m))
      throw new Error(
        `"member" must be a member of the graph in force (got ${JSON.stringify(m)}; members: ${members.slice(0, 8).join(', ')}${members.length > 8 ? ', ...' : ''})`,
      );
    return m;
  };
  switch (a.action) {
    case 'crash':
    case 'recover':
    case 'isolate':
      return { action: a.action, member: member(a.member) };
    case 'byzantine': {
      // Which kinds this protocol's adversary tells is the run's to check (LiveRun.makeByzantine).
      const kinds = a.kinds;
      if (kinds !== undefined && !(Array.isArray(kinds) && kinds.every((k) => typeof k === 'string' && k.length > 0)))
        throw new Error(`"kinds" must be a list of Byzantine kinds, e.g. ["conflicting_votes"] (got ${JSON.stringify(kinds)})`);
      return { action: 'byzantine', member: member(a.member), ...(kinds !== undefined ? { kinds: kinds as string[] } : {}) };
    }
    case 'switch-topology':
      if (!TOPOLOGY_KINDS.includes(a.topology as TopologyKind))
        throw new Error(`"topology" must be one of ${TOPOLOGY_KINDS.join(', ')} (got ${JSON.stringify(a.topology)})`);
      return { action: 'switch-topology', topology: a.topology as string };
    case 'partition': {
      const groups = a.groups;
      if (!Array.isArray(groups) || groups.length < 2 || !groups.every((g) => Array.isArray(g) && g.length > 0))
        throw new Error('"groups" must be two or more non-empty lists of members, e.g. [["n1","n2"],["n3","n4","n5"]]');
      const seen = new Set<string>();
      for (const g of groups as unknown[][])
        for (const m of g) {
          if (seen.has(member(m))) throw new Error(`member ${String(m)} is in two partition groups`);
          seen.add(m as string);
        }
      return { action: 'partition', groups: groups as string[][] };
    }
    default:
      return { action: a.action as 'pause' | 'resume' | 'heal' };
  }
}

/**
 * Lays a checked action on the run through the scheduler's API, as a scenario's schedule does:
 * at the next instant of the run's clock (`faults.at(0, ...)`), so it is in the trace like any
 * fault or switch and the books stay exact. Pause and resume are the caller's (they hold the
 * run's thread). Returns what was done, for the page.
 *
 * @example
 * ```ts
 * layControl(system, { action: 'switch-topology', topology: 'ring' }); // 'switch to ring at t=1,200 ms'
 * ```
 */
export function layControl(system: ActorSystem, a: ControlAction): string {
  const f = system.faults;
  const at = `at t=${Math.round(f.now()).toLocaleString('en-US')} ms`;
  switch (a.action) {
    case 'crash':
      f.at(0, () => f.crash(a.member));
      return `crash ${a.member} ${at}`;
    case 'recover':
      f.at(0, () => f.recover(a.member));
      return `recover ${a.member} ${at}`;
    case 'isolate':
      f.at(0, () => f.isolate(a.member, 'isolated from the dashboard'));
      return `isolate ${a.member} ${at}`;
    case 'partition':
      f.at(0, () => f.partition(a.groups));
      return `partition ${a.groups.map((g) => g.join(',')).join(' | ')} ${at}`;
    case 'heal':
      f.at(0, () => f.heal());
      return `heal ${at}`;
    case 'switch-topology':
      f.at(0, () => {
        system
          .switchTopology(a.topology as TopologyKind, { reason: 'dashboard' })
          .catch((e: Error) => f.note('dashboard-switch-failed', `switch to ${a.topology}: ${e.message}`));
      });
      return `switch to ${a.topology} ${at}`;
    default:
      throw new Error(`${a.action} is not laid on the scheduler (the dashboard's run bridge holds the run)`);
  }
}
