import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BENCH_ALGORITHMS } from '../bench/bench-algorithms.ts';
import { BENCH_REPORT_VERSION, type BenchReport } from '../bench/bench-report.ts';
import { ConfigError, describe } from '../errors.ts';
import type { MicroResults } from './micro-results.ts';

/**
 * A file `conclave analyze` reads: a `conclave bench` report (`consensus_benchmark.json`) or the
 * results of the micro-benchmarks (`npm run bench`: bench/results/latest.json).
 *
 * @example
 * ```ts
 * const f = readBenchFile('consensus_benchmark.json');
 * if (f.kind === 'bench') console.log(f.report.meta.mode);
 * ```
 */
export type BenchFile =
  | { readonly kind: 'bench'; readonly file: string; readonly report: BenchReport }
  | { readonly kind: 'micro'; readonly file: string; readonly results: MicroResults };

/** What a user can do when a file is not one `conclave analyze` reads. */
const WHAT = 'a file written by `conclave bench --output FILE` (kind "conclave-bench") or by `npm run bench` (bench/results/latest.json)';

/**
 * Reads and checks a bench file. Every problem is a ConfigError naming the file and the place in
 * it (`file:line:column` for JSON that does not parse, `file: results[2].consensusMs.p99` for a
 * field), what was expected, and how to get a good file.
 *
 * @example
 * ```ts
 * readBenchFile('consensus_benchmark.json'); // { kind: 'bench', file, report }
 * readBenchFile('missing.json');            // throws ConfigError: expected an existing file ...
 * ```
 */
export function readBenchFile(file: string): BenchFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ConfigError(file, `a file, not a directory: ${WHAT}`, 'a directory');
    throw new ConfigError(
      file,
      `an existing, readable file: check the path, or write one with \`conclave bench --output ${file}\``,
      code === 'ENOENT' ? 'no such file' : (e as Error).message,
    );
  }
  return parseBenchFile(text, file);
}

/**
 * Checks the text of a bench file (`file` names it in errors); see {@link readBenchFile}.
 * Extra fields are welcome; the fields analyze and optimize read must be there.
 *
 * @example
 * ```ts
 * parseBenchFile(JSON.stringify(report), 'after.json').kind; // 'bench'
 * parseBenchFile('{"kind": "conclave-bench", "version": 9}', 'x.json'); // throws at "x.json: version"
 * ```
 */
export function parseBenchFile(text: string, file: string): BenchFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // The parser's own words, without the position (it is in the place) or the echoed text.
    const said = (e as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    throw new ConfigError(
      jsonPlace(file, text, (e as Error).message),
      `JSON: ${WHAT}; the file is damaged or of another format, so write it again`,
      text.trim() === '' ? text : said,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(file, `a JSON object: ${WHAT}`, data);
  const obj = data as Record<string, unknown>;
  if ('kind' in obj) {
    if (obj.kind !== 'conclave-bench') throw new ConfigError(`${file}: kind`, `"conclave-bench": ${WHAT}`, obj.kind);
    if (obj.version !== BENCH_REPORT_VERSION) {
      throw new ConfigError(
        `${file}: version`,
        `version ${BENCH_REPORT_VERSION}, the one this conclave reads: run \`conclave bench\` again to write the file afresh, or analyze it with the conclave that wrote it`,
        obj.version,
      );
    }
    return {
      kind: 'bench',
      file,
      report: checked(benchReportSchema, obj, file, 'a conclave bench file; run `conclave bench` again to write it afresh') as BenchReport,
    };
  }
  if (Array.isArray(obj.results) && 'machine' in obj && 'suites' in obj) {
    return {
      kind: 'micro',
      file,
      results: checked(microSchema, obj, file, 'npm run bench results; run `npm run bench` again to write them afresh') as MicroResults,
    };
  }
  throw new ConfigError(file, `${WHAT}${otherKind(obj)}`, obj);
}

/** Names files people are likely to pass by mistake. */
function otherKind(obj: Record<string, unknown>): string {
  if ('traceHashes' in obj && 'failing' in obj) return ' (this is a `conclave stress --json` report: run `conclave bench` for figures to analyze)';
  if ('traceHash' in obj && 'scenario' in obj) return ' (this is a `conclave run --json` result: run `conclave bench` for figures to analyze)';
  return '';
}

/** `file:line:column` of a JSON syntax error when the parser says where it is. */
function jsonPlace(file: string, text: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at) return file;
  const before = text.slice(0, Number(at[1])).split('\n');
  return `${file}:${before.length}:${before[before.length - 1].length + 1}`;
}

