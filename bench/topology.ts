/**
 * Suite `topology`: what a topology costs to switch, and what it does to a broadcast.
 *
 * - Switch time: a system with the actors spawned ('sink', which does nothing: a switch never
 *   touches actors) switches in a cycle mesh -> hierarchical -> star -> ring -> mesh ..., and
 *   the figure is each switch's `switchMs` as the system's RunResult reports it (wall ms from the
 *   request to the new graph in force on every host). Sim mode with 20, 1,000 and 10,000 actors;
 *   threads mode with 1,000 actors over 2 workers, idle and with traffic being relayed across
 *   workers. Baseline, interleaved with the switches in the same loop: `buildTopology(spec,
 *   members)` alone (the pure graph build), so the ratio is the overhead of installing a graph.
 * - Broadcast cost, in sim mode with a fixed 1 ms link: n 'gossip' members (test/fixtures), one
 *   `shout` to the last member (a star spoke, a hierarchy leaf), which broadcasts `heard`. Measured
 *   from the accounting and the trace, not computed: envelopes, links crossed, the farthest
 *   member's hop count, and the virtual time from the shout's delivery to the last `heard`
 *   delivery. Naive alternative on the same topology: the same member sends n - 1 unicasts
 *   ('unicast-all', bench/support), each routed hop by hop.
 *
 * Checks: every broadcast (and every naive fan-out) reached every member exactly once, each costs
 * n - 1 envelopes, accounting balanced with nothing in flight, dropped or dead-lettered after
 * every measurement, the traffic survived the in-flight switches, and every switch installed the
 * topology asked for.
 */
import { fileURLToPath } from 'node:url';
import { SimSystem, ThreadSystem, buildTopology, type MessageAccounting, type RunResult, type TopologyKind, type TopologySwitch } from '../src/index.ts';
import { formatNumber, invalidateOnFailure, summarize, type Check, type Row, type SuiteReport, withRatios } from './harness.ts';

/** The switch cycle: each switch goes to the next kind, wrapping round. */
const CYCLE: readonly TopologyKind[] = ['mesh', 'hierarchical', 'star', 'ring'];
/** Measured switches per size (warm-up switches come first and are not counted). */
const SIM_SIZES: readonly { actors: number; switches: number; warmup: number }[] = [
  { actors: 20, switches: 1_000, warmup: 100 },
  { actors: 1_000, switches: 200, warmup: 20 },
  { actors: 10_000, switches: 60, warmup: 8 },
];
const THREAD_ACTORS = 1_000;
const THREAD_WORKERS = 2;
const THREAD_SWITCHES = 100;
const THREAD_WARMUP = 12;
/** At most this many switches while the producers' envelopes are being relayed across workers (fewer if the traffic ends first). */
const TRAFFIC_SWITCHES = 8;
/** Envelopes each of the two producers sends during the in-flight switches. */
const TRAFFIC_N = 300_000;

const TARGETS: Readonly<Record<number, number>> = { 1_000: 5, 10_000: 50 };

const BROADCAST_SIZES = [5, 20, 100] as const;
const BROADCAST_LINK = { latency: { kind: 'fixed', ms: 1 } } as const;
const GOSSIP = { module: fileURLToPath(new URL('../test/fixtures/gossip.ts', import.meta.url)), export: 'gossip' };
const UNICAST_ALL = { module: fileURLToPath(new URL('./support/unicast-all.ts', import.meta.url)), export: 'unicastAll' };

