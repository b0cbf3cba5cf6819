/**
 * One measurement of the `scale` and `long` suites, in a process of its own (a fresh heap, and
 * the peak RSS is this run's alone). Prints one JSON line on stdout.
 *
 *   node --import tsx bench/support/scale-run.ts run ALGORITHM AGENTS DECISIONS IN_FLIGHT [off]
 *   node --expose-gc --import tsx bench/support/scale-run.ts idle ACTORS
 *
 * `run` runs ALGORITHM (a vote such as simple_majority, or raft, pbft) on a mesh in sim mode as
 * `conclave run` does (trace on, the checkers over it, the books balanced), sampling the RSS
 * every 65,536 trace events (with `off`, the trace and so the checkers off); `idle` spawns ACTORS sink actors with the trace off and reports the
 * heap they hold after full GCs.
 */
import { parseScenario, runScenario, SimSystem } from '../../src/index.ts';

const [kind, ...args] = process.argv.slice(2);
const rssMB = () => process.resourceUsage().maxRSS / 1024;

if (kind === 'run') {
  const [algorithm, agents, decisions, inFlight] = [args[0], ...args.slice(1, 4).map(Number)] as [string, number, number, number];
  // `off` as a fifth argument: the same run with the trace off (no checker can run), the baseline of checked throughput.
  const traceOff = args[4] === 'off';
  const voting = algorithm !== 'raft' && algorithm !== 'pbft';
  const scenario = parseScenario(
    [
      `name: ${algorithm}-${agents}`,
      'seed: 1',
      `agents: [{ role: agent, count: ${agents}${voting ? ', accuracy: 0.8' : ''} }]`,
      'topology: mesh',
      voting ? `consensus: { algorithm: ${algorithm}, voting_timeout: 600s }` : `consensus: { algorithm: ${algorithm} }`,
      voting
        ? `task: { question: pick, options: [A, B], truth: A, decisions: ${decisions}, in_flight: ${inFlight} }`
        : `task: { decisions: ${decisions}, in_flight: ${inFlight} }`,
    ].join('\n'),
    'run.yml',
    { force: true },
  );
  let events = 0;
  let sampledPeak = 0;
  const samples: number[] = [];
  const started = performance.now();
  const r = await runScenario(scenario, {
    ...(traceOff ? { traceLevel: 'off' as const } : {}),
    onEvent: () => {
      if (++events % 65_536 !== 0) return;
      const rss = process.memoryUsage().rss;
      if (rss > sampledPeak) sampledPeak = rss;
      if (samples.length < 4096) samples.push(rss);
    },
  });
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      wallMs,
      rssMB: rssMB(),
      sampledPeakMB: sampledPeak / 2 ** 20,
      // RSS at a quarter, half and the end of the run: flat or growing with the work.
      quartersMB: [0.25, 0.5, 1].map((q) => (samples[Math.max(0, Math.ceil(samples.length * q) - 1)] ?? 0) / 2 ** 20),
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
  console.error(`scale-run: unknown kind ${kind} (run | idle)`);
  process.exit(2);
}
