import { InvalidArgumentError, type Command } from 'commander';
import type { DashboardServer } from '../dashboard/dashboard-server.ts';
import { DEFAULT_STORE, storePath } from '../store/store-path.ts';
import { badFlagsExitTwo } from './exit-codes.ts';

/** Options of `conclave dashboard`. */
export interface DashboardCommandOptions {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  /** The run store whose runs the page lists (absent: none). */
  readonly store?: string;
}

/**
 * `conclave dashboard`: serves the page until the process is stopped; resolves with the server
 * once it listens, after printing its URL (and a generated token, off loopback).
 *
 * @example
 * ```ts
 * const server = await dashboardCommand({ port: 3002, store: '.conclave/conclave.db' }, console.log);
 * await server.close();
 * ```
 */
export async function dashboardCommand(opts: DashboardCommandOptions, out: (line: string) => void): Promise<DashboardServer> {
  // Loaded when the command runs: the server (and the store under it) is not paid for by the other commands' start-up.
  const { DashboardServer } = await import('../dashboard/dashboard-server.ts');
  const server = new DashboardServer({ port: opts.port, host: opts.host, token: opts.token, store: opts.store });
  const { url } = await server.start();
  out(`conclave dashboard: ${url}`);
  if (server.generatedToken)
    out(`  --host ${opts.host} is reachable from other machines: every request needs this token (generated; pass --token to choose one): ${server.token}`);
  out(`  runs from ${opts.store ?? '(no store)'}; a live run: conclave run SCENARIO --dashboard. Ctrl-C stops.`);
  return server;
}

/**
 * A TCP port from the command line: 0 (any free one) to 65,535.
 *
 * @example
 * ```ts
 * portOption('--port')('3002'); // 3002
 * ```
 */
export function portOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isInteger(n) && n >= 0 && n <= 65_535))
      throw new InvalidArgumentError(`${flag} must be a port from 0 (any free one) to 65535 (got "${value}").`);
    return n;
  };
}

/**
 * Registers `conclave dashboard`.
 *
 * @example
 * ```ts
 * registerDashboardCommand(new Command('conclave'));
 * ```
 */
export function registerDashboardCommand(program: Command): void {
  const cmd = program
    .command('dashboard')
    .description(
      'Serve the live dashboard (a page on http://127.0.0.1:3002 by default): pick a run from the store (a run another process is writing is followed live; an ended one is shown as it ended) and see its topology graph (leader, crashed, partitioned and caught Byzantine members), decisions per minute, consensus time p50/p99, the message books, the latest votes, Raft terms / PBFT views and a timeline of faults, detections and alerts. A run started with conclave run --dashboard is served by that run itself, with control actions (pause, switch topology, crash, partition).',
    )
    .option('--port <n>', 'the port (0: any free one)', portOption('--port'), 3002)
    .option(
      '--host <host>',
      'the address to bind; anything but 127.0.0.1, localhost or ::1 requires a token (one is generated and printed unless --token gives it)',
      '127.0.0.1',
    )
    .option(
      '--token <t>',
      'require this token on every request (?token=T in the URL or Authorization: Bearer T), even on loopback; 16 to 256 characters from A-Z a-z 0-9 . _ ~ -',
    )
    .option('--store <file>', `the run store (default: $CONCLAVE_STORE, else ${DEFAULT_STORE} under the current directory)`)
    .addHelpText(
      'after',
      '\nExamples:\n  conclave dashboard\n  conclave dashboard --port 8080 --store /data/conclave.db\n  conclave dashboard --host 0.0.0.0            # prints a generated token\n  conclave run examples/raft-deployment.yml --dashboard   # a live run, with control actions',
    )
    .action(async (opts: DashboardCommandOptions) => {
      await dashboardCommand({ ...opts, store: storePath({ store: opts.store }) }, (l) => console.log(l));
    });
  badFlagsExitTwo(cmd);
}
