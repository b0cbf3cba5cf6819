/**
 * The built-in scenario `conclave run --config FILE` runs when no scenario file is given: the
 * classic five agents choosing a database. It deliberately sets no consensus settings (the
 * algorithm defaults to simple_majority), so a configuration's `default_algorithm`,
 * `voting_timeout` and algorithm parameters all apply: anything set here would win over them.
 *
 * @example
 * ```ts
 * const scenario = parseScenario(DEFAULT_SCENARIO_TEXT, undefined, { configFile: 'consensus.yml' });
 * scenario.name; // 'db-choice'
 * ```
 */
export const DEFAULT_SCENARIO_TEXT = `# The classic: five agents choose a database for a high-traffic shop.
name: db-choice
agents:
  - { role: researcher, count: 1, weight: 1.5, accuracy: 0.8 }
  - { role: coder, count: 2, accuracy: 0.7 }
  - { role: architect, count: 1, accuracy: 0.75 }
  - { role: tester, count: 1, accuracy: 0.7 }
topology: mesh
task:
  question: "Choose the best database for a high-traffic e-commerce platform"
  options: [PostgreSQL, MongoDB, DynamoDB]
  truth: PostgreSQL
  domain: architecture
  risk: low
  decisions: 20
`;
