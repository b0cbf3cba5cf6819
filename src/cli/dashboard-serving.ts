import type { Command } from 'commander';
import { ConfigError } from '../errors.ts';

/** The flags every command with a live dashboard takes (`run`, `stress`, `bench`, `hive-mind spawn`). */
export interface DashboardFlags {
  readonly dashboard?: number | true;
  readonly dashboardHost?: string;
  readonly dashboardToken?: string;
}

/** Where and how a live dashboard is served: what `LiveDashboard.start` takes besides the run. */
export interface DashboardServing {
  readonly port: number;
  readonly host?: string;
  readonly token?: string;
}

/** The port `--dashboard` alone serves on. */
export const DASHBOARD_PORT = 3002;

/**
 * Adds `--dashboard-host` and `--dashboard-token` to a command that has `--dashboard [port]`:
 * one wording for every command, so a campaign or a bench can be watched from another machine
 * as a run can.
 *
 * @example
 * ```ts
 * addServingOptions(program.command('stress').option('--dashboard [port]', '...', portOption('--dashboard')));
 * ```
 */
export function addServingOptions(command: Command): Command {
  return command
    .option(
      '--dashboard-host <host>',
      'with --dashboard: the address to bind (default 127.0.0.1; any other requires a token, generated and printed unless --dashboard-token gives it)',
    )
    .option('--dashboard-token <t>', 'with --dashboard: require this token on every request');
}

/**
 * The serving the flags ask for, or undefined without `--dashboard`. A host or a token without
 * `--dashboard` is refused by name (`served` says what would be served: "the run", "the
 * sessions"), not ignored.
 *
 * @example
 * ```ts
 * dashboardServing({ dashboard: true, dashboardHost: '0.0.0.0' }, 'the campaign'); // { port: 3002, host: '0.0.0.0' }
 * dashboardServing({ dashboardToken: 'x'.repeat(16) }, 'the campaign'); // throws: "--dashboard-token": expected to be given with --dashboard ...
 * ```
 */
export function dashboardServing(flags: DashboardFlags, served: string): DashboardServing | undefined {
  const { dashboard, dashboardHost: host, dashboardToken: token } = flags;
  if (dashboard === undefined) {
    if (host === undefined && token === undefined) return undefined;
    throw new ConfigError(
      host !== undefined ? '--dashboard-host' : '--dashboard-token',
      `to be given with --dashboard (it says how ${served} is served on the dashboard; add --dashboard, or drop it)`,
      host ?? token,
    );
  }
  return { port: dashboard === true ? DASHBOARD_PORT : dashboard, ...(host !== undefined && { host }), ...(token !== undefined && { token }) };
}

/**
 * The line that says where a live dashboard is, with the token when the server made one up (a
 * host other than loopback and no `--dashboard-token`): without it nobody could open the page.
 *
 * @example
 * ```ts
 * dashboardLine({ url: 'http://0.0.0.0:3002/', token: 'k3…', generatedToken: true }, 'this campaign');
 * // 'conclave: dashboard for this campaign: http://0.0.0.0:3002/ (token generated for a host other than loopback: k3…)'
 * ```
 */
export function dashboardLine(dash: { readonly url: string; readonly token: string | undefined; readonly generatedToken: boolean }, what: string): string {
  return `conclave: dashboard for ${what}: ${dash.url}${dash.generatedToken ? ` (token generated for a host other than loopback: ${dash.token})` : ''}`;
}