const fmtInt = (n: number) => n.toLocaleString('en');
const idsOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(String(n - 1).length, '0')}`);

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
      name: `${scenario}: nothing lost, dead-lettered or left in flight`,
      ok: acc.inFlight === 0 && acc.dropped === 0 && acc.deadLettered === 0,
      detail: `inFlight ${acc.inFlight}, dropped ${acc.dropped}, deadLettered ${acc.deadLettered}${acc.deadLettered ? ` ${JSON.stringify(acc.deadLetteredBy)}` : ''}`,
    },
  ];
}

/** Every switch in the run went to the kind asked for, over all the members. */
function switchesCheck(scenario: string, switches: readonly TopologySwitch[], kinds: readonly TopologyKind[], members: number): Check {
  const bad = switches.map((s, i) => ({ s, i })).filter(({ s, i }) => s.to !== kinds[i] || s.members !== members || s.epoch !== i + 1);
  return {
    name: `${scenario}: every switch installed the topology asked for`,
    ok: switches.length === kinds.length && bad.length === 0,
    detail: `${switches.length} of ${kinds.length} switches recorded${
      bad.length
        ? `; wrong: ${bad
            .slice(0, 3)
            .map(({ s, i }) => `#${i + 1} ${s.to}/${s.members} (asked ${kinds[i]}/${members})`)
            .join(', ')}`
        : ''
    }`,
  };
}

// ---- rows ----

type Stats = ReturnType<typeof summarize>;

function statsRow(task: string, unit: string, stats: Stats, extra: Partial<Row> = {}): Row {
  return { task, unit, better: 'lower', ...stats, ...extra };
}

/** Median switchMs per target kind, e.g. "mesh 0.41, hierarchical 0.92, ...". */
function byKind(samples: readonly { kind: TopologyKind; ms: number }[]): string {
  return CYCLE.map((k) => {
    const v = samples.filter((s) => s.kind === k).map((s) => s.ms);
    return v.length ? `${k} ${fmtMs(summarize(v).median)}` : undefined;
  })
    .filter((s) => s !== undefined)
    .join(', ');
}

const fmtMs = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);

export interface Scenario {
  rows: Row[];
  checks: Check[];
  notes?: string[];
}

// ---- switch time ----

/** The n-th switch's kind: switch 0 installs mesh, then the cycle continues. */
const kindAt = (i: number) => CYCLE[i % CYCLE.length];

/** Times `buildTopology(kind, members)` alone. */
function timeBuild(kind: TopologyKind, members: readonly string[]): number {
  const t0 = performance.now();
  const g = buildTopology(kind, members);
  const ms = performance.now() - t0;
  if (g.members.length !== members.length) throw new Error(`build of ${kind} over ${members.length} members has ${g.members.length}`);
  return ms;
}

async function switchSim(actors: number, switches: number, warmup: number): Promise<Scenario> {
  const label = `sim, ${fmtInt(actors)} actors`;
  const sim = new SimSystem({ traceLevel: 'off' });
  const ids = idsOf('a', actors);
  for (const id of ids) await sim.spawn(id, 'sink');
  await sim.switchTopology(kindAt(0), { members: ids });
  const build: { kind: TopologyKind; ms: number }[] = [];
  const total = warmup + switches;
  for (let i = 1; i <= total; i++) {
    const kind = kindAt(i);
    // Alternate which goes first, so neither always runs on the other's warm caches.
    const buildFirst = i % 2 === 0;
    let b = buildFirst ? timeBuild(kind, ids) : 0;
    await sim.switchTopology(kind);
    if (!buildFirst) b = timeBuild(kind, ids);
    if (i > warmup) build.push({ kind, ms: b });
  }
  const result: RunResult = await sim.shutdown();
  const measured = result.topology.switches.slice(1 + warmup).map((s) => ({ kind: s.to, ms: s.switchMs }));
  const checks = [
    switchesCheck(
      `switch ${label}`,
      result.topology.switches,
      Array.from({ length: total + 1 }, (_, i) => kindAt(i)),
      actors,
    ),
    ...accountingChecks(`switch ${label}`, result.messages),
  ];
  const buildTask = `build graph, ${fmtInt(actors)} members`;
  const target = TARGETS[actors];
  const s = summarize(measured.map((m) => m.ms));
  const rows: Row[] = [
    statsRow(buildTask, 'ms', summarize(build.map((m) => m.ms)), { perIteration: actors, note: `buildTopology() alone; median by kind: ${byKind(build)}` }),
    statsRow(`switch ${fmtInt(actors)} actors, sim`, 'ms', s, {
      perIteration: actors,
      baseline: buildTask,
      targets: target === undefined ? undefined : [{ label: `< ${target} ms`, pass: s.median < target }],
      note: `median by target kind: ${byKind(measured)}`,
    }),
  ];
  return { rows, checks };
}

