/**
 * Suite `messaging`: envelope throughput of the actor runtime, each figure beside a raw baseline
 * measured in the same run.
 *
 * - in-thread ping-pong (two 'volley' actors): sim mode, and threads mode with both actors on one
 *   worker; baseline: a plain array queue dispatching the same envelope objects in main.
 * - in-thread one-way streaming ('producer' → 'sink'): same two modes; baseline: the same
 *   producer/sink structure on a plain array queue.
 * - cross-worker one-way streaming (producer on worker 0, sink on worker 1); baselines: two raw
 *   workers over a MessageChannel posting arrays of 512 envelope objects, and the same with the
 *   runtime's columnar codec (encodeBatch).
 * - cross-worker request/reply with 4096 asks in flight ('windowed-asker' → 'echo'); baseline:
 *   two raw workers doing the same over a MessageChannel.
 *
 * Every scenario checks afterwards that the receiving actors saw every envelope of every
 * iteration (warm-up included) and that the accounting identity holds with nothing in flight,
 * dropped or dead-lettered: a run that lost envelopes is reported as invalid, not as a figure.
 */
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { SimSystem, ThreadSystem, type ActorSystem, type MessageAccounting } from '../src/index.ts';
import { startWorker } from '../src/scheduler/threads/spawn-worker.ts';
import { invalidateOnFailure, measure, summarize, type BenchPlan, type Check, type Row, type SuiteReport, type TargetCheck } from './harness.ts';
import type { RawRpcCommand, RawStreamCommand, RawWorkerData } from './support/raw-stream-worker.ts';

/** Ping-pong bounces per iteration. */
const PING_PONG_N = 200_000;
/** Envelopes per iteration of in-thread streaming. */
const STREAM_N = 500_000;
/** Envelopes per iteration of cross-worker streaming. */
const CROSS_N = 500_000;
/** Producer batch (envelopes per producer turn) and raw postMessage batch. */
const BATCH = 512;
/** Requests per iteration of request/reply, and the window kept in flight. */
const RPC_N = 200_000;
const RPC_WINDOW = 4096;

const IN_THREAD_PLAN: BenchPlan = { iterations: 15, warmup: 3, rounds: 5 };
const CROSS_PLAN: BenchPlan = { iterations: 10, warmup: 2, rounds: 5 };

const IN_THREAD_TARGET = 5_000_000;
const CROSS_TARGET = 600_000;
const CROSS_RAW_SHARE = 0.5;

const SIM_LINK = { latency: { kind: 'fixed', ms: 1 } } as const;
const ASKER_MODULE = fileURLToPath(new URL('./support/windowed-asker.ts', import.meta.url));
const RAW_WORKER = new URL('./support/raw-stream-worker.ts', import.meta.url);

const inThreadTarget = (rate: number): TargetCheck[] => [{ label: '≥ 5 M/s in-thread', pass: rate >= IN_THREAD_TARGET }];

// ---- raw in-thread baselines ----

interface RawEnvelope {
  id: number;
  from: string;
  to: string;
  kind: string;
  body: unknown;
}

/**
 * A minimal in-thread "runtime": a plain array queue, handlers looked up by address, each
 * handler creating the next envelope. No mailboxes, no accounting, no state management.
 */
class RawQueue {
  private readonly queue: (RawEnvelope | undefined)[] = [];
  private head = 0;
  private seq = 0;
  readonly handlers = new Map<string, (env: RawEnvelope) => void>();

  send(from: string, to: string, kind: string, body: unknown): void {
    this.queue.push({ id: ++this.seq, from, to, kind, body });
  }

  drain(): void {
    const handlers = this.handlers;
    const queue = this.queue;
    while (this.head < queue.length) {
      const env = queue[this.head]!;
      queue[this.head++] = undefined;
      handlers.get(env.to)!(env);
      // Drop the consumed prefix now and then, so the array neither grows without bound nor
      // gets reallocated per message.
      if (this.head >= 4096 && this.head * 2 >= queue.length) {
        queue.splice(0, this.head);
        this.head = 0;
      }
    }
    queue.length = 0;
    this.head = 0;
  }
}

