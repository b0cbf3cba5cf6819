import type { MessageAccounting } from '../actors/counters.ts';
import type { TraceEvent } from '../actors/trace-event.ts';
import { SimSystem } from '../scheduler/sim-system.ts';
import { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import { bold, cyan, dim, green, heading, int, ms, rate, red, yellow } from '../text/format.ts';

/** Options of the demo (all have defaults, so `npm start` needs none). */
export interface DemoOptions {
  readonly seed: number;
  readonly workers: number;
  /** Envelopes in each burst. */
  readonly burst: number;
  readonly out: (line: string) => void;
}

/** What the demo measured, for tests and for `--json`. */
export interface DemoReport {
  readonly relay: { hops: number; restarts: number; virtualMs: number; traceHash: string; replayHash: string };
  readonly simBurst: { envelopes: number; wallMs: number; perSecond: number; messages: MessageAccounting };
  readonly threadBurst: { envelopes: number; wallMs: number; perSecond: number };
  readonly crash: { restarted: readonly string[]; lostInFlight: number; recoveryMs: number };
  readonly threadLedger: MessageAccounting;
}

const RUNNERS = ['runner-1', 'runner-2', 'runner-3', 'runner-4', 'runner-5'];

/** Five runners pass a token around a ring; one fumbles now and then and is restarted. */
async function relayRace(seed: number, keepTrace: boolean): Promise<{ sim: SimSystem; events: TraceEvent[] }> {
  const sim = new SimSystem({ seed, traceLevel: 'full', keepTrace });
  for (const [i, id] of RUNNERS.entries()) {
    await sim.spawn(id, 'relay', {
      props: { next: RUNNERS[(i + 1) % RUNNERS.length], maxHops: 200, failEvery: id === 'runner-3' ? 3 : undefined },
      supervision: { strategy: 'restart', maxFailures: 100, windowMs: 1000 },
    });
  }
  sim.send('runner-1', { kind: 'token', body: 0 });
  await sim.settle();
  return { sim, events: sim.recorder.events };
}

function ledger(m: MessageAccounting): string {
  const ok = m.sent === m.delivered + m.dropped + m.deadLettered + m.inFlight;
  return `sent ${int(m.sent)} = delivered ${int(m.delivered)} + dropped ${int(m.dropped)} + dead-lettered ${int(m.deadLettered)} + in flight ${int(m.inFlight)}  ${ok ? green('✓ balanced') : red('✗ UNBALANCED')}`;
}

/**
 * The demo `npm start` runs: a readable timeline of a small actor conversation with a failure
 * and its supervision, a burst in sim mode, a burst across worker threads, and a crash drill —
 * each ending in the message ledger every run reports.
 */
export async function runDemo(o: DemoOptions): Promise<DemoReport> {
  const out = o.out;
  out(bold('Conclave') + dim(' — an actor runtime for swarms that must agree, with an honest ledger of every message'));

  // 1. A relay race, told as a timeline.
  out(heading(`1. A relay race (sim mode, seed ${o.seed}, virtual time)`));
  out(dim('   Five runners pass a token around a ring; runner-3 fumbles every 3rd token and its supervisor restarts it.'));
  const { sim, events } = await relayRace(o.seed, true);
  let shown = 0;
  for (const e of events) {
    if (shown >= 16) break;
    if (e.type === 'deliver' && e.kind === 'token') {
      out(`   ${dim(e.t.toFixed(2).padStart(7) + ' ms')}  ${e.from.padEnd(8)} → ${e.to.padEnd(8)}  token handed over`);
      shown++;
    } else if (e.type === 'failure') {
      out(`   ${dim(e.t.toFixed(2).padStart(7) + ' ms')}  ${red('✗')} ${e.actor} failed: ${e.error.replace(/^Error: /, '')}  → ${yellow(e.directive)}`);
      shown++;
    }
  }
  const relayResult = await sim.shutdown();
  const restarts = events.filter((e) => e.type === 'restart').length;
  const finished = events.find((e) => e.type === 'emit');
  const hops = finished && finished.type === 'emit' ? (finished.event.finished as number) : 0;
  const replay = await relayRace(o.seed, false);
  const replayResult = await replay.sim.shutdown();
  out(dim('   ...'));
  out(`   ${int(hops)} hand-offs in ${ms(relayResult.elapsedMs)} of virtual time, ${restarts} restarts, nothing lost.`);
  out(
    `   trace ${cyan(relayResult.traceHash.slice(0, 16))}…; replayed with the same seed: ${replayResult.traceHash === relayResult.traceHash ? green('identical') : red('DIFFERENT')}`,
  );
  out(`   ${ledger(relayResult.messages)}`);

  // 2. A burst in sim mode.
  out(heading('2. A burst in sim mode (one thread, deterministic)'));
  const burstSim = new SimSystem({ seed: o.seed, traceLevel: 'off', link: { latency: { kind: 'fixed', ms: 1 } } });
  await burstSim.spawn('ping', 'volley', { props: { peer: 'pong' } });
  await burstSim.spawn('pong', 'volley', { props: { peer: 'ping' } });
  let t = performance.now();
  burstSim.send('ping', { kind: 'ball', body: o.burst });
  await burstSim.settle();
  const simWall = performance.now() - t;
  const simResult = await burstSim.shutdown();
  out(`   ${int(o.burst)} envelopes of ping-pong in ${ms(simWall)} wall time = ${bold(rate((o.burst / simWall) * 1000))}`);
  out(`   ${ledger(simResult.messages)}`);

  // 3. Across worker threads, then a crash drill.
  out(heading(`3. Across worker threads (${o.workers} workers, real time)`));
  const threads = await ThreadSystem.start({ workers: o.workers, seed: o.seed });
  const last = o.workers - 1;
  await threads.spawn('producer', 'producer', { props: { target: 'sink', batch: 512 }, worker: 0 });
  await threads.spawn('sink', 'sink', { worker: last, mailboxCapacity: o.burst * 3 });
  await threads.spawn('clerk', 'counter', { worker: last });
  t = performance.now();
  threads.send('producer', { kind: 'start', body: o.burst });
  await threads.settle();
  const threadWall = performance.now() - t;
  out(`   ${int(o.burst)} envelopes streamed worker 0 → worker ${last} in ${ms(threadWall)} = ${bold(rate((o.burst / threadWall) * 1000))}`);

  out(heading(`4. A crash drill: worker ${last} is killed mid-stream`));
  const delivered = (await threads.accounting()).delivered;
  threads.send('producer', { kind: 'start', body: o.burst });
  // Kill it once a quarter of the stream has landed (read from the workers' shared counters).
  while ((await threads.accounting()).delivered < delivered + o.burst / 4) await new Promise((resolve) => setImmediate(resolve));
  const crash = await threads.killWorker(last);
  await threads.settle();
  out(
    `   worker ${crash.host} died (${crash.detail}); within ${ms(crash.recoveryMs)} its actors were restarted from init on a live worker: ${crash.restarted.join(', ') || 'none'}`,
  );
  out(
    `   ${int(crash.lostInFlight)} envelopes were in its mailboxes or on their way to it: dead-lettered ${yellow('host-crashed')}, counted, not silently gone`,
  );
  const threadLedger = await threads.accounting();
  const duringRestart = (threadLedger.deadLetteredBy['host-crashed'] ?? 0) - crash.lostInFlight;
  if (duringRestart > 0)
    out(`   ${int(duringRestart)} more were addressed to its actors while they were restarting: dead-lettered ${yellow('host-crashed')} too`);
  out(`   ${ledger(threadLedger)}`);
  await threads.shutdown();

  out('');
  out(dim('Next: `npm test` runs the test suite; `npm run bench -- messaging` measures the runtime; `conclave --help` lists commands.'));
  return {
    relay: { hops, restarts, virtualMs: relayResult.elapsedMs, traceHash: relayResult.traceHash, replayHash: replayResult.traceHash },
    simBurst: { envelopes: o.burst, wallMs: simWall, perSecond: (o.burst / simWall) * 1000, messages: simResult.messages },
    threadBurst: { envelopes: o.burst, wallMs: threadWall, perSecond: (o.burst / threadWall) * 1000 },
    crash: { restarted: crash.restarted, lostInFlight: crash.lostInFlight, recoveryMs: crash.recoveryMs },
    threadLedger,
  };
}
