/**
 * The multi-stage workflow as the consensus tutorial writes it, accepted beside our own shape:
 * `{ workflow_name, stages: [{ stage, consensus_algorithm, threshold, max_agents, expert_domains,
 * depends_on, description }] }`, inline or in a JSON or YAML file named by `workflow: FILE`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { isMapping } from './deep-merge.ts';
import type { Scenario } from './schema.ts';
import { parseYamlSource } from './yaml-source.ts';

/**
 * Stage algorithms written by the tutorial's name and the voting algorithm that runs them. A
 * stage is a vote among the swarm's agents, so PBFT (a replicated log among replicas) cannot run
 * one; `byzantine_supermajority` is the Byzantine-tolerant vote: more than 2/3 of the whole
 * electorate (or a stage threshold above 2/3, of the electorate), so with f < n/3 lying or silent
 * voters no two conflicting outcomes can pass.
 */
export const STAGE_ALGORITHM_NAMES: Readonly<Record<string, string>> = { byzantine_tolerant: 'byzantine_supermajority', pbft: 'byzantine_supermajority' };

/**
 * The raw scenario with its workflow in our shape: read from `workflow: FILE` (relative to the
 * scenario's folder), `workflow_name` kept as `name`, each stage's `stage` as its `name`, and
 * `byzantine_tolerant` stages run by `byzantine_supermajority`. Anything else is left for the
 * schema to check.
 *
 * @example
 * ```ts
 * shapeWorkflow({ workflow: { workflow_name: 'w', stages: [{ stage: 'go', consensus_algorithm: 'byzantine_tolerant' }] } }, 's.yml');
 * // { workflow: { name: 'w', stages: [{ name: 'go', consensus_algorithm: 'byzantine_supermajority' }] } }
 * ```
 */
export function shapeWorkflow(raw: unknown, file: string | undefined): unknown {
  if (!isMapping(raw) || raw.workflow === undefined) return raw;
  let workflow: unknown = raw.workflow;
  if (typeof workflow === 'string') workflow = readWorkflow(workflow, file);
  if (!isMapping(workflow)) return { ...raw, workflow };
  const { workflow_name, ...rest } = workflow;
  if (workflow_name !== undefined && rest.name !== undefined && workflow_name !== rest.name) {
    throw new ConfigError('workflow.workflow_name', `the same name as workflow.name (${JSON.stringify(rest.name)}), or only one of them`, workflow_name);
  }
  const stages = Array.isArray(rest.stages) ? rest.stages.map((s, i) => shapeStage(s, i)) : rest.stages;
  return { ...raw, workflow: { ...rest, ...(workflow_name !== undefined && rest.name === undefined ? { name: workflow_name } : {}), stages } };
}

function shapeStage(stage: unknown, i: number): unknown {
  if (!isMapping(stage)) return stage;
  const { stage: tutorialName, ...rest } = stage;
  if (tutorialName !== undefined && rest.name !== undefined && tutorialName !== rest.name) {
    throw new ConfigError(`workflow.stages[${i}].stage`, `the same name as its "name" (${JSON.stringify(rest.name)}), or only one of them`, tutorialName);
  }
  const algorithm =
    typeof rest.consensus_algorithm === 'string' ? (STAGE_ALGORITHM_NAMES[rest.consensus_algorithm] ?? rest.consensus_algorithm) : rest.consensus_algorithm;
  return {
    ...rest,
    ...(tutorialName !== undefined && rest.name === undefined ? { name: tutorialName } : {}),
    ...(algorithm !== undefined ? { consensus_algorithm: algorithm } : {}),
  };
}

/** `workflow: FILE`: a JSON or YAML file holding the workflow. */
function readWorkflow(path: string, scenarioFile: string | undefined): unknown {
  const full = resolve(scenarioFile === undefined ? process.cwd() : dirname(resolve(scenarioFile)), path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    throw new ConfigError(
      'workflow',
      `a workflow { stages: [...] } or the path of a JSON or YAML file holding one (relative to the scenario's folder): ${full} could not be read`,
      path,
    );
  }
  // Read as a scenario is (syntax errors, nesting, keys such as `__proto__`), with positions in
  // the workflow's own file.
  return parseYamlSource(text, full, 'workflow').value;
}

/**
 * What a workflow asks that its stages cannot fully have, named for the run's warnings: expert
 * domains no agent has (the whole swarm votes then), `max_agents` above the swarm, a stage
 * threshold a Byzantine-tolerant stage does not use (2/3 of the electorate stands below it).
 *
 * @example
 * ```ts
 * workflowWarnings(scenario); // ['workflow.stages[1].expert_domains: no agent has engineering or architecture ...']
 * ```
 */
export function workflowWarnings(scenario: Scenario): string[] {
  const stages = scenario.workflow?.stages ?? [];
  const known = new Set<string>();
  for (const g of scenario.agents) for (const d of g.expertise?.domains ?? scenario.consensus.agent_expertise?.[g.role]?.domains ?? []) known.add(d);
  const agents = scenario.agents.reduce((n, g) => n + g.count, 0);
  const out: string[] = [];
  stages.forEach((s, i) => {
    const at = `workflow.stages[${i}]`;
    if (s.expert_domains?.length && !s.expert_domains.some((d) => known.has(d))) {
      out.push(
        `${at}.expert_domains: no agent has expertise in ${s.expert_domains.join(' or ')}, so all ${agents} agents vote on stage ${s.name}; give a group expertise: { weight, domains: [${s.expert_domains[0]}] } (or consensus.agent_expertise) to make it an experts' vote`,
      );
    }
    if (s.max_agents !== undefined && s.max_agents > agents)
      out.push(`${at}.max_agents: ${s.max_agents} is more than the ${agents} agents the scenario has, so all of them vote on stage ${s.name}`);
    if (s.consensus_algorithm === 'byzantine_supermajority' && s.threshold !== undefined && s.threshold <= 2 / 3) {
      out.push(
        `${at}.threshold: ${s.threshold} is not used: a Byzantine-tolerant stage always needs more than 2/3 of its electorate; a threshold above 2/3 raises that bar`,
      );
    }
  });
  if (scenario.consensus.algorithm === 'byzantine_supermajority' && scenario.consensus.threshold !== undefined && scenario.consensus.threshold <= 2 / 3) {
    out.push(
      `consensus.threshold: ${scenario.consensus.threshold} is not used: byzantine_supermajority always needs more than 2/3 of the electorate; a threshold above 2/3 raises that bar`,
    );
  }
  return out;
}