function rawPingPong(): { run(n: number): void; hits(): number } {
  const q = new RawQueue();
  let hits = 0;
  const volley = (peer: string) => (env: RawEnvelope) => {
    hits++;
    const left = env.body as number;
    if (left > 0) q.send(env.to, peer, 'ball', left - 1);
  };
  q.handlers.set('ping', volley('pong'));
  q.handlers.set('pong', volley('ping'));
  return {
    run(n) {
      q.send('$system', 'ping', 'ball', n);
      q.drain();
    },
    hits: () => hits,
  };
}

function rawStream(): { run(n: number): void; count(): number } {
  const q = new RawQueue();
  let left = 0;
  let count = 0;
  q.handlers.set('producer', (env) => {
    if (env.kind === 'start') left = env.body as number;
    const k = Math.min(left, BATCH);
    for (let i = 0; i < k; i++) q.send('producer', 'sink', 'data', i);
    left -= k;
    if (left > 0) q.send('producer', 'producer', 'more', undefined);
  });
  q.handlers.set('sink', (env) => {
    if (env.kind === 'data') count++;
  });
  return {
    run(n) {
      q.send('$system', 'producer', 'start', n);
      q.drain();
    },
    count: () => count,
  };
}

// ---- raw cross-worker baselines ----

/** Two raw workers linked by a MessageChannel (see support/raw-stream-worker.ts). */
class RawPair {
  private readonly cells: Int32Array;
  private readonly shared = new SharedArrayBuffer(8);
  private target = 0;
  readonly a;
  readonly b;

  constructor(roleA: RawWorkerData['role'], roleB: RawWorkerData['role']) {
    this.cells = new Int32Array(this.shared);
    const { port1, port2 } = new MessageChannel();
    this.a = startWorker(RAW_WORKER, { workerData: { role: roleA, port: port1, shared: this.shared }, transferList: [port1] });
    this.b = startWorker(RAW_WORKER, { workerData: { role: roleB, port: port2, shared: this.shared }, transferList: [port2] });
  }

  /** Sends the command to worker a and waits until the counted total reaches `expect` more. */
  async run(command: RawStreamCommand | RawRpcCommand, expect: number): Promise<void> {
    this.target += expect;
    Atomics.store(this.cells, 1, this.target);
    this.a.postMessage(command);
    for (;;) {
      const v = Atomics.load(this.cells, 0);
      if (v >= this.target) return;
      const w = Atomics.waitAsync(this.cells, 0, v);
      if (w.async) await w.value;
    }
  }

  /** What the counting side counted so far. */
  get counted(): number {
    return Atomics.load(this.cells, 0);
  }

  async close(): Promise<void> {
    await Promise.all([this.a.terminate(), this.b.terminate()]);
  }
}

// ---- checks ----

function accountingChecks(scenario: string, acc: MessageAccounting): Check[] {
  const identity = acc.sent === acc.delivered + acc.dropped + acc.deadLettered + acc.inFlight;
  return [
    {
      name: `${scenario}: sent = delivered + dropped + deadLettered + inFlight`,
      ok: identity,
      detail: `${acc.sent} = ${acc.delivered} + ${acc.dropped} + ${acc.deadLettered} + ${acc.inFlight}`,
    },
    {
      name: `${scenario}: nothing lost or left in flight`,
      ok: acc.inFlight === 0 && acc.dropped === 0 && acc.deadLettered === 0,
      detail: `inFlight ${acc.inFlight}, dropped ${acc.dropped}, deadLettered ${acc.deadLettered}${acc.deadLettered ? ` ${JSON.stringify(acc.deadLetteredBy)}` : ''}`,
    },
  ];
}

function countCheck(name: string, got: number, want: number): Check {
  return { name, ok: got === want, detail: `${got} of ${want}` };
}

async function askBody<T>(sys: ActorSystem, id: string): Promise<T> {
  return (await sys.ask(id, { kind: 'get' }, { timeoutMs: 10_000 })).body as T;
}

/** Runs `fn` with a threads-mode system, shutting it down whatever happens. */
async function withThreads<T>(options: Parameters<typeof ThreadSystem.start>[0], fn: (sys: ThreadSystem) => Promise<T>): Promise<T> {
  const sys = await ThreadSystem.start(options);
  try {
    return await fn(sys);
  } finally {
    await sys.shutdown();
  }
}

/** Median duration of settle() on an idle system: a fixed cost inside every threads-mode iteration. */
async function idleSettleMs(sys: ThreadSystem): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    await sys.settle();
    t.push(performance.now() - t0);
  }
  return summarize(t).median;
}

