import { DEFAULT_SCENARIO_TEXT, parseScenario, type Scenario } from '../scenario/index.ts';
import { runScenario, type ScenarioResult } from '../swarm/run-scenario.ts';
import { bold, count, dim, green, heading, int, red } from '../text/format.ts';
import { timelineWriter } from './run-command.ts';

/** Options of the decision demo (all defaulted, so `npm start` needs none). */
export interface DecisionDemoOptions {
  readonly seed: number;
  readonly workers: number;
  /** Decisions in each burst. */
  readonly decisions: number;
  readonly out: (line: string) => void;
}

/** What the demo measured, for tests and `--json`. */
export interface DecisionDemoReport {
  readonly conversation: ScenarioResult;
  readonly simBurst: ScenarioResult;
  readonly threadBurst: ScenarioResult;
  readonly switching: ScenarioResult;
}

/** The built-in five-agent database choice, with the workload and schedule changed. */
function scenario(task: string, schedule = ''): Scenario {
  const text = DEFAULT_SCENARIO_TEXT.replace(/\n {2}decisions: \d+/, `\n  ${task}`) + schedule;
  return parseScenario(text, 'built-in db-choice');
}

function verdict(r: ScenarioResult): string {
  const books = r.accountingImbalance === 0 && r.messages.inFlight === 0 ? green('books balanced') : red('BOOKS UNBALANCED');
  const messages = `${int(r.messages.sent)} messages, ${r.messagesPerDecision.toFixed(1)} per decision`;
  // Said on a line of its own: why a burst's safety is not checked is the one thing to explain here.
  if (!r.safetyChecked) return `${books} · ${messages}\n   ${dim('safety not checked here: bursts run untraced, for speed (sections 1 and 3 are checked)')}`;
  const safety = r.safetyViolations.length === 0 ? green('0 safety violations') : red(`${r.safetyViolations.length} SAFETY VIOLATIONS`);
  return `${books} · ${safety} · ${messages}`;
}

function figures(r: ScenarioResult): string {
  const d = r.decisions;
  const quality = r.quality === null ? '' : ` · quality ${(r.quality * 100).toFixed(1)}%`;
  return `${int(d.attempted)} decisions in ${int(Math.round(r.wallMs))} ms = ${bold(`${int(r.decisionsPerMinute)} decisions/min`)}${quality}`;
}

/** How the decisions closed: on the detail line under the figures (one line held both: 130 columns). */
function outcomes(r: ScenarioResult): string {
  const d = r.decisions;
  return `${int(d.decided)} decided, ${int(d.noConsensus)} no consensus, ${int(d.timedOut)} timed out`;
}

/**
 * The demo `npm start` runs: a few decisions told as a timeline of votes and reasons, then
 * bursts of thousands of decisions in sim mode and across worker threads with their throughput,
 * then the same swarm deciding while its topology switches mesh -> hierarchical -> star -> ring.
 */
export async function runDecisionDemo(o: DecisionDemoOptions): Promise<DecisionDemoReport> {
  const out = o.out;
  out(bold('Conclave') + dim(' — five simulated agents choose a database, as actor conversations with an honest ledger'));

  out(heading(`1. Three decisions, vote by vote (sim mode, seed ${o.seed}, virtual time)`));
  const lines: string[] = [];
  const conversation = await runScenario(scenario('decisions: 3'), { seed: o.seed, onEvent: timelineWriter(3, 'sim', lines) });
  for (const l of lines.filter((l) => !l.includes('topology'))) out(`  ${l}`);
  out(`   ${verdict(conversation)}`);

  out(heading(`2. A burst of ${int(o.decisions)} decisions, 64 in flight`));
  const burst = scenario(`decisions: ${o.decisions}\n  in_flight: 64`);
  const simBurst = await runScenario(burst, { seed: o.seed, traceLevel: 'off' });
  out(`   sim:     ${figures(simBurst)}`);
  out(
    `            ${dim(`(${outcomes(simBurst)}; ${int(simBurst.simDecisionsPerMinute ?? 0)} per simulated minute; p50 ${simBurst.latencyMs.p50.toFixed(2)} ms simulated)`)}`,
  );
  const threadBurst = await runScenario(burst, { seed: o.seed, mode: 'threads', workers: o.workers, traceLevel: 'off' });
  out(`   threads: ${figures(threadBurst)}`);
  out(
    `            ${dim(`(${threadBurst.decisions.decided === simBurst.decisions.decided ? 'the same outcomes as sim: same seed, same votes' : `${outcomes(threadBurst)}: not those of sim`}; ${count(o.workers, 'worker')}; p50 ${threadBurst.latencyMs.p50.toFixed(2)} ms wall clock)`)}`,
  );
  out(`   ${verdict(threadBurst)}`);

  // A decision takes ~6 virtual ms on the mesh: space the switches over the burst.
  const span = Math.max(40, Math.round((o.decisions / 64) * 6));
  const at = (k: number) => `${Math.round((span * k) / 4)}ms`;
  out(heading('3. The same burst while the topology switches mesh -> hierarchical -> star -> ring'));
  const switching = await runScenario(
    scenario(
      `decisions: ${o.decisions}\n  in_flight: 64`,
      `schedule:\n  - { at: ${at(1)}, switch_topology: hierarchical }\n  - { at: ${at(2)}, switch_topology: star }\n  - { at: ${at(3)}, switch_topology: ring }\n`,
    ),
    { seed: o.seed, traceVotes: false },
  );
  out(dim('   epoch  topology       decisions  msgs/decision  links/msg  p50 latency (simulated)'));
  for (const e of switching.topologyEpochs) {
    out(
      `   ${String(e.epoch).padStart(5)}  ${e.kind.padEnd(13)}  ${int(e.decisions).padStart(9)}  ${e.messagesPerDecision.toFixed(1).padStart(13)}  ${e.linksPerMessage.toFixed(2).padStart(9)}  ${e.latencyP50Ms.toFixed(2).padStart(8)} ms`,
    );
  }
  out(`   ${figures(switching)}`);
  out(`   ${dim(`(${outcomes(switching)})`)}`);
  out(`   ${verdict(switching)}`);
  out('');
  out(bold('Next:'));
  for (const [command, what] of [
    ['npx conclave run examples/db-choice.yml', 'a scenario (examples/; npm install -g . puts conclave on PATH)'],
    ['npx conclave tour', 'the actor runtime underneath'],
    ['npx conclave --help', 'every command (stress, replay, bench, dashboard, ...)'],
    ['npm test · npm run bench -- voting', 'the test suite · a benchmark'],
  ])
    out(`  ${command.padEnd(40)} ${dim(what)}`);
  return { conversation, simBurst, threadBurst, switching };
}