async function switchThreads(buildTask: string): Promise<Scenario> {
  const label = `threads, ${fmtInt(THREAD_ACTORS)} actors / ${THREAD_WORKERS} workers`;
  const sys = await ThreadSystem.start({ workers: THREAD_WORKERS, traceLevel: 'off' });
  let result: RunResult | undefined;
  const idleChecks: Check[] = [];
  const trafficChecks: Check[] = [];
  const notes: string[] = [];
  const ids = idsOf('a', THREAD_ACTORS);
  // Traffic for the in-flight switches: two producers, each on the other worker than its sink, so
  // every route (through the star's hub at a000, the hierarchy's leads, round the ring) crosses
  // workers. Placement is explicit: actor i on worker i % 2.
  const workerOf = new Map(ids.map((id, i) => [id, i % THREAD_WORKERS]));
  const producers: [string, string][] = [
    [ids[1], ids[THREAD_ACTORS - 2]],
    [ids[2], ids[THREAD_ACTORS - 3]],
  ];
  const inFlightAtSwitch: number[] = [];
  try {
    const spawnStart = performance.now();
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map((id) => {
          const p = producers.find(([src]) => src === id);
          return p
            ? sys.spawn(id, 'producer', { props: { target: p[1], batch: 256 }, worker: workerOf.get(id), mailboxCapacity: 10_000_000 })
            : sys.spawn(id, 'sink', { worker: workerOf.get(id), mailboxCapacity: 10_000_000 });
        }),
      );
    }
    notes.push(`threads: spawning ${fmtInt(THREAD_ACTORS)} actors over ${THREAD_WORKERS} workers took ${(performance.now() - spawnStart).toFixed(0)} ms`);
    await sys.switchTopology(kindAt(0), { members: ids });
    const total = THREAD_WARMUP + THREAD_SWITCHES;
    for (let i = 1; i <= total; i++) await sys.switchTopology(kindAt(i));
    await sys.settle();
    idleChecks.push(...accountingChecks(`switch ${label}, idle`, await sys.accounting()));

    // Switches with traffic in flight: start on a star (every envelope relayed by the hub), then
    // keep cycling (up to TRAFFIC_SWITCHES times) while the producers' envelopes are on their way.
    await sys.switchTopology('star');
    const trafficKinds: TopologyKind[] = [];
    const before = await sys.accounting();
    for (const [src] of producers) sys.send(src, { kind: 'start', body: TRAFFIC_N });
    // Before each switch, a no-op control round trip to both workers (snapshot of one actor on
    // each): what any control call waits behind the data backlog at that moment.
    const probeMs: number[] = [];
    while (trafficKinds.length < TRAFFIC_SWITCHES) {
      await new Promise((r) => setTimeout(r, 10));
      const acc = await sys.accounting();
      // Done once every data envelope was sent and nothing is in flight (not merely "not begun").
      if (acc.sent - before.sent >= 2 * TRAFFIC_N && acc.inFlight === 0) break;
      inFlightAtSwitch.push(acc.inFlight);
      const p0 = performance.now();
      await Promise.all([sys.snapshot(ids[0]), sys.snapshot(ids[1])]);
      probeMs.push(performance.now() - p0);
      const kind = kindAt(trafficKinds.length + 3);
      trafficKinds.push(kind);
      await sys.switchTopology(kind);
    }
    const doneAtLastSwitch = await sys.accounting();
    await sys.settle({ timeoutMs: 60_000 });
    const after = await sys.accounting();
    for (const [, sink] of producers) {
      const got = (await sys.ask(sink, { kind: 'get' }, { timeoutMs: 10_000 })).body as number;
      trafficChecks.push({
        name: `switch ${label}, traffic in flight: sink ${sink} got every envelope`,
        ok: got === TRAFFIC_N,
        detail: `${got} of ${TRAFFIC_N}`,
      });
    }
    trafficChecks.push({
      name: `switch ${label}, traffic in flight: at least one switch made with envelopes in flight`,
      ok: inFlightAtSwitch.some((n) => n > 0),
      detail: `${inFlightAtSwitch.length} switches; in flight just before each: ${inFlightAtSwitch.join(', ') || 'none'}`,
    });
    await sys.settle();
    trafficChecks.push(...accountingChecks(`switch ${label}, traffic in flight`, await sys.accounting()));
    // Relay hops per envelope on each graph with no switch under way: hops(src, dst) - 1, averaged
    // over the two producers' routes.
    const steady = CYCLE.map((k) => {
      const g = buildTopology(k, ids);
      return { k, relays: producers.reduce((sum, [src, dst]) => sum + g.hops(src, dst) - 1, 0) / producers.length };
    });
    const relaysPerEnvelope = (after.relayed - before.relayed) / (2 * TRAFFIC_N);
    notes.push(
      `threads, traffic in flight: ${fmtInt(relaysPerEnvelope < 10 ? Math.round(relaysPerEnvelope * 100) / 100 : Math.round(relaysPerEnvelope))} relay hops per data envelope ` +
        `(without switching: ${steady.map(({ k, relays }) => `${k} ${relays}`).join(', ')}): envelopes caught by a switch continue from where they are, and while one worker has committed and the other not, routes disagree`,
      `threads, traffic in flight: 2 producers × ${fmtInt(TRAFFIC_N)} envelopes across workers; ${fmtInt(after.relayed - before.relayed)} relay hops; ` +
        `in flight before each switch: ${inFlightAtSwitch.map(fmtInt).join(', ')}; ${fmtInt(doneAtLastSwitch.delivered - before.delivered)} of ${fmtInt(after.delivered - before.delivered)} deliveries done at the last switch`,
      `threads, traffic in flight: a no-op control round trip to both workers just before each switch took ${probeMs.map(fmtMs).join(', ')} (the switch makes two such round trips: prepare, then commit)`,
    );
    result = await sys.shutdown();
    const sw = result.topology.switches;
    const idle = sw.slice(1 + THREAD_WARMUP, 1 + total).map((s) => ({ kind: s.to, ms: s.switchMs }));
    const busy = sw.slice(2 + total).map((s) => ({ kind: s.to, ms: s.switchMs }));
    idleChecks.push(switchesCheck(`switch ${label}`, sw, [...Array.from({ length: total + 1 }, (_, i) => kindAt(i)), 'star', ...trafficKinds], THREAD_ACTORS));
    const rows: Row[] = [
      statsRow(`switch ${fmtInt(THREAD_ACTORS)} actors, threads ${THREAD_WORKERS}w`, 'ms', summarize(idle.map((m) => m.ms)), {
        perIteration: THREAD_ACTORS,
        baseline: buildTask,
        note: `median by target kind: ${byKind(idle)}; build in main + prepare round trip (each worker builds) + commit round trip`,
      }),
      statsRow(`switch ${fmtInt(THREAD_ACTORS)} actors, threads ${THREAD_WORKERS}w, traffic`, 'ms', summarize(busy.map((m) => m.ms)), {
        perIteration: THREAD_ACTORS,
        baseline: buildTask,
        note: `switches while 2 producers' envelopes are relayed across workers: ${busy.map((m) => `${m.kind} ${fmtMs(m.ms)}`).join(', ')}`,
      }),
    ];
    const checks = [...idleChecks, ...trafficChecks];
    return { rows: [...invalidateOnFailure(rows.slice(0, 1), idleChecks), ...invalidateOnFailure(rows.slice(1), checks)], checks, notes };
  } finally {
    if (result === undefined) await sys.shutdown();
  }
}

