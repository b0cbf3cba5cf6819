/**
 * Suite `memory`: heap bytes per idle actor. Spawns 100,000 'sink' actors in a SimSystem
 * (traceLevel 'off') and divides the growth of `heapUsed` (after full GCs) by the actor count.
 * The ids are created inside the measured window: an actor's id is part of what it costs.
 * Baseline: the least an actor can be (a Map entry to an object with id, state and an empty queue).
 *
 * Needs `global.gc`: bench/run.ts re-executes itself with `node --expose-gc --import tsx` when a
 * selected suite needs it and gc is not exposed.
 */
import { SimSystem } from '../src/index.ts';
import { summarize, type Row, type SuiteReport } from './harness.ts';

const ACTORS = 100_000;
const REPETITIONS = 3;
const TARGET_BYTES = 2048;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('the memory suite needs --expose-gc (run it through bench/run.ts, which passes it)');
  for (let i = 0; i < 3; i++) g();
}

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

async function actorBytes(): Promise<number> {
  const sim = new SimSystem({ traceLevel: 'off' });
  const before = heap();
  for (let i = 0; i < ACTORS; i++) await sim.spawn(`idle-${i}`, 'sink');
  const after = heap();
  if (sim.host.cells.size !== ACTORS) throw new Error(`spawned ${sim.host.cells.size} of ${ACTORS} actors`);
  await sim.shutdown();
  return (after - before) / ACTORS;
}

function baselineBytes(): number {
  const before = heap();
  const records = new Map<string, { id: string; state: number; queue: unknown[] }>();
  for (let i = 0; i < ACTORS; i++) {
    const id = `idle-${i}`;
    records.set(id, { id, state: 0, queue: [] });
  }
  const after = heap();
  if (records.size !== ACTORS) throw new Error('baseline lost records');
  return (after - before) / ACTORS;
}

export default async function memory(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const actor: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    base.push(baselineBytes());
    actor.push(await actorBytes());
    log(`  repetition ${r + 1}: ${actor[r].toFixed(0)} bytes/actor (baseline ${base[r].toFixed(0)})`);
  }
  const baseRow: Row = { task: 'idle record baseline (Map + {id, state, []})', unit: 'bytes/actor', better: 'lower', ...summarize(base), perIteration: ACTORS };
  const s = summarize(actor);
  const actorRow: Row = {
    task: `idle 'sink' actors, sim`,
    unit: 'bytes/actor',
    better: 'lower',
    ...s,
    perIteration: ACTORS,
    baseline: baseRow.task,
    ratio: s.median / baseRow.median,
    targets: [{ label: '≤ 2 KB/actor', pass: s.median <= TARGET_BYTES }],
  };
  return {
    suite: 'memory',
    description: `Heap growth (process.memoryUsage().heapUsed after full GCs) per actor, ${ACTORS.toLocaleString('en')} idle actors, ${REPETITIONS} repetitions; ids included.`,
    rows: [baseRow, actorRow],
    checks: [],
  };
}
