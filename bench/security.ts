/**
 * Suite `security`: what issue 15's ballot security costs. Decisions per minute of one voting
 * swarm (simple_majority, n = 5 voters, mesh, 64 decisions in flight, trace off) with
 * `security:` off, with `vote_encryption: true` (X25519 + HKDF once per voter, then AES-256-GCM
 * per ballot), with `agent_authentication: required` (an Ed25519 signature per ballot, made by
 * the voter and checked by the coordinator) and with both; sim mode and threads mode (2 workers).
 *
 * Configurations are interleaved in rounds (each once per round, after one warm-up each), so a
 * slow stretch of a shared machine hits all of them alike; each secured row's ratio is against
 * the unsecured row of its mode, measured in the same run. Figure: ScenarioResult.
 * decisionsPerMinute (decisions closed per wall-clock minute of the coordinator's run; start-up,
 * spawning and shutdown excluded).
 *
 * Checks, per configuration over all its runs: accounting balanced, every decision attempted
 * and closed with none timed out, and no ballot refused (the security does not cost votes).
 */
import { parseScenario } from '../src/scenario/index.ts';
import { runScenario, type ScenarioResult } from '../src/swarm/run-scenario.ts';
import { formatNumber, summarize, withRatios, invalidateOnFailure, type Check, type Row, type SuiteReport } from './harness.ts';

type Mode = 'sim' | 'threads';
type Security = 'none' | 'encrypt' | 'sign' | 'sign+encrypt';

const SECURITY: Readonly<Record<Security, string>> = {
  none: '',
  encrypt: '{ vote_encryption: true }',
  sign: '{ agent_authentication: required }',
  'sign+encrypt': '{ agent_authentication: required, vote_encryption: true }',
};
const N = 5;
const IN_FLIGHT = 64;
const WORKERS = 2;
const SEED = 1;
const SAMPLES: Readonly<Record<Mode, number>> = { sim: 5, threads: 3 };
/** Sized so each run's coordinator phase takes roughly 0.3–2 s on a 2-core machine. */
const DECISIONS: Readonly<Record<Mode, Readonly<Record<Security, number>>>> = {
  sim: { none: 20_000, encrypt: 10_000, sign: 2_000, 'sign+encrypt': 2_000 },
  threads: { none: 20_000, encrypt: 10_000, sign: 2_000, 'sign+encrypt': 2_000 },
};

interface Config {
  readonly mode: Mode;
  readonly security: Security;
}
interface Runs {
  readonly config: Config;
  readonly samples: ScenarioResult[];
  readonly all: ScenarioResult[];
}

function yaml(c: Config, decisions: number): string {
  return `name: bench-security-${c.security}
agents: [{ role: coder, count: ${N}, accuracy: 0.7 }]
topology: mesh
consensus:
  algorithm: simple_majority
  voting_timeout: 60s
${c.security === 'none' ? '' : `  security: ${SECURITY[c.security]}`}
task: { question: "Which database?", options: [PostgreSQL, MongoDB, DynamoDB], truth: PostgreSQL, decisions: ${decisions}, in_flight: ${IN_FLIGHT} }
`;
}

const runOnce = (c: Config, decisions: number) =>
  runScenario(parseScenario(yaml(c, decisions)), { seed: SEED, mode: c.mode, traceLevel: 'off', ...(c.mode === 'threads' ? { workers: WORKERS } : {}) });

const taskName = (c: Config) => `${c.mode === 'sim' ? 'sim' : `threads ${WORKERS}w`} security ${c.security}`;

function checksFor(r: Runs): Check[] {
  const label = taskName(r.config);
  const want = DECISIONS[r.config.mode][r.config.security];
  const bad = r.all.filter(
    (x) =>
      x.accountingImbalance !== 0 ||
      x.decisions.timedOut !== 0 ||
      x.decisions.decided + x.decisions.noConsensus !== x.decisions.attempted ||
      Object.values(x.refusedVotes).some((n) => n !== 0),
  );
  return [
    {
      name: `${label}: books balanced, every decision closed, none timed out, no ballot refused`,
      ok: bad.length === 0,
      detail: bad.length
        ? bad.map((x) => `${JSON.stringify(x.decisions)} refused ${JSON.stringify(x.refusedVotes)} imbalance ${x.accountingImbalance}`).join('; ')
        : `${r.all.length} runs (${want.toLocaleString('en')} decisions each measured; warm-ups a quarter)`,
    },
  ];
}

function rowFor(r: Runs): Row {
  const c = r.config;
  const stats = summarize(r.samples.map((x) => x.decisionsPerMinute));
  const perDecisionUs = 60e6 / stats.median;
  return {
    task: taskName(c),
    unit: 'decisions/min',
    better: 'higher',
    ...stats,
    perIteration: DECISIONS[c.mode][c.security],
    baseline: c.security === 'none' ? undefined : taskName({ ...c, security: 'none' }),
    note: `${perDecisionUs.toFixed(1)} µs/decision (${N} ballots each); ${formatNumber((stats.median * N) / 60)} ballots/s`,
  };
}

export default async function security(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const configs: Config[] = (['sim', 'threads'] as const).flatMap((mode) => (Object.keys(SECURITY) as Security[]).map((s) => ({ mode, security: s })));
  const runs: Runs[] = configs.map((config) => ({ config, samples: [], all: [] }));
  log('  warm-up ...');
  for (const r of runs) r.all.push(await runOnce(r.config, DECISIONS[r.config.mode][r.config.security] / 4));
  for (let round = 0; round < Math.max(SAMPLES.sim, SAMPLES.threads); round++) {
    for (const r of runs) {
      if (round >= SAMPLES[r.config.mode]) continue;
      const x = await runOnce(r.config, DECISIONS[r.config.mode][r.config.security]);
      r.samples.push(x);
      r.all.push(x);
    }
    log(`  round ${round + 1} done`);
  }
  const checks = runs.flatMap(checksFor);
  const rows = withRatios(runs.map(rowFor)).map((row, i) => invalidateOnFailure([row], checksFor(runs[i]))[0]);
  return {
    suite: 'security',
    description: [
      `Decisions per minute of a voting swarm with the scenario's security: section off, vote_encryption (X25519 + HKDF per voter, AES-256-GCM per ballot),`,
      `agent_authentication: required (Ed25519: the voter signs, the coordinator verifies, one each per ballot) and both. simple_majority, n = ${N}, mesh,`,
      `${IN_FLIGHT} in flight, trace off, seed ${SEED}; sim and threads (${WORKERS} workers). Medians of ${SAMPLES.sim} (sim) / ${SAMPLES.threads} (threads) runs, interleaved in rounds after a warm-up each;`,
      `ratios against the unsecured row of the same mode, same run.`,
    ].join('\n'),
    rows,
    checks,
  };
}