// ---- broadcast cost ----

interface FanOut {
  /** Envelopes sent, without the trigger. */
  messages: number;
  /** Links crossed (deliveries + relay hops), without the trigger. */
  links: number;
  /** Virtual ms from the trigger's delivery to the last `heard` delivery. */
  latencyMs: number;
  /** Largest graph.hops(root, member). */
  maxHops: number;
  checks: Check[];
}

/**
 * One fan-out in a fresh sim: n members with `behaviour`, the topology installed, `trigger` sent
 * to the last member, run until nothing is in flight. Every figure comes from the accounting and
 * the trace of that run.
 */
async function fanOut(scenario: string, kind: TopologyKind, n: number, behaviour: typeof GOSSIP, trigger: string): Promise<FanOut> {
  const sim = new SimSystem({ seed: 1, link: BROADCAST_LINK, traceLevel: 'full', keepTrace: true });
  const ids = idsOf('m', n);
  for (const id of ids) await sim.spawn(id, behaviour);
  await sim.switchTopology(kind, { members: ids });
  const graph = sim.topology!;
  const root = ids[n - 1];
  const a0 = sim.accountingNow();
  const e0 = sim.recorder.events.length;
  sim.send(root, { kind: trigger, body: scenario });
  await sim.settle();
  const a1 = sim.accountingNow();
  const events = sim.recorder.events.slice(e0);
  const start = events.find((e) => e.type === 'deliver' && e.kind === trigger && e.to === root);
  let last = -Infinity;
  for (const e of events) if (e.type === 'deliver' && e.kind === 'heard' && e.t > last) last = e.t;
  const heard = new Map<string, number>();
  for (const id of ids) heard.set(id, (await sim.snapshot<{ heard: unknown[] }>(id)).heard.length);
  const wrong = ids.filter((id) => heard.get(id) !== (id === root ? 0 : 1));
  const result = await sim.shutdown();
  const messages = a1.sent - a0.sent - 1;
  return {
    messages,
    links: a1.delivered + a1.relayed - (a0.delivered + a0.relayed) - 1,
    latencyMs: start === undefined ? NaN : last - start.t,
    maxHops: Math.max(...ids.filter((m) => m !== root).map((m) => graph.hops(root, m))),
    checks: [
      {
        name: `${scenario}: reached every member exactly once`,
        ok: wrong.length === 0 && start !== undefined,
        detail:
          wrong.length === 0
            ? `${n - 1} members heard it once`
            : `wrong counts: ${wrong
                .slice(0, 5)
                .map((id) => `${id} heard ${heard.get(id)}`)
                .join(', ')}${wrong.length > 5 ? ', ...' : ''}`,
      },
      { name: `${scenario}: n - 1 envelopes`, ok: messages === n - 1, detail: `${messages} for ${n} members` },
      ...accountingChecks(scenario, result.messages),
    ],
  };
}