const perIterationNote = (settleMs: number) =>
  `each iteration includes one send over comlink and one settle() (settle on an idle system: ${settleMs.toFixed(1)} ms median)`;

// ---- scenarios ----

export interface Scenario {
  rows: Row[];
  checks: Check[];
}

export async function pingPong(): Promise<Scenario> {
  const N = PING_PONG_N;
  const checks: Check[] = [];
  const sim = new SimSystem({ link: SIM_LINK, traceLevel: 'off' });
  await sim.spawn('ping', 'volley', { props: { peer: 'pong' } });
  await sim.spawn('pong', 'volley', { props: { peer: 'ping' } });
  const raw = rawPingPong();
  let rawRuns = 0,
    simRuns = 0,
    thrRuns = 0;
  return withThreads({ workers: 2, traceLevel: 'off' }, async (sys) => {
    await sys.spawn('ping', 'volley', { props: { peer: 'pong' }, worker: 0 });
    await sys.spawn('pong', 'volley', { props: { peer: 'ping' }, worker: 0 });
    const settleMs = await idleSettleMs(sys);
    const rows = await measure('ping-pong', IN_THREAD_PLAN, [
      {
        name: 'ping-pong raw queue (main)',
        perIteration: N,
        async: false,
        fn: () => {
          raw.run(N);
          rawRuns++;
        },
      },
      {
        name: 'ping-pong sim',
        perIteration: N,
        async: true,
        baseline: 'ping-pong raw queue (main)',
        targets: inThreadTarget,
        fn: async () => {
          sim.send('ping', { kind: 'ball', body: N });
          await sim.settle();
          simRuns++;
        },
      },
      {
        name: 'ping-pong threads, 1 worker',
        perIteration: N,
        async: true,
        baseline: 'ping-pong raw queue (main)',
        targets: inThreadTarget,
        note: perIterationNote(settleMs),
        fn: async () => {
          sys.send('ping', { kind: 'ball', body: N });
          await sys.settle();
          thrRuns++;
        },
      },
    ]);
    checks.push(countCheck('ping-pong raw: every bounce handled', raw.hits(), rawRuns * (N + 1)));
    const simHits = (await askBody<number>(sim, 'ping')) + (await askBody<number>(sim, 'pong'));
    checks.push(countCheck('ping-pong sim: every bounce delivered', simHits, simRuns * (N + 1)));
    checks.push(...accountingChecks('ping-pong sim', await sim.accounting()));
    const thrHits = (await askBody<number>(sys, 'ping')) + (await askBody<number>(sys, 'pong'));
    checks.push(countCheck('ping-pong threads: every bounce delivered', thrHits, thrRuns * (N + 1)));
    await sys.settle();
    checks.push(...accountingChecks('ping-pong threads', await sys.accounting()));
    await sim.shutdown();
    return { rows, checks };
  });
}

export async function streamInThread(): Promise<Scenario> {
  const N = STREAM_N;
  const checks: Check[] = [];
  const sim = new SimSystem({ link: SIM_LINK, traceLevel: 'off' });
  await sim.spawn('sink', 'sink', { mailboxCapacity: 10_000_000 });
  await sim.spawn('producer', 'producer', { props: { target: 'sink', batch: BATCH } });
  const raw = rawStream();
  let rawRuns = 0,
    simRuns = 0,
    thrRuns = 0;
  return withThreads({ workers: 2, traceLevel: 'off' }, async (sys) => {
    await sys.spawn('sink', 'sink', { mailboxCapacity: 10_000_000, worker: 0 });
    await sys.spawn('producer', 'producer', { props: { target: 'sink', batch: BATCH }, worker: 0 });
    const settleMs = await idleSettleMs(sys);
    const rows = await measure('stream in-thread', IN_THREAD_PLAN, [
      {
        name: 'stream raw queue (main)',
        perIteration: N,
        async: false,
        fn: () => {
          raw.run(N);
          rawRuns++;
        },
      },
      {
        name: 'stream sim',
        perIteration: N,
        async: true,
        baseline: 'stream raw queue (main)',
        targets: inThreadTarget,
        fn: async () => {
          sim.send('producer', { kind: 'start', body: N });
          await sim.settle();
          simRuns++;
        },
      },
      {
        name: 'stream threads, 1 worker',
        perIteration: N,
        async: true,
        baseline: 'stream raw queue (main)',
        targets: inThreadTarget,
        note: perIterationNote(settleMs),
        fn: async () => {
          sys.send('producer', { kind: 'start', body: N });
          await sys.settle();
          thrRuns++;
        },
      },
    ]);
    checks.push(countCheck('stream raw: sink counted every envelope', raw.count(), rawRuns * N));
    checks.push(countCheck('stream sim: sink got every envelope', await askBody<number>(sim, 'sink'), simRuns * N));
    checks.push(...accountingChecks('stream sim', await sim.accounting()));
    checks.push(countCheck('stream threads: sink got every envelope', await askBody<number>(sys, 'sink'), thrRuns * N));
    await sys.settle();
    checks.push(...accountingChecks('stream threads', await sys.accounting()));
    await sim.shutdown();
    return { rows, checks };
  });
}

