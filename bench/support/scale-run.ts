/**
 * One measurement of the `scale` suite, in a process of its own (a fresh heap, and the peak RSS
 * is this run's alone). Prints one JSON line on stdout.
 *
 *   node --import tsx bench/support/scale-run.ts voting AGENTS DECISIONS IN_FLIGHT
 *   node --expose-gc --import tsx bench/support/scale-run.ts idle ACTORS
 *
 * `voting` runs a simple_majority scenario on a mesh in sim mode as `conclave run` does (trace
 * on, the checkers over it, the books balanced); `idle` spawns ACTORS sink actors with the trace
 * off and reports the heap they hold after full GCs.
 */
import { parseScenario, runScenario, SimSystem } from '../../src/index.ts';

const [kind, ...args] = process.argv.slice(2);
const rssMB = () => process.resourceUsage().maxRSS / 1024;

if (kind === 'voting') {
  const [agents, decisions, inFlight] = args.map(Number);
  const scenario = parseScenario(
    [
      `name: scale-${agents}`,
      'seed: 1',
      `agents: [{ role: agent, count: ${agents}, accuracy: 0.8 }]`,
      'topology: mesh',
      'consensus: { algorithm: simple_majority, voting_timeout: 600s }',
      `task: { question: pick, options: [A, B], truth: A, decisions: ${decisions}, in_flight: ${inFlight} }`,
    ].join('\n'),
    'scale.yml',
    { force: true },
  );
  const started = performance.now();
  const r = await runScenario(scenario);
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      wallMs,
      rssMB: rssMB(),
      decided: r.decisions.decided,
      attempted: r.decisions.attempted,
      sent: r.messages.sent,
      imbalance: r.accountingImbalance,
      safety: r.safetyViolations.length,
      checked: r.safetyChecked,
    }),
  );
} else if (kind === 'idle') {
  const actors = Number(args[0]);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('idle needs --expose-gc');
  const heap = () => {
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const sim = new SimSystem({ traceLevel: 'off' });
  const before = heap();
  const started = performance.now();
  for (let i = 0; i < actors; i++) await sim.spawn(`idle-${i}`, 'sink');
  const wallMs = performance.now() - started;
  const heldBytes = heap() - before;
  console.log(JSON.stringify({ wallMs, rssMB: rssMB(), heldBytes, actors: sim.host.cells.size }));
  await sim.shutdown();
} else {
  console.error(`scale-run: unknown kind ${kind} (voting | idle)`);
  process.exit(2);
}