interface BroadcastCell {
  kind: TopologyKind;
  n: number;
  bcast: FanOut;
  naive: FanOut;
}

async function broadcasts(): Promise<Scenario & { cells: BroadcastCell[] }> {
  const rows: Row[] = [];
  const checks: Check[] = [];
  const cells: BroadcastCell[] = [];
  const one = (v: number) => summarize([v]);
  for (const kind of CYCLE) {
    for (const n of BROADCAST_SIZES) {
      const bcast = await fanOut(`broadcast ${kind} n=${n}`, kind, n, GOSSIP, 'shout');
      const naive = await fanOut(`naive unicast ${kind} n=${n}`, kind, n, UNICAST_ALL, 'fanout');
      cells.push({ kind, n, bcast, naive });
      const head = `bcast ${kind.padEnd(12)} n=${String(n).padStart(3)}`;
      const naiveTask = `naive ${kind.padEnd(12)} n=${String(n).padStart(3)}: links crossed`;
      const cellRows: Row[] = [
        statsRow(`${head}: messages`, 'msgs', one(bcast.messages), { perIteration: n }),
        statsRow(`${head}: links crossed`, 'links', one(bcast.links), { perIteration: n, baseline: naiveTask }),
        statsRow(`${head}: max hops`, 'hops', one(bcast.maxHops), { perIteration: n }),
        statsRow(`${head}: latency`, 'ms', one(bcast.latencyMs), { perIteration: n }),
        statsRow(naiveTask, 'links', one(naive.links), { perIteration: n }),
      ];
      const cellChecks = [...bcast.checks, ...naive.checks];
      rows.push(...invalidateOnFailure(withRatios(cellRows), cellChecks));
      checks.push(...cellChecks);
    }
  }
  return { rows, checks, cells };
}