export async function streamCrossWorker(): Promise<Scenario> {
  const N = CROSS_N;
  const checks: Check[] = [];
  const plain = new RawPair('sender', 'receiver');
  const coded = new RawPair('sender', 'receiver');
  let plainRuns = 0,
    codedRuns = 0,
    actorRuns = 0;
  try {
    return await withThreads({ workers: 2, traceLevel: 'off' }, async (sys) => {
      await sys.spawn('sink', 'sink', { mailboxCapacity: 10_000_000, worker: 1 });
      await sys.spawn('producer', 'producer', { props: { target: 'sink', batch: BATCH }, worker: 0 });
      const settleMs = await idleSettleMs(sys);
      const RAW = 'cross raw postMessage, arrays';
      const rows = await measure('stream cross-worker', CROSS_PLAN, [
        {
          name: RAW,
          perIteration: N,
          async: true,
          fn: async () => {
            await plain.run({ n: N, batch: BATCH, codec: false }, N);
            plainRuns++;
          },
        },
        {
          name: 'cross raw postMessage, encodeBatch',
          perIteration: N,
          async: true,
          baseline: RAW,
          fn: async () => {
            await coded.run({ n: N, batch: BATCH, codec: true }, N);
            codedRuns++;
          },
        },
        {
          name: 'cross threads, 2 workers',
          perIteration: N,
          async: true,
          baseline: RAW,
          note: perIterationNote(settleMs),
          targets: (rate, base) => [
            { label: '≥ 600 k/s', pass: rate >= CROSS_TARGET },
            { label: '≥ 50% of raw batched postMessage', pass: base !== undefined && rate >= CROSS_RAW_SHARE * base },
          ],
          fn: async () => {
            sys.send('producer', { kind: 'start', body: N });
            await sys.settle();
            actorRuns++;
          },
        },
      ]);
      // The actor figure against the codec baseline too (same transport format as the runtime).
      const codedRow = rows[1];
      const actorRow = rows[2];
      const vsCodec = `${(actorRow.median / codedRow.median).toFixed(3)}× the encodeBatch baseline`;
      rows[2] = { ...actorRow, note: `${actorRow.note}; ${vsCodec}` };
      checks.push(countCheck('cross-worker raw (arrays): receiver counted every envelope', plain.counted, plainRuns * N));
      checks.push(countCheck('cross-worker raw (encodeBatch): receiver counted every envelope', coded.counted, codedRuns * N));
      checks.push(countCheck('cross-worker stream threads: sink got every envelope', await askBody<number>(sys, 'sink'), actorRuns * N));
      await sys.settle();
      checks.push(...accountingChecks('cross-worker stream threads', await sys.accounting()));
      return { rows, checks };
    });
  } finally {
    await Promise.all([plain.close(), coded.close()]);
  }
}

