/** Health checks of the runtime (worker threads, a 3-node vote in each mode): above src/system, src/swarm and src/store, which they use. */
import { parseScenario } from '../scenario/index.ts';
import type { ScenarioResult } from '../swarm/report.ts';
import { runScenario } from '../swarm/run-scenario.ts';
import type { HealthCheck } from '../store/store-health.ts';
import { createSystem } from '../system/create-system.ts';

/** How long one health check may take before it is called failed. */
export const HEALTH_TIMEOUT_MS = 30_000;

async function timed(
  name: string,
  now: () => number,
  body: () => Promise<{ detail: string; figures?: HealthCheck['figures'] }>,
  timeoutMs = HEALTH_TIMEOUT_MS,
): Promise<HealthCheck> {
  const start = now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      body(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, detail: r.detail, ms: now() - start, figures: r.figures };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message, ms: now() - start };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts worker threads (threads mode, two workers), spawns an echo actor on each and asks it
 * for a round trip: the worker threads start, load the runtime and answer.
 *
 * @example
 * ```ts
 * const check = await threadsHealth(); // { name: 'worker threads', ok: true, detail: '2 workers started in 310 ms, round trips 0.4 ms, 0.3 ms' }
 * ```
 */
export function threadsHealth(now: () => number = () => performance.now()): Promise<HealthCheck> {
  return timed('worker threads', now, async () => {
    const t0 = now();
    const system = await createSystem({ mode: 'threads', workers: 2 });
    const started = now() - t0;
    try {
      const trips: number[] = [];
      for (const worker of [0, 1]) {
        await system.spawn(`health-echo-${worker}`, 'echo', { worker });
        const t = now();
        const reply = await system.ask(`health-echo-${worker}`, { kind: 'ping', body: worker }, { timeoutMs: 10_000 });
        if (reply.body !== worker) throw new Error(`worker ${worker} answered ${JSON.stringify(reply.body)} to ping ${worker}`);
        trips.push(now() - t);
      }
      return {
        detail: `2 workers started in ${started.toFixed(0)} ms; an actor on each answered (round trips ${trips.map((x) => `${x.toFixed(1)} ms`).join(', ')})`,
        figures: { startMs: started, roundTripMs: Math.max(...trips) },
      };
    } finally {
      await system.shutdown();
    }
  });
}

const TINY = `
name: health-connectivity
seed: 1
agents:
  - { role: voter, count: 3 }
topology: mesh
consensus: { algorithm: simple_majority, threshold: 0.5, voting_timeout: 5s }
task: { question: "connectivity", options: [yes, no], decisions: 20, in_flight: 4 }
`;

/**
 * A tiny vote (3 agents, 20 decisions, simple majority on a mesh) run through `runScenario` in
 * one mode: every decision closes, no safety violation, every envelope accounted for.
 *
 * @example
 * ```ts
 * const check = await connectivityHealth('threads');
 * ```
 */
export function connectivityHealth(mode: 'sim' | 'threads', now: () => number = () => performance.now()): Promise<HealthCheck> {
  return timed(`3-node ${mode} round trip`, now, async () => {
    const scenario = parseScenario(TINY, 'health-connectivity.yml');
    const r: ScenarioResult = await runScenario(scenario, { mode, workers: mode === 'threads' ? 2 : undefined });
    const d = r.decisions;
    const closed = d.decided + d.noConsensus;
    if (r.safetyViolations.length > 0) throw new Error(`${r.safetyViolations.length} safety violation(s) in a fault-free run`);
    if (r.accountingImbalance !== 0) throw new Error(`the message books do not balance (${r.accountingImbalance})`);
    if (closed !== d.attempted) throw new Error(`${closed} of ${d.attempted} decisions closed (${d.timedOut} timed out, ${d.aborted} aborted)`);
    return {
      detail: `${d.attempted} decisions closed by 3 agents, ${r.messages.delivered.toLocaleString('en-US')} messages delivered, books balance`,
      figures: { decisions: d.attempted, messages: r.messages.delivered },
    };
  });
}
