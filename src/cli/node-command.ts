import { spawn, type ChildProcess } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import { ConclaveError } from '../errors.ts';
import { NatsSwarmError } from '../net/nats-error.ts';
import type { NatsLauncher } from '../net/nats-launcher.ts';
import type { SwarmNode } from '../net/swarm-node.ts';
import type { ActorSystem } from '../scheduler/actor-system.ts';
import type { ThreadSystem } from '../scheduler/threads/thread-system.ts';
import type { SystemOptions } from '../system/create-system.ts';
import { count, int } from '../text/format.ts';
import type { FromNodeWorker, NodeWorkerData } from '../net/node-worker.ts';
import { badFlagsExitTwo, EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, exitCodeForError } from './exit-codes.ts';

/** `conclave node`'s options, as commander parses them. */
interface NodeFlags {
  readonly nats: string;
  readonly swarm: string;
  readonly workers: number;
  readonly name?: string;
}

/**
 * Registers `conclave node`: a process that joins a swarm on NATS and hosts actors for the runs
 * a coordinator (`conclave run --nats`) places on it, until SIGTERM or SIGINT.
 *
 * @example
 * ```ts
 * registerNodeCommand(program);
 * ```
 */
export function registerNodeCommand(program: Command): void {
  badFlagsExitTwo(program.command('node'))
    .description(
      'Join a swarm on NATS as a node: announce, heartbeat, and host the actors a coordinator (conclave run --nats URL --swarm ID) places here, one run at a time; leave on SIGTERM (the actors of a run in progress are stopped, their queued envelopes dead-lettered, and the coordinator restarts them on live nodes).',
    )
    .requiredOption('--nats <url>', 'the NATS server, e.g. nats://127.0.0.1:4222')
    .requiredOption('--swarm <id>', 'the swarm to join (letters, digits, - and _)')
    .option(
      '--workers <n>',
      'threads hosting actors on this node (default 1): each joins the swarm as a host of its own, named NAME-w1 ... NAME-wN, so one process offers N hosts to --nodes',
      workersOption,
      1,
    )
    .option('--name <name>', "this node's name in the swarm (default node-<pid>); two live nodes of one swarm cannot share a name")
    .addHelpText(
      'after',
      '\nExit codes: 0 left cleanly (SIGTERM, SIGINT); 2 bad input (an unreachable server, a name already taken, a bad flag); 3 the connection to the server was lost.\n\nExample:\n  conclave node --nats nats://127.0.0.1:4222 --swarm demo --name n1 &\n  conclave run examples/db-choice.yml --nats nats://127.0.0.1:4222 --swarm demo --nodes 1',
    )
    .action(async (flags: NodeFlags) => {
      process.exitCode = await nodeCommand(flags, (l) => console.log(l));
    });
}

/** Threads a node may host on: one per core is what pays; past 64 a swarm is better spread over machines. */
const MAX_NODE_WORKERS = 64;

function workersOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODE_WORKERS)
    throw new InvalidArgumentError(
      `--workers must be an integer from 1 to ${MAX_NODE_WORKERS} (got "${value}"): one host thread per core of this machine pays best.`,
    );
  return n;
}

/** Runs a node until it is told to leave; returns the exit code. */
async function nodeCommand(flags: NodeFlags, out: (line: string) => void): Promise<number> {
  if (flags.workers > 1) return workerNodes(flags, out);
  // Loaded here, not at the top: every other command would pay for the NATS client's import.
  const { SwarmNode } = await import('../net/swarm-node.ts');
  let node: SwarmNode;
  try {
    node = await SwarmNode.join({ url: flags.nats, swarm: flags.swarm, name: flags.name, log: out });
  } catch (e) {
    if (!(e instanceof ConclaveError)) throw e;
    console.error(`conclave node: ${e.message}`);
    return exitCodeForError(e);
  }
  let leaving = false;
  const leave = (signal: string) => {
    leaving = true;
    void node.leave(signal);
  };
  process.once('SIGTERM', () => leave('SIGTERM'));
  process.once('SIGINT', () => leave('SIGINT'));
  await node.closed;
  if (leaving) return EXIT_OK;
  console.error(`conclave node: the connection to ${flags.nats} closed; node "${node.name}" is out of the swarm.`);
  return EXIT_RUN_FAILED;
}

