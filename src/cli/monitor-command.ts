import { ConfigError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';
import { resolveRun, type RunRow } from '../store/resolve-run.ts';
import { describeEvent, RunWatch, type EventRow, type Liveness, type RunLook } from '../store/run-watch.ts';
import { bold, count, dim, green, int, ms, red, yellow } from '../text/format.ts';
import { EXIT_OK, EXIT_SAFETY } from './exit-codes.ts';
import { MONITOR_INTERVAL_MS } from './monitor-interval.ts';

/** Options of `conclave monitor`. */
export interface MonitorOptions {
  /** The store file (resolved by the CLI). */
  readonly store: string;
  /** Keep watching until the run ends (or its process is gone); without it, one snapshot. */
  readonly follow?: boolean;
  /** Ms between two looks with --follow (default 500). */
  readonly intervalMs?: number;
}

/** What monitor waits with and reads the time from: injected by tests. */
export interface MonitorDeps {
  /** Wall clock (epoch ms) for the lines' timestamps (default Date.now). */
  readonly now?: () => number;
  /** Waits between looks (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Whether the run's process is alive (default: a signal-0 probe on this host). */
  readonly alive?: (pid: number, host: string) => Liveness;
}

const clock = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 19);

/**
 * `conclave monitor [RUN]`: a live view of a run from the store, from another terminal while
 * the run writes it: decisions per minute, closed and decided, in flight, latency, votes
 * arriving, and the timeline's events (faults starting and ending, leaders, Byzantine
 * detections, alerts) as they are stored. Without `follow`, one snapshot; with it, a line per
 * interval until the run leaves `running` (then its final verdict) or its process is gone.
 * Returns 0 when the run completed (or is running, for a snapshot), 1 when it ended otherwise
 * or its process died; bad input throws a ConclaveError (exit code 2).
 *
 * @example
 * ```ts
 * await monitorCommand('last', { store: '.conclave/conclave.db', follow: true }, console.log);
 * ```
 */
export async function monitorCommand(ref: string | undefined, opts: MonitorOptions, out: (line: string) => void, deps: MonitorDeps = {}): Promise<number> {
  const interval = opts.intervalMs ?? MONITOR_INTERVAL_MS;
  if (!(Number.isInteger(interval) && interval >= 10 && interval <= 3_600_000))
    throw new ConfigError('--interval', 'an integer number of ms from 10 to 3,600,000', opts.intervalMs);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((msToWait: number) => new Promise<void>((resolve) => setTimeout(resolve, msToWait)));
  const db = openStore(opts.store, { readonly: true });
  try {
    const run = resolveRun(db, opts.store, ref ?? 'last');
    const watch = new RunWatch(db, run.id, deps.alive);
    out(
      bold(
        `run ${run.id}: ${run.name} · ${run.protocol}${run.mode ? ` · ${run.mode}` : ''}${run.agents !== null ? ` · ${run.agents} agents` : ''} · started ${clock(run.started_at)} (pid ${run.pid} on ${run.host})`,
      ),
    );
    for (;;) {
      let look = watch.look();
      out(progressLine(look, now()));
      for (const e of look.events) out(eventLine(look.run, e));
      if (look.run.status === 'running' && look.alive === 'no') {
        // It may have ended between reading its row and probing its pid: read the row again.
        look = watch.look();
        for (const e of look.events) out(eventLine(look.run, e));
        if (look.run.status === 'running') {
          out(
            red(`the run's process is gone (killed?); what it stored is kept: ${int(look.progress?.closed ?? 0)} decisions closed (conclave show ${run.id})`),
          );
          return EXIT_SAFETY;
        }
      }
      if (look.run.status !== 'running') {
        out(finalLine(look));
        return look.run.status === 'completed' ? EXIT_OK : EXIT_SAFETY;
      }
      if (!opts.follow) return EXIT_OK;
      await sleep(interval);
    }
  } finally {
    db.close();
  }
}

/**
 * One monitor line: the time, the status, and the run's figures as stored.
 *
 * @example
 * ```ts
 * progressLine(look, Date.now()); // '12:01:03 running · closed 1,234 (decided 1,200) · 3,456/min · in flight 8 · ...'
 * ```
 */
export function progressLine(look: RunLook, at: number): string {
  const p = look.progress;
  if (!p) return `${clock(at)} ${look.run.status} · nothing stored yet`;
  // A stress or bench campaign stores how many of its runs are done, not decisions, latencies
  // or votes: "closed 4 · latency mean 0.00 ms" was its 4 runs and figures it never kept.
  if (campaign(look.run)) {
    const rate = look.stalled
      ? yellow('no progress stored since the last look')
      : look.decisionsPerMinute === undefined
        ? 'rate -'
        : `${int(look.decisionsPerMinute)} runs/min`;
    return `${clock(at)} ${look.run.status} · ${int(p.closed)} of ${count(p.opened, 'run')} done · ${rate}`;
  }
  const parts = [
    `${clock(at)} ${look.run.status}`,
    `closed ${int(p.closed)} (decided ${int(p.decided)})`,
    look.stalled
      ? yellow('no progress stored since the last look')
      : look.decisionsPerMinute === undefined
        ? 'rate -'
        : `${int(look.decisionsPerMinute)} decisions/min`,
    `in flight ${int(look.inFlight)}`,
    look.latencyMeanMs === undefined ? 'latency -' : `latency mean ${ms(look.latencyMeanMs)}, max ${ms(look.latencyMaxMs!)}`,
    `votes ${int(p.votes)} (+${int(look.newVotes)})`,
  ];
  if (look.alive === 'unknown' && look.run.status === 'running') parts.push(dim(`on ${look.run.host}: its process cannot be checked from here`));
  return parts.join(' · ');
}

/** An event, at its time in the run (virtual ms in sim mode; from the run's start in threads mode). */
function eventLine(run: RunRow, e: EventRow): string {
  const t = run.mode === 'threads' && e.t > 1e11 ? e.t - run.started_at : e.t;
  const text = describeEvent(e);
  const colour = e.kind === 'alert' || e.kind === 'byzantine' ? red : e.kind === 'fault' || e.kind === 'crash' ? yellow : (s: string) => s;
  return `  ${dim(`t=${ms(Math.max(0, t))}`)} ${colour(text)}`;
}

function finalLine(look: RunLook): string {
  const r = look.run;
  const p = look.progress;
  const took = r.ended_at !== null ? ` after ${ms(r.ended_at - r.started_at)}` : '';
  const figures = !p
    ? ''
    : campaign(r)
      ? `: ${int(p.closed)} of ${count(p.opened, 'run')} done`
      : `: ${int(p.closed)} decisions closed, ${int(p.decided)} decided${look.latencyMeanMs !== undefined ? `, latency mean ${ms(look.latencyMeanMs)}` : ''}`;
  const text = `run ${r.id} ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ''}${took}${figures}${r.error ? `; error: ${r.error}` : ''}`;
  return r.status === 'completed' ? green(text) : red(text);
}

/** A run that records its runs' progress, not decisions: a stress or bench campaign. */
function campaign(run: { readonly kind: string }): boolean {
  return run.kind === 'stress' || run.kind === 'bench';
}
