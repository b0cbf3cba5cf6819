import type { ActorId } from '../actors/envelope.ts';
import { selectTopology, DEFAULT_SELECTION_RULES, type SelectionRule, type TaskDescriptor, type Member } from '../topologies/index.ts';
import type { ActorSystem } from './actor-system.ts';
import type { TopologySwitch } from './topology-control.ts';

/**
 * Keeps a system on the topology its task calls for: `update` re-evaluates the rules with the
 * task descriptor as it is now and switches only when the choice changed (same spec, no switch).
 *
 * @example
 * ```ts
 * const adaptive = new AdaptiveTopology(system, members);
 * await adaptive.update({ complexity: 'high', novelty: 'high' }); // installs mesh
 * await adaptive.update({ complexity: 'high', delegated: true }); // switches to hierarchical
 * ```
 */
export class AdaptiveTopology {
  private current: string | undefined;

  constructor(
    private readonly system: ActorSystem,
    private readonly members: readonly (Member | ActorId)[],
    private readonly rules: readonly SelectionRule[] = DEFAULT_SELECTION_RULES,
  ) {}

  /** Switches if the rules now choose a different topology; returns the switch, if one happened. */
  async update(task: TaskDescriptor): Promise<TopologySwitch | undefined> {
    const choice = selectTopology({ agents: this.members.length, ...task }, this.rules);
    const key = JSON.stringify(choice.topology);
    if (key === this.current) return undefined;
    const record = await this.system.switchTopology(choice.topology, {
      members: this.current === undefined ? this.members : undefined,
      reason: `selector: ${choice.reason}`,
    });
    this.current = key;
    return record;
  }
}