/** `conclave run`'s NATS flags. */
export interface SwarmRunFlags {
  readonly nats: string;
  readonly swarm?: string;
  readonly nodes?: number;
  readonly spawnNodes?: number;
}

/** A run across a swarm's nodes, as `conclave run` drives it. */
export interface SwarmRun {
  /** For RunOptions.createSystem. */
  readonly createSystem: (options: SystemOptions) => Promise<ActorSystem>;
  /** Sees the run's system (RunOptions.onSystem), for the per-node report. */
  readonly onSystem: (system: ActorSystem) => void;
  /** The nodes, where the actors were, and each node's books (for --json). */
  report(): SwarmReport | undefined;
  /** Stops the nodes this command started (--spawn-nodes). */
  stop(): Promise<void>;
}

/** What `conclave run --nats` adds to its result. */
export interface SwarmReport {
  readonly swarm: string;
  readonly run: string;
  readonly nodes: {
    name: string;
    host: number;
    pid: number;
    actors: string[];
    sent: number;
    delivered: number;
    dropped: number;
    deadLettered: number;
    queued: number;
    lostWithNode: number;
    refusedBatches: number;
    death?: string;
  }[];
}

/**
 * Prepares `conclave run --nats`: checks the flags (a flag that cannot apply is refused by
 * name), starts `--spawn-nodes` local node processes, and gives the system factory.
 */
export async function prepareSwarmRun(flags: SwarmRunFlags, mode: string | undefined, workers: number | undefined): Promise<SwarmRun> {
  if (mode === 'sim')
    throw new NatsSwarmError(
      '--mode sim with --nats: a simulation runs on one thread with a virtual clock and cannot span processes; drop --mode (a run across nodes is in real time) or drop --nats.',
    );
  if (workers !== undefined)
    throw new NatsSwarmError(
      '--workers with --nats: the hosts of a run across nodes are the nodes (--nodes, --spawn-nodes), not the worker threads of this process; drop --workers (conclave node --workers N gives a node N host threads).',
    );
  const swarm = flags.swarm ?? (flags.spawnNodes !== undefined ? `local-${process.pid}` : undefined);
  if (swarm === undefined)
    throw new NatsSwarmError('--nats needs --swarm ID (the swarm the nodes joined), or --spawn-nodes N to start local nodes in a swarm of their own.');
  const nodes = flags.nodes ?? flags.spawnNodes;
  const { natsSystemFactory } = await import('../net/nats-system.ts');
  const children = flags.spawnNodes !== undefined ? spawnLocalNodes(flags.spawnNodes, flags.nats, swarm) : [];
  let launcher: NatsLauncher | undefined;
  let system: ThreadSystem | undefined;
  return {
    // Local nodes start a Node.js process each (seconds on a loaded machine): wait longer for them.
    createSystem: natsSystemFactory({ url: flags.nats, swarm, nodes, joinTimeoutMs: children.length > 0 ? 60_000 : 10_000 }, (l) => (launcher = l)),
    onSystem: (s) => (system = s as ThreadSystem),
    report: () => {
      if (launcher === undefined || system === undefined) return undefined;
      const ledgers = system.hostLedgers();
      const nodesReport = launcher.report().map((n) => {
        const l = ledgers[n.index];
        return {
          name: n.name,
          host: n.index,
          pid: n.pid,
          actors: l.actors,
          sent: l.cut.sent,
          delivered: l.cut.delivered,
          dropped: l.cut.dropped,
          deadLettered: l.cut.deadLettered,
          queued: l.cut.queued,
          lostWithNode: l.lost,
          refusedBatches: n.refusedBatches,
          ...(n.death ? { death: n.death } : {}),
        };
      });
      return { swarm, run: launcher.run, nodes: nodesReport };
    },
    stop: () => stopChildren(children),
  };
}

