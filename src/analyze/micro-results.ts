/**
 * The file `npm run bench` writes (bench/results/latest.json; the one it replaces moves to
 * bench/results/previous.json): the machine, and one row per measured figure of the
 * micro-benchmark suites. Only the fields `conclave analyze` reads are named; the file has more.
 *
 * @example
 * ```ts
 * const file = readBenchFile('bench/results/latest.json');
 * if (file.kind === 'micro') for (const r of file.results.results) console.log(r.suite, r.task, r.median, r.unit);
 * ```
 */
export interface MicroResults {
  readonly machine: {
    readonly cores: number;
    readonly node: string;
    readonly cpu: string;
    readonly platform: string;
    readonly date: string;
    readonly loadAverage: readonly number[];
  };
  readonly suites: readonly string[];
  readonly results: readonly MicroRow[];
  /** Correctness checks the suites ran on their own measurements (absent in hand-made files). */
  readonly checks?: readonly { readonly suite: string; readonly name: string; readonly ok: boolean; readonly detail: string }[];
  /** Suites that threw. */
  readonly failures?: readonly { readonly suite: string; readonly error: string }[];
}

/**
 * One measured figure of a micro-benchmark: quantiles over its samples (null when the row is
 * invalid, i.e. a correctness check of its scenario failed).
 *
 * @example
 * ```ts
 * const row: MicroRow = { suite: 'raft', task: 'raft n=5 sim', unit: 'decisions/min', better: 'higher', median: 9000, p25: 8800, p75: 9100, min: 8500, max: 9300, samples: 5 };
 * ```
 */
export interface MicroRow {
  readonly suite: string;
  readonly task: string;
  readonly unit: string;
  /** Which way is better; files written before `npm run bench` recorded it lack it (see {@link rowBetter}). */
  readonly better?: 'higher' | 'lower';
  readonly median: number | null;
  readonly p25: number | null;
  readonly p75: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly samples: number;
  readonly invalid?: string;
  readonly note?: string;
}

/**
 * Which way a row's figure is better: as recorded, or for older files that did not record it,
 * read from the unit: a rate (`.../s`, `.../min`) is better higher, anything else (ms, bytes per
 * actor, messages per broadcast) lower.
 *
 * @example
 * ```ts
 * rowBetter({ unit: 'msgs/s' });      // 'higher'
 * rowBetter({ unit: 'bytes/actor' }); // 'lower'
 * rowBetter({ unit: 'virtual ms', better: 'lower' }); // 'lower'
 * ```
 */
export function rowBetter(row: Pick<MicroRow, 'unit' | 'better'>): 'higher' | 'lower' {
  if (row.better !== undefined) return row.better;
  return /\/\s*(s|sec|second|min|minute|h|hour)$/i.test(row.unit.trim()) ? 'higher' : 'lower';
}

/**
 * The correctness checks that failed and the suites that threw, one line each: figures from such
 * a run are not to be trusted, and `conclave analyze` exits 1 on them.
 *
 * @example
 * ```ts
 * failedChecks(results); // ['messaging: sample 1: books balanced: sent 100 = ...']
 * ```
 */
export function failedChecks(results: MicroResults): string[] {
  return [
    ...(results.checks ?? []).filter((c) => !c.ok).map((c) => `${c.suite}: ${c.name}: ${c.detail}`),
    ...(results.failures ?? []).map((f) => `${f.suite}: the suite failed: ${f.error}`),
  ];
}
