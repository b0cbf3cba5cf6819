/**
 * What the Raft log costs in memory, with and without compaction (issue 18): a 5-node sim-mode
 * cluster (trace off, so the trace does not hold the entries) runs N commands with 256 in
 * flight, then the heap still held by the cluster is measured after full GCs, for N = 250,000
 * and 1,000,000, with `snapshotEvery` 0 (the whole log kept) and 10,000 (the default). Flat
 * across N means the log no longer grows with the run.
 *
 * Run: node --expose-gc --import tsx bench/raft-log-memory.ts [--commands 250000,1000000]
 */
import { SimSystem } from '../src/index.ts';
import type { RaftClientSummary } from '../src/protocols/raft/raft-client.ts';
import type { RaftProps } from '../src/protocols/raft/messages.ts';
import type { RaftNodeState } from '../src/protocols/raft/raft-state.ts';
import { RAFT_CLIENT, RAFT_NODE } from '../src/protocols/raft/refs.ts';

function heapMB(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc --import tsx bench/raft-log-memory.ts');
  for (let i = 0; i < 3; i++) g();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function held(commands: number, snapshotEvery: number): Promise<{ mb: number; logLength: number; acked: number; wallS: number }> {
  const base = heapMB();
  const sim = new SimSystem({ seed: 1, traceLevel: 'off', link: { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } } });
  const peers = ['n1', 'n2', 'n3', 'n4', 'n5'];
  for (const id of peers) await sim.spawn(id, RAFT_NODE, { props: { peers, snapshotEvery } satisfies RaftProps });
  await sim.spawn('client', RAFT_CLIENT, { props: { nodes: peers, commands, window: 256, clientId: 'c1' } });
  const wall = performance.now();
  const summary = (await sim.ask('client', { kind: 'start' }, { timeoutMs: 1e9 })).body as RaftClientSummary;
  const wallS = (performance.now() - wall) / 1000;
  const mb = heapMB() - base;
  const s = await sim.snapshot<RaftNodeState>('n1');
  await sim.shutdown();
  return { mb, logLength: s.log.length, acked: summary.acked, wallS };
}

const arg = process.argv.indexOf('--commands');
const sizes = arg > 0 ? process.argv[arg + 1].split(',').map(Number) : [250_000, 1_000_000];
console.log('commands    snapshotEvery  acked      n1 log entries held  heap held by the cluster  wall');
for (const every of [0, 10_000]) {
  for (const n of sizes) {
    const r = await held(n, every);
    console.log(
      `${String(n).padEnd(11)} ${String(every).padEnd(14)} ${String(r.acked).padEnd(10)} ${String(r.logLength).padEnd(20)} ${r.mb.toFixed(1).padStart(8)} MB               ${r.wallS.toFixed(1)} s`,
    );
  }
}
