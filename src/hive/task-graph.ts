import type { Prng } from '../scheduler/prng.ts';
import { DECISION_KINDS, type ObjectiveFeatures, type Section, type Subtask, type TaskGraph, type TaskKind } from './types.ts';

/** A value drawn around `centre` with spread `spread`, kept in [0.05, 1]. */
function around(centre: number, spread: number, rnd: Prng): number {
  return Math.round(Math.min(1, Math.max(0.05, centre + (rnd() * 2 - 1) * spread)) * 100) / 100;
}

/** Builds subtasks one by one, numbering them and keeping every dependency earlier. */
class GraphBuilder {
  readonly subtasks: Subtask[] = [];
  constructor(
    private readonly features: ObjectiveFeatures,
    private readonly rnd: Prng,
  ) {}

  add(kind: TaskKind, title: string, deps: readonly string[], complexity = this.features.complexity): string {
    const id = `t${String(this.subtasks.length + 1).padStart(2, '0')}`;
    const f = this.features;
    // Decision kinds carry the objective's criticality; the rest stay routine.
    const criticality = DECISION_KINDS.includes(kind) ? around(f.criticality, 0.15, this.rnd) : around(0.15, 0.1, this.rnd);
    this.subtasks.push({
      id,
      kind,
      title,
      complexity: around(complexity, 0.2, this.rnd),
      novelty: around(f.novelty, 0.2, this.rnd),
      criticality,
      deps: [...deps],
    });
    return id;
  }
}

/**
 * The queen's decomposition of an objective into a task graph. Without sections: research, an
 * architecture decision, a security review when the objective is critical, then parallel
 * implementation streams (code → test; more of them the more complex the objective), docs, a
 * final review and, when critical, a deployment decision. Sequentiality chains the streams one
 * after another instead of side by side. With sections (the documentation project): the
 * architecture decision first, then per section research → docs → review at that section's
 * complexity, then a final review. Drawn from `rnd`, so a seed gives the same graph.
 *
 * @example
 * ```ts
 * const g = decompose('Build an auth service', { complexity: 0.7, novelty: 0.5, criticality: 0.8, sequentiality: 0.2 }, createPrng(1, 'queen'));
 * g.subtasks.length; // about 8 + 16 × complexity
 * ```
 */
export function decompose(objective: string, features: ObjectiveFeatures, rnd: Prng, sections?: readonly Section[]): TaskGraph {
  const b = new GraphBuilder(features, rnd);
  const chained = features.sequentiality >= 0.5;
  if (sections !== undefined && sections.length > 0) {
    const arch = b.add('architecture', 'documentation architecture', []);
    const ends: string[] = [];
    let previous = arch;
    for (const s of sections) {
      const r = b.add('research', `research: ${s.name}`, [chained ? previous : arch], s.complexity);
      const d = b.add('docs', `write: ${s.name}`, [r], s.complexity);
      previous = b.add('review', `review: ${s.name}`, [d], s.complexity);
      ends.push(previous);
    }
    b.add('review', 'final review', ends);
    return { objective, subtasks: b.subtasks };
  }
  const research = b.add('research', 'research the problem', []);
  const arch = b.add('architecture', 'architecture decision', [research]);
  const gates = [arch];
  if (features.criticality >= 0.5) gates.push(b.add('security', 'security review of the design', [arch]));
  const streams = 2 + Math.round(features.complexity * 6);
  const ends: string[] = [];
  let previous = gates;
  for (let s = 1; s <= streams; s++) {
    const code = b.add('code', `implement part ${s}`, chained ? previous : gates);
    const test = b.add('test', `test part ${s}`, [code]);
    ends.push(test);
    previous = [test];
  }
  const docs = b.add('docs', 'write the documentation', chained ? previous : ends);
  const review = b.add('review', 'final review', [docs, ...(chained ? [] : ends)]);
  if (features.criticality >= 0.5) b.add('deployment', 'deployment decision', [review]);
  return { objective, subtasks: b.subtasks };
}