/** The broadcast figures as one table: topology × n. */
function broadcastTable(cells: readonly BroadcastCell[]): string[] {
  const head = ['topology', 'n', 'msgs', 'links', 'max hops', 'latency ms', '|', 'naive msgs', 'naive links', 'naive latency ms', '|', 'links vs naive'];
  const num = (v: number) => (Number.isInteger(v) ? fmtInt(v) : formatNumber(v));
  const body = cells.map(({ kind, n, bcast, naive }) => [
    kind,
    String(n),
    num(bcast.messages),
    num(bcast.links),
    num(bcast.maxHops),
    num(bcast.latencyMs),
    '|',
    num(naive.messages),
    num(naive.links),
    num(naive.latencyMs),
    '|',
    `${(bcast.links / naive.links).toFixed(2)}×`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return ['Broadcast from the last member (sim, fixed 1 ms link), measured:', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

// ---- the suite ----

export default async function topology(log: (line: string) => void = () => {}): Promise<SuiteReport> {
  const rows: Row[] = [];
  const checks: Check[] = [];
  const notes: string[] = [];
  const add = (s: Scenario) => {
    rows.push(...invalidateOnFailure(s.rows, s.checks));
    checks.push(...s.checks);
    notes.push(...(s.notes ?? []));
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`  ${name} ...`);
    const r = await fn();
    log(`  ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };

  for (const { actors, switches, warmup } of SIM_SIZES) {
    add(withRatiosScenario(await timed(`switch, sim, ${fmtInt(actors)} actors`, () => switchSim(actors, switches, warmup))));
  }
  const build1000 = `build graph, ${fmtInt(THREAD_ACTORS)} members`;
  const threads = await timed(`switch, threads, ${fmtInt(THREAD_ACTORS)} actors`, () => switchThreads(build1000));
  // The threads rows' baseline is the sim build row of the same size.
  rows.push(...withRatios([...rows.filter((r) => r.task === build1000), ...threads.rows]).slice(1));
  checks.push(...threads.checks);
  notes.push(...(threads.notes ?? []));

  const b = await timed('broadcast cost, sim', broadcasts);
  rows.push(...b.rows);
  checks.push(...b.checks);
  notes.push('', ...broadcastTable(b.cells));

  return {
    suite: 'topology',
    description: [
      `Switch time: switchMs of each switch as the RunResult reports it (wall ms from the request to the graph in force on every host), cycling mesh -> hierarchical -> star -> ring -> mesh ...`,
      `over 'sink' actors, traceLevel 'off'; sim: ${SIM_SIZES.map((s) => `${fmtInt(s.actors)} actors × ${fmtInt(s.switches)} switches`).join(', ')} (after ${SIM_SIZES.map((s) => s.warmup).join(' / ')} warm-up switches);`,
      `threads: ${fmtInt(THREAD_ACTORS)} actors over ${THREAD_WORKERS} workers × ${THREAD_SWITCHES} switches idle (after ${THREAD_WARMUP}), then up to ${TRAFFIC_SWITCHES}, 10 ms apart, while 2 × ${fmtInt(TRAFFIC_N)} envelopes are relayed across workers.`,
      `Baseline "build graph": buildTopology(spec, members) alone, timed in the same loop. Broadcast rows: sim, fixed 1 ms link, one sample each (deterministic):`,
      `'gossip' members, one 'shout' to the last member (a star spoke, a hierarchy leaf); messages = envelopes sent, links = deliveries + relay hops (trigger excluded),`,
      `max hops = farthest member by graph.hops, latency = virtual ms from the shout's delivery to the last 'heard' delivery; naive = the same member sending n - 1 routed unicasts.`,
    ].join('\n'),
    rows,
    checks,
    notes,
  };
}

function withRatiosScenario(s: Scenario): Scenario {
  return { ...s, rows: withRatios(s.rows) };
}