/** Validates `value` with `schema`, or throws a ConfigError at the first wrong field. */
function checked(schema: z.ZodType, value: unknown, file: string, what: string): unknown {
  const r = schema.safeParse(value);
  if (r.success) return value;
  const issue = r.error.issues[0];
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
  const got = issue.path.reduce<unknown>((v, p) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined), value);
  throw new ConfigError(`${file}: ${path || '(top level)'}`, `${expectedOf(issue, got)} (${what})`, got);
}

/** The expectation of a zod issue in the words of the other errors ("a number", "one of ..."). */
function expectedOf(issue: z.core.$ZodIssue, got: unknown): string {
  const missing = got === undefined ? ' (the field is missing)' : '';
  if (issue.code === 'invalid_type') return `a value of type ${issue.expected}${missing}`;
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((v) => describe(v)).join(', ')}${missing}`;
  // The one discriminated union: a group's status.
  if (issue.code === 'invalid_union') return `one of ${GROUP_STATUSES.map((s) => `"${s}"`).join(', ')}${missing}`;
  return issue.message.replace(/^Invalid input: /, '') + missing;
}

const GROUP_STATUSES = ['measured', 'not_applicable', 'failed'] as const;

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const nullableNumber = z.number().nullable();

const iterationSchema = z.looseObject({
  seed: z.number().int(),
  attempted: count,
  decided: count,
  latencyMs: z.looseObject({ p50: ms, p99: ms }),
  wallMs: ms,
  virtualMs: ms.nullable(),
  messagesSent: count,
  quality: nullableNumber,
  safetyViolations: z.array(z.looseObject({ property: z.string() })),
  error: z.string().optional(),
});

const groupBase = {
  algorithm: z.enum(BENCH_ALGORITHMS),
  agents: z.number().int().positive(),
  tolerance: z.looseObject({ model: z.enum(['crash', 'byzantine', 'outcome']), bound: z.string(), maxFaulty: count, note: z.string() }),
  load: z.looseObject({ liars: count, crashes: count, withinTolerance: z.boolean() }),
};

const groupSchema = z.discriminatedUnion('status', [
  z.looseObject({
    ...groupBase,
    status: z.literal(GROUP_STATUSES[0]),
    iterations: count,
    decisions: z.looseObject({ attempted: count, decided: count }),
    successRate: z.number().min(0).max(1),
    consensusMs: z.looseObject({ clock: z.enum(['virtual', 'wall']), mean: ms, sd: ms, p50: ms, p99: ms }),
    throughput: z.looseObject({ wallPerMinute: z.number().nonnegative(), simPerMinute: z.number().nonnegative().nullable() }),
    messagesPerDecision: z.number().nonnegative(),
    quality: nullableNumber,
    safetyViolations: count,
    safetyByProperty: z.record(z.string(), z.number()),
    livenessFindings: count,
    unfinished: z.array(z.number()),
    errors: z.array(z.looseObject({ seed: z.number(), error: z.string() })),
    runs: z.array(iterationSchema),
  }),
  z.looseObject({ ...groupBase, status: z.literal(GROUP_STATUSES[1]), reason: z.string() }),
  z.looseObject({ ...groupBase, status: z.literal(GROUP_STATUSES[2]), runs: z.array(iterationSchema) }),
]);

const benchReportSchema = z.looseObject({
  meta: z.looseObject({
    date: z.string(),
    command: z.string(),
    mode: z.enum(['sim', 'threads']),
    seed: z.number().int(),
    iterations: z.number().int().positive(),
    workload: z.looseObject({ decisions: count.optional(), durationMs: ms.optional(), inFlight: z.number().int().positive(), topology: z.string() }),
    faults: z.looseObject({ spec: z.string() }).nullable(),
    clock: z.enum(['virtual', 'wall']),
    machine: z.looseObject({ cpu: z.string(), cores: z.number().int().positive(), node: z.string(), platform: z.string(), loadAverage: z.array(z.number()) }),
    wallMs: ms,
  }),
  results: z.array(groupSchema),
});

const quantile = z.number().nullable();
const microSchema = z.looseObject({
  machine: z.looseObject({ cores: z.number(), node: z.string(), cpu: z.string(), platform: z.string(), date: z.string(), loadAverage: z.array(z.number()) }),
  suites: z.array(z.string()),
  results: z.array(
    z.looseObject({
      suite: z.string(),
      task: z.string(),
      unit: z.string(),
      better: z.enum(['higher', 'lower']).optional(),
      median: quantile,
      p25: quantile,
      p75: quantile,
      min: quantile,
      max: quantile,
      samples: count,
      invalid: z.string().optional(),
    }),
  ),
  checks: z.array(z.looseObject({ suite: z.string(), name: z.string(), ok: z.boolean(), detail: z.string() })).optional(),
  failures: z.array(z.looseObject({ suite: z.string(), error: z.string() })).optional(),
});
