/**
 * Suite `nats`: one swarm across node processes on the local NATS server, beside threads mode
 * in the same run.
 *
 * - envelope throughput between hosts: a producer on host 0 streams ENVELOPES envelopes to a sink
 *   on host 1 (batches of up to 1,024 per NATS message, signed Ed25519); timed from the start
 *   message to the sink's count reaching the total (asked over the control plane). Three local
 *   node processes (`conclave node`), vs threads mode with 2 workers.
 * - the raw NATS baseline: the same encoded and signed frames (256 envelopes each) published by
 *   one connection and received by another, decoded and verified, in this process.
 * - decisions/min of simple_majority, n = 5, 64 in flight (traceLevel off), across 3 node
 *   processes vs threads mode (2 workers): `decisionsPerMinute` of the ScenarioResult.
 *
 * The node processes share the machine's cores with this process and the NATS server; the
 * figures are for loopback on one machine, not a network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { accountingImbalance } from '../src/actors/counters.ts';
import { decodeFrame, encodeFrame, NodeIdentity, publicKeyOf } from '../src/net/batch-frame.ts';
import { natsSystemFactory, startNatsSystem } from '../src/net/nats-system.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { ActorSystem } from '../src/scheduler/actor-system.ts';
import { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import type { ScenarioResult } from '../src/swarm/report.ts';
import { summarize, withRatios, type Check, type Row, type SuiteReport } from './harness.ts';
import { scenarioYaml } from './voting.ts';

const URL_ = process.env.CONCLAVE_NATS_URL ?? 'nats://127.0.0.1:4222';
const ENVELOPES = 400_000;
const RAW_FRAMES = 2_000;
const FRAME = 256;
const DECISIONS = 5_000;
const SAMPLES = 3;
/** Raft n = 5, client window 256 (issue 17's figure), commands per run. */
const RAFT_COMMANDS = 20_000;
const RAFT_SCENARIO = `
name: raft-across-nodes
agents: [{ role: node, count: 5 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: ${RAFT_COMMANDS}, in_flight: 256 }
`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function startNode(swarm: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'node', '--nats', URL_, '--swarm', swarm, '--name', name], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('joined swarm')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`node ${name} exited ${code} before joining`)));
  });
}

/** Streams ENVELOPES from host 0 to host 1; returns envelopes/s and whether the books balanced. */
async function stream(system: ActorSystem): Promise<{ rate: number; balanced: boolean }> {
  await system.spawn('sink', 'sink', { worker: 1, mailboxCapacity: 10_000_000 });
  await system.spawn('producer', 'producer', { props: { target: 'sink', batch: 1024 }, worker: 0 });
  const t0 = performance.now();
  system.send('producer', { kind: 'start', body: ENVELOPES });
  for (;;) {
    const got = await system.ask('sink', { kind: 'get' }, { timeoutMs: 60_000 });
    if ((got.body as number) >= ENVELOPES) break;
  }
  const rate = ENVELOPES / ((performance.now() - t0) / 1000);
  await system.settle({ timeoutMs: 60_000 });
  const acc = await system.accounting();
  await system.stop('sink');
  await system.stop('producer');
  return { rate, balanced: accountingImbalance(acc) === 0 && acc.inFlight === 0 };
}

/** Raw publish/subscribe of the same signed frames: the ceiling the transport can approach. */
async function rawNats(): Promise<number> {
  const pub = await connect({ servers: URL_ });
  const sub = await connect({ servers: URL_ });
  const id = NodeIdentity.generate();
  const keys = [publicKeyOf(id.publicKey)];
  const batch = Array.from({ length: FRAME }, (_, i) => ({ id: i + 1, from: 'producer', to: 'sink', kind: 'data', body: i }));
  const subject = `conclave.bench.raw.${randomBytes(4).toString('hex')}`;
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  sub.subscribe(subject, {
    callback: (_e, msg) => {
      const r = decodeFrame(msg.data, keys);
      if (r.ok) got += r.batch.length;
      if (got >= RAW_FRAMES * FRAME) done();
    },
  });
  await sub.flush();
  const t0 = performance.now();
  for (let i = 0; i < RAW_FRAMES; i++) {
    pub.publish(subject, encodeFrame(0, batch, id));
    if (i % 64 === 63) await pub.flush();
  }
  await finished;
  const rate = (RAW_FRAMES * FRAME) / ((performance.now() - t0) / 1000);
  await pub.close();
  await sub.close();
  return rate;
}

/** The same scenario across the swarm's 3 nodes and in threads mode on 2 workers, trace off. */
async function acrossAndLocal(yaml: string, swarm: string): Promise<{ across: ScenarioResult; local: ScenarioResult }> {
  const scenario = parseScenario(yaml);
  const across = await runScenario(scenario, { seed: 1, mode: 'threads', traceLevel: 'off', createSystem: natsSystemFactory({ url: URL_, swarm, nodes: 3 }) });
  const local = await runScenario(scenario, { seed: 1, mode: 'threads', workers: 2, traceLevel: 'off' });
  return { across, local };
}

