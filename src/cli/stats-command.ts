import { ConfigError } from '../errors.ts';
import { listRuns, resolveRun, storedProtocols } from '../store/queries.ts';
import { protocolStats } from '../store/run-summary.ts';
import { bold, count, dim, int } from '../text/format.ts';
import { EXIT_OK } from './exit-codes.ts';
import { checkKind, parseSince, withStore, type StoreFilterOptions } from './store-read.ts';

/**
 * Options of `conclave stats [RUN]`.
 *
 * @example
 * ```ts
 * statsCommand(undefined, { protocol: 'raft', since: '1d', store: '/tmp/s.db' }, console.log);
 * ```
 */
export type StatsCommandOptions = StoreFilterOptions;

/** What the header calls the runs of a kind the default leaves out. */
const KIND_NAMES: Readonly<Record<string, string>> = { stress: 'stress campaign', bench: 'benchmark', hive: 'hive session' };
const kindOrder = (kind: string): number => {
  const i = Object.keys(KIND_NAMES).indexOf(kind);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
};

/**
 * `conclave stats [RUN]`: across the stored runs (or one run, or those of one protocol, or since
 * a time), per protocol: runs, decisions, success rate, consensus time p50/p99 over every stored
 * decision, messages per decision, quality, safety violations. Returns the exit code; bad input
 * throws a ConclaveError (exit 2).
 *
 * @example
 * ```ts
 * process.exitCode = statsCommand('last', {}, (l) => console.log(l));
 * ```
 */
export function statsCommand(ref: string | undefined, opts: StatsCommandOptions, out: (line: string) => void): number {
  if (ref !== undefined && (opts.protocol !== undefined || opts.since !== undefined))
    throw new ConfigError('RUN', 'either one run or the filters --protocol/--since, not both', ref);
  checkKind(opts.kind);
  const since = opts.since !== undefined ? parseSince(opts.since, opts.now) : undefined;
  return withStore(opts.store, (db, file) => {
    const listed = ref !== undefined ? [] : listRuns(db, { protocol: opts.protocol, since, kind: opts.kind });
    const runs =
      ref !== undefined
        ? [resolveRun(db, file, ref)]
        : // Stress campaigns, benchmarks and hive sessions report in their own shape: counted only when asked for by --kind.
          listed.filter((r) => opts.kind !== undefined || r.kind === 'run' || r.kind === 'replay');
    /** What the default leaves out, by kind, said in the header rather than silently dropped. */
    const left = new Map<string, number>();
    for (const r of listed) if (!runs.includes(r)) left.set(r.kind, (left.get(r.kind) ?? 0) + 1);
    if (runs.length === 0 && opts.protocol !== undefined && !storedProtocols(db).includes(opts.protocol)) {
      const known = storedProtocols(db);
      throw new ConfigError(
        '--protocol',
        known.length ? `one of the protocols the stored runs used: ${known.join(', ')}` : 'a protocol of a stored run (none stored yet)',
        opts.protocol,
      );
    }
    const stats = protocolStats(db, runs);
    if (opts.json) {
      out(JSON.stringify({ store: file, runs: runs.length, ...(ref !== undefined ? { run: runs[0]!.id } : {}), protocols: stats }, null, 2));
      return EXIT_OK;
    }
    const what =
      ref !== undefined
        ? `run ${runs[0]!.id} (${runs[0]!.name})`
        : `${int(runs.length)} stored run${runs.length === 1 ? '' : 's'}${opts.protocol ? ` of ${opts.protocol}` : ''}${opts.since ? ` since ${opts.since}` : ''}`;
    out(bold(`Consensus statistics`) + dim(` · ${what} · ${file}`));
    if (left.size > 0)
      out(
        dim(
          `  not counted: ${[...left]
            .sort(([a], [b]) => kindOrder(a) - kindOrder(b))
            .map(([kind, n]) => count(n, KIND_NAMES[kind] ?? `${kind} run`))
            .join(', ')} (each reports in its own shape: conclave show ID, or --kind)`,
        ),
      );
    if (runs.length === 0) {
      out('  no run matches');
      return EXIT_OK;
    }
    const head = ['protocol', 'runs', 'decided/attempted', 'success', 'p50', 'p99', 'msgs/decision', 'quality', 'violations'];
    const f2 = (x: number | null, unit = '') => (x === null ? '-' : `${x.toFixed(2)}${unit}`);
    const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
    const rows = stats.map((p) => [
      p.protocol,
      int(p.runs),
      `${int(p.decided)}/${int(p.attempted)}`,
      pct(p.successRate),
      f2(p.latencyMs.p50, ' ms'),
      f2(p.latencyMs.p99, ' ms'),
      p.messagesPerDecision === null ? '-' : p.messagesPerDecision.toFixed(1),
      pct(p.quality),
      int(p.safetyViolations),
    ]);
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ')}`;
    out(dim(line(head)));
    for (const r of rows) out(line(r));
    out(
      dim(
        `\n  consensus time: percentiles over every decision stored one by one (simulated ms in sim mode); messages: sent over attempted; quality: over decided decisions with a ground truth`,
      ),
    );
    return EXIT_OK;
  });
}