export async function requestReply(): Promise<Scenario> {
  const N = RPC_N;
  const checks: Check[] = [];
  const plain = new RawPair('requester', 'responder');
  const coded = new RawPair('requester', 'responder');
  let plainRuns = 0,
    codedRuns = 0,
    actorRuns = 0;
  try {
    return await withThreads({ workers: 2, traceLevel: 'off', preload: [ASKER_MODULE] }, async (sys) => {
      await sys.spawn('echo', 'echo', { worker: 1 });
      await sys.spawn('asker', 'windowed-asker', { props: { target: 'echo', window: RPC_WINDOW, timeoutMs: 60_000 }, worker: 0 });
      const settleMs = await idleSettleMs(sys);
      const RAW = 'rpc raw postMessage, arrays';
      const rows = await measure('request/reply cross-worker', CROSS_PLAN, [
        {
          name: RAW,
          unit: 'requests/s',
          perIteration: N,
          async: true,
          fn: async () => {
            await plain.run({ n: N, window: RPC_WINDOW, batch: BATCH, codec: false }, N);
            plainRuns++;
          },
        },
        {
          name: 'rpc raw postMessage, encodeBatch',
          unit: 'requests/s',
          perIteration: N,
          async: true,
          baseline: RAW,
          fn: async () => {
            await coded.run({ n: N, window: RPC_WINDOW, batch: BATCH, codec: true }, N);
            codedRuns++;
          },
        },
        {
          name: 'rpc threads, 2 workers',
          unit: 'requests/s',
          perIteration: N,
          async: true,
          baseline: RAW,
          note: `ctx.ask per request (a timer each), asker state in an immer draft; ${perIterationNote(settleMs)}`,
          fn: async () => {
            sys.send('asker', { kind: 'start', body: N });
            await sys.settle();
            actorRuns++;
          },
        },
      ]);
      rows[2] = { ...rows[2], note: `${rows[2].note}; ${(rows[2].median / rows[1].median).toFixed(3)}× the encodeBatch baseline` };
      checks.push(countCheck('request/reply raw (arrays): every request answered', plain.counted, plainRuns * N));
      checks.push(countCheck('request/reply raw (encodeBatch): every request answered', coded.counted, codedRuns * N));
      const stats = await askBody<{ answered: number; timeouts: number; inFlight: number }>(sys, 'asker');
      checks.push(countCheck('request/reply threads: every ask answered', stats.answered, actorRuns * N));
      checks.push({
        name: 'request/reply threads: no ask timed out',
        ok: stats.timeouts === 0 && stats.inFlight === 0,
        detail: `timeouts ${stats.timeouts}, in flight ${stats.inFlight}`,
      });
      await sys.settle();
      checks.push(...accountingChecks('request/reply threads', await sys.accounting()));
      return { rows, checks };
    });
  } finally {
    await Promise.all([plain.close(), coded.close()]);
  }
}

export default async function messaging(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const rows: Row[] = [];
  const checks: Check[] = [];
  const scenarios: [string, () => Promise<Scenario>][] = [
    ['in-thread ping-pong', pingPong],
    ['in-thread streaming', streamInThread],
    ['cross-worker streaming', streamCrossWorker],
    ['cross-worker request/reply', requestReply],
  ];
  for (const [name, fn] of scenarios) {
    const t0 = performance.now();
    log(`  ${name} ...`);
    const s = await fn();
    log(`  ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    rows.push(...invalidateOnFailure(s.rows, s.checks));
    checks.push(...s.checks);
  }
  return {
    suite: 'messaging',
    description: [
      `Envelopes (rpc: requests) per second; medians over ${IN_THREAD_PLAN.iterations} in-thread / ${CROSS_PLAN.iterations} cross-worker iterations after ${IN_THREAD_PLAN.warmup} / ${CROSS_PLAN.warmup} warm-up ones, tasks interleaved in ${IN_THREAD_PLAN.rounds} rounds.`,
      `One iteration: ping-pong ${PING_PONG_N.toLocaleString('en')} bounces between two 'volley' actors; stream ${STREAM_N.toLocaleString('en')} (cross: ${CROSS_N.toLocaleString('en')}) envelopes 'producer' -> 'sink', ${BATCH} per producer turn;`,
      `rpc ${RPC_N.toLocaleString('en')} asks from 'windowed-asker' (worker 0) to 'echo' (worker 1), ${RPC_WINDOW} in flight. Sim: fixed 1 ms link, traceLevel 'off'. Threads: ThreadSystem with 2 workers, traceLevel 'off'.`,
      `Raw baselines: "raw queue (main)" = plain array queue + handler per address in the main thread; "raw postMessage" = two bare workers over a MessageChannel, batches of ${BATCH}, as arrays of envelope objects or encoded with encodeBatch.`,
    ].join('\n'),
    rows,
    checks,
  };
}