export default async function natsSuite(log: (line: string) => void): Promise<SuiteReport> {
  const swarm = `bench-${randomBytes(4).toString('hex')}`;
  log(`starting 3 node processes on ${URL_} (swarm ${swarm})`);
  const nodes = await Promise.all(['b1', 'b2', 'b3'].map((n) => startNode(swarm, n)));
  const rates = { nats: [] as number[], threads: [] as number[], raw: [] as number[] };
  const dpm = { nats: [] as number[], threads: [] as number[] };
  const raft = { nats: [] as number[], threads: [] as number[] };
  let raftOk = true;
  const checks: Check[] = [];
  let balanced = true;
  let decisionsOk = true;
  try {
    for (let s = 0; s < SAMPLES; s++) {
      const { system } = await startNatsSystem({ url: URL_, swarm, nodes: 3 }, { traceLevel: 'off' });
      const n = await stream(system).finally(() => system.shutdown());
      rates.nats.push(n.rate);
      const threads = await ThreadSystem.start({ workers: 2, traceLevel: 'off' });
      const t = await stream(threads).finally(() => threads.shutdown());
      rates.threads.push(t.rate);
      balanced &&= n.balanced && t.balanced;
      rates.raw.push(await rawNats());
      const { across, local } = await acrossAndLocal(scenarioYaml({ algorithm: 'simple_majority', n: 5, inFlight: 64, decisions: DECISIONS }), swarm);
      dpm.nats.push(across.decisionsPerMinute);
      dpm.threads.push(local.decisionsPerMinute);
      decisionsOk &&= [across, local].every(
        (r) =>
          r.decisions.decided + (r.decisions.attempted - r.decisions.decided) === DECISIONS &&
          r.decisions.timedOut === 0 &&
          accountingImbalance(r.messages) === 0,
      );
      // Raft n=5, window 256, across the same 3 nodes (members persisting to the coordinator's mirror) and in threads mode.
      const { across: raftAcross, local: raftLocal } = await acrossAndLocal(RAFT_SCENARIO, swarm);
      raft.nats.push(raftAcross.decisionsPerMinute);
      raft.threads.push(raftLocal.decisionsPerMinute);
      raftOk &&= [raftAcross, raftLocal].every((r) => r.decisions.decided === RAFT_COMMANDS && accountingImbalance(r.messages) === 0);
      log(`round ${s + 1}: raft nats ${Math.round(raftAcross.decisionsPerMinute)}/min, threads ${Math.round(raftLocal.decisionsPerMinute)}/min`);
      log(
        `round ${s + 1}: nats ${Math.round(n.rate)} env/s, threads ${Math.round(t.rate)} env/s, raw ${Math.round(rates.raw.at(-1)!)} env/s; voting nats ${Math.round(across.decisionsPerMinute)}/min, threads ${Math.round(local.decisionsPerMinute)}/min`,
      );
    }
  } finally {
    for (const c of nodes) c.kill('SIGTERM');
    await Promise.all(nodes.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  }
  const row = (task: string, unit: string, values: number[], perIteration: number, baseline?: string, note?: string): Row => ({
    task,
    unit,
    better: 'higher',
    ...summarize(values),
    perIteration,
    baseline,
    note,
  });
  const measured: Row[] = [
    row(
      'raw NATS pub/sub, signed frames of 256',
      'msgs/s',
      rates.raw,
      RAW_FRAMES * FRAME,
      undefined,
      'one connection publishes encoded+signed frames, another decodes and verifies them',
    ),
    row(
      '3 nodes on NATS: host 0 -> host 1 stream',
      'msgs/s',
      rates.nats,
      ENVELOPES,
      'raw NATS pub/sub, signed frames of 256',
      'producer on node 1, sink on node 2, 3 node processes',
    ),
    row('threads 2w: worker 0 -> worker 1 stream', 'msgs/s', rates.threads, ENVELOPES),
    row('voting n=5, 64 in flight: 3 nodes on NATS', 'decisions/min', dpm.nats, DECISIONS, 'voting n=5, 64 in flight: threads 2w'),
    row('voting n=5, 64 in flight: threads 2w', 'decisions/min', dpm.threads, DECISIONS),
    row('Raft n=5, window 256: 3 nodes on NATS', 'commands/min', raft.nats, RAFT_COMMANDS, 'Raft n=5, window 256: threads 2w'),
    row('Raft n=5, window 256: threads 2w', 'commands/min', raft.threads, RAFT_COMMANDS),
  ];
  // The targets for the stream, printed beside the figure (never asserted).
  const rows = withRatios(measured).map((r) =>
    r.task.startsWith('3 nodes on NATS: host')
      ? {
          ...r,
          targets: [
            { label: '>= 1,000,000 msgs/s', pass: r.median >= 1_000_000 },
            { label: '>= 50% of raw NATS', pass: (r.ratio ?? 0) >= 0.5 },
          ],
        }
      : r,
  );
  checks.push({
    name: 'streams: books balanced, nothing in flight',
    ok: balanced,
    detail: balanced ? `imbalance 0 in ${2 * SAMPLES} streams` : 'an imbalance',
  });
  checks.push({
    name: 'voting: every decision closed, none timed out, books balanced',
    ok: decisionsOk,
    detail: decisionsOk ? `${2 * SAMPLES} runs of ${DECISIONS}` : 'a run fell short',
  });
  checks.push({
    name: 'Raft: every command acknowledged, books balanced',
    ok: raftOk,
    detail: raftOk ? `${2 * SAMPLES} runs of ${RAFT_COMMANDS}` : 'a run fell short',
  });
  return { suite: 'nats', description: 'One swarm across 3 local node processes on NATS (loopback) beside threads mode, same run.', rows, checks };
}