/**
 * Starts `n` node processes of this CLI on this machine (the one-command demo): the same
 * executable and loader flags as this process, output on this process's stderr.
 */
function spawnLocalNodes(n: number, url: string, swarm: string): ChildProcess[] {
  return Array.from({ length: n }, (_, i) =>
    spawn(process.execPath, [...process.execArgv, process.argv[1], 'node', '--nats', url, '--swarm', swarm, '--name', `local-${i + 1}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

/** SIGTERM to each child still running, then waits for every one to exit. */
async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** The per-node lines of a run's summary. */
export function swarmLines(report: SwarmReport): string[] {
  const lines = [`  nodes        ${report.nodes.length} on swarm "${report.swarm}" (run ${report.run})`];
  for (const n of report.nodes) {
    lines.push(
      `    ${n.name.padEnd(12)} host ${n.host} · ${count(n.actors.length, 'actor')} · sent ${int(n.sent)} · delivered ${int(n.delivered)} · dead-lettered ${int(n.deadLettered)}${n.lostWithNode ? ` · lost with node ${int(n.lostWithNode)}` : ''}${n.refusedBatches ? ` · refused ${count(n.refusedBatches, 'forged batch', 'forged batches')}` : ''}${n.death ? ` · ${n.death}` : ''}`,
    );
  }
  return lines;
}

/**
 * `--workers N` (N > 1): N worker threads, each joined as a host of its own (`NAME-w1` ...), so
 * the hosts run in parallel on this machine's cores; kill -9 of the process takes all of them,
 * as it would a machine. SIGTERM or SIGINT makes each leave as a one-thread node does (its actors
 * stopped, their mailboxes dead-lettered, the coordinator told). Exit 2 when any cannot join
 * (every one joined is made to leave first); 3 when one's connection is lost.
 */
async function workerNodes(flags: NodeFlags, out: (line: string) => void): Promise<number> {
  const { startWorker } = await import('../scheduler/threads/spawn-worker.ts');
  const { moduleUrl } = await import('../module-url.ts');
  const base = flags.name ?? `node-${process.pid}`;
  let leaving = false;
  let failed: { message: string; badInput: boolean } | undefined;
  const workers = Array.from({ length: flags.workers }, (_, i) => {
    const worker = startWorker(moduleUrl('../net/node-worker.ts', import.meta.url), {
      workerData: { url: flags.nats, swarm: flags.swarm, name: `${base}-w${i + 1}` } satisfies NodeWorkerData,
    });
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: FromNodeWorker) => {
        if (m.type === 'log') out(m.line);
        else if (m.type === 'failed') {
          failed ??= m;
          leaveAll('a host could not join');
        } else if (m.type === 'closed' && !leaving) {
          failed ??= { message: `host ${base}-w${i + 1}: the connection to ${flags.nats} closed`, badInput: false };
          leaveAll('a host lost its connection');
        }
      });
      worker.once('exit', () => resolve());
      worker.once('error', (e) => {
        failed ??= { message: `host ${base}-w${i + 1}: ${e.message}`, badInput: false };
      });
    });
    return { worker, done };
  });
  function leaveAll(reason: string): void {
    leaving = true;
    for (const w of workers) w.worker.postMessage({ type: 'leave', reason });
  }
  process.once('SIGTERM', () => leaveAll('SIGTERM'));
  process.once('SIGINT', () => leaveAll('SIGINT'));
  await Promise.all(workers.map((w) => w.done));
  if (failed === undefined) return EXIT_OK;
  console.error(`conclave node: ${failed.message}`);
  return failed.badInput ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
}
