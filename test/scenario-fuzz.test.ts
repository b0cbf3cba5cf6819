/**
 * Fuzzes the scenario loader from the files users actually write (examples/ and the test
 * fixtures): each case takes one, changes one value, one key or a stretch of its text to
 * something hostile (NaN, 1e308, "999…9s", a huge list, deep nesting, a second document...) and
 * loads it. The loader may accept or refuse, but it may only refuse with a Conclave error whose
 * message is short, and whatever it accepts must lie within the documented bounds; a sample of
 * the accepted ones is run in sim mode and must come back with a result. Seeded: a failure
 * prints the seed and path fast-check needs to replay it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { parseFaultPlan } from '../src/scenario/fault-plan.ts';
import { ConclaveError } from '../src/errors.ts';
import { estimateFootprint, parseScenario, SCENARIO_LIMITS, type Scenario } from '../src/scenario/index.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';
import '../src/actors/library.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = ['examples', 'test/fixtures/scenarios'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => {
      const text = readFileSync(join(root, dir, f), 'utf8');
      return { file: join(root, dir, f), text, value: parseDocument(text, { merge: true }).toJS() as unknown };
    }),
);

/** The same bound scenario-bounds.test.ts holds single cases to. */
const MESSAGE_BOUND = 1_500;
const CASES = 2_000;
const SEED = 20_261_206;

const nested = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

/** Values that broke, or might break, a loader: non-finite and huge numbers, runaway durations, odd shapes. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    Number.NaN,
    Infinity,
    -Infinity,
    1e308,
    -1e308,
    1e15,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    1e9,
    100_000_001,
    1_000_001,
    100_001,
    -1,
    0,
    0.5,
    1,
    1.5,
    3,
    `${'9'.repeat(400)}s`,
    '1e308s',
    '25h',
    '24h',
    '1h',
    '61m',
    '-1s',
    '0s',
    '0.0001ms',
    'soon',
    '',
    ' ',
    'abstain',
    'leader',
    'ring',
    null,
    true,
    [],
    {},
    ['a'],
    { type: 'adaptive' },
    '---',
  ),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 200 }).map((n) => nested(n)),
  // Long enough for "… and N more"; lists over the limit (10,000) cost the YAML parser ~0.5 s
  // each, so they are scenario-bounds.test.ts's, once.
  fc.constantFrom(2, 3, 11, 50, 2_000).map((n) => Array.from({ length: n }, (_, i) => `o${i}`)),
  fc.integer({ min: 100, max: 5_000 }).map((n) => 'k'.repeat(n)),
);

/** Text changes that no structured mutation makes: brackets, documents, indentation, anchors. */
const splices = fc.constantFrom(
  '\n---\n',
  '['.repeat(1500),
  '['.repeat(70),
  '{a: '.repeat(70),
  ']',
  '}',
  ': ',
  '\t',
  '*a ',
  '&a ',
  '<<: *a\n',
  '? ',
  '- ',
  '#',
  '"',
  "'",
  '\u0000',
  '%YAML 1.2\n---\n',
  '!!binary ',
  '.nan',
  '.inf',
  '1e308',
);

/** Every path to a node of a plain value (iterative; the example files are small). */
function paths(value: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, p] = stack.pop()!;
    if (p.length > 0) out.push(p);
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) stack.push([child, [...p, k]]);
  }
  return out;
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown, renameTo?: string): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (renameTo !== undefined && !Array.isArray(node)) {
    node[renameTo] = node[last];
    delete node[last];
  } else node[last] = value;
}

type Mutation =
  | { kind: 'value'; source: number; pick: number; value: unknown }
  | { kind: 'key'; source: number; pick: number; key: string }
  | { kind: 'text'; source: number; at: number; cut: number; insert: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), source: fc.nat(sources.length - 1), pick: fc.nat(), value: hostile }),
  fc.record({
    kind: fc.constant('key' as const),
    source: fc.nat(sources.length - 1),
    pick: fc.nat(),
    key: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('agnets', 'count ', 'in-flight', 'votingTimeout', '__proto__', 'constructor', 'k'.repeat(3000)),
    ),
  }),
  fc.record({ kind: fc.constant('text' as const), source: fc.nat(sources.length - 1), at: fc.nat(), cut: fc.nat(40), insert: splices }),
);

/** The scenario text a mutation makes. */
function mutate(m: Mutation): { file: string; text: string } {
  const { file, text } = sources[m.source];
  if (m.kind === 'text') {
    const at = m.at % (text.length + 1);
    return { file, text: text.slice(0, at) + m.insert + text.slice(at + m.cut) };
  }
  const value = structuredClone(sources[m.source].value);
  const all = paths(value);
  if (all.length === 0) return { file, text };
  const path = all[m.pick % all.length];
  if (m.kind === 'value') setAt(value, path, m.value);
  else setAt(value, path, undefined, m.key);
  return { file, text: stringify(value, { aliasDuplicateObjects: false }) };
}

/** Every number anywhere in an accepted scenario: finite. Every documented range: held. */
function expectWithinBounds(s: Scenario): void {
  const within = (what: string, ok: boolean) => expect(ok, `${what} out of bounds in an accepted scenario`).toBe(true);
  const stack: unknown[] = [s];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') within(`the number ${v}`, Number.isFinite(v));
    else if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
  }
  let total = 0;
  for (const g of s.agents) {
    within(`count ${g.count}`, Number.isInteger(g.count) && g.count >= 1 && g.count <= SCENARIO_LIMITS.agents);
    total += g.count;
    if (g.weight !== undefined) within(`weight ${g.weight}`, g.weight > 0 && g.weight <= SCENARIO_LIMITS.weight);
    if (g.accuracy !== undefined) within(`accuracy ${g.accuracy}`, g.accuracy >= 0 && g.accuracy <= 1);
  }
  within(`${total} agents`, total <= SCENARIO_LIMITS.agents);
  if (s.seed !== undefined) within(`seed ${s.seed}`, Number.isSafeInteger(s.seed) && s.seed >= 0);
  const { consensus, task } = s;
  within(`voting timeout ${consensus.votingTimeoutMs} ms`, consensus.votingTimeoutMs > 0 && consensus.votingTimeoutMs <= SCENARIO_LIMITS.votingTimeoutMs);
  if (consensus.threshold !== undefined) within(`threshold ${consensus.threshold}`, consensus.threshold > 0 && consensus.threshold <= 1);
  for (const w of Object.values(consensus.agent_weights ?? {})) within(`agent weight ${w}`, w > 0 && w <= SCENARIO_LIMITS.weight);
  if (task.decisions !== undefined)
    within(`decisions ${task.decisions}`, Number.isInteger(task.decisions) && task.decisions >= 1 && task.decisions <= SCENARIO_LIMITS.decisions);
  if (task.durationMs !== undefined) within(`duration ${task.durationMs} ms`, task.durationMs > 0 && task.durationMs <= SCENARIO_LIMITS.durationMs);
  within(`in_flight ${task.inFlight}`, Number.isInteger(task.inFlight) && task.inFlight >= 1 && task.inFlight <= SCENARIO_LIMITS.inFlight);
  for (const e of s.schedule) within(`schedule at ${e.atMs} ms`, e.atMs >= 0 && e.atMs <= SCENARIO_LIMITS.durationMs);
  // The faults read as every voting run reads them, and their times are within the cap.
  const plan = parseFaultPlan(s.faults, { defaultTarget: 'random' });
  for (const f of [...plan.crashes, ...plan.partitions, ...plan.network, ...plan.pauses, ...plan.skews]) {
    within(`fault at ${f.atMs} ms for ${f.durationMs} ms`, f.atMs <= SCENARIO_LIMITS.durationMs && (f.durationMs ?? 0) <= SCENARIO_LIMITS.durationMs);
  }
  const f = estimateFootprint(s);
  within(`estimate ${f.bytes} B, ${f.seconds} s`, f.bytes <= f.budgetBytes && f.seconds <= f.budgetSeconds);
}

describe('the scenario loader, fuzzed from the example files', () => {
  it(`only ever refuses with a short Conclave error, and accepts only what is in bounds (${CASES} cases)`, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const { file, text } = mutate(m);
        let scenario: Scenario;
        try {
          scenario = parseScenario(text, file);
        } catch (e) {
          expect(e, `not a Conclave error: ${String(e).slice(0, 300)}`).toBeInstanceOf(ConclaveError);
          expect((e as Error).message.length).toBeLessThan(MESSAGE_BOUND);
          refused++;
          return;
        }
        accepted++;
        expectWithinBounds(scenario);
      }),
      { seed: SEED, numRuns: CASES },
    );
    // Both sides were exercised, or the property says little.
    expect(accepted).toBeGreaterThan(CASES / 10);
    expect(refused).toBeGreaterThan(CASES / 10);
  }, 120_000);

  it('a sample of accepted mutants runs to a result in sim mode, or is refused before it starts', async () => {
    const sample: { file: string; scenario: Scenario }[] = [];
    fc.assert(
      fc.property(mutation, (m) => {
        if (sample.length >= 12) return;
        const { file, text } = mutate(m);
        try {
          const scenario = parseScenario(text, file);
          // Small enough for a test (the estimate is what the loader refuses on).
          if (estimateFootprint(scenario).seconds < 0.2 && (scenario.task.decisions ?? 0) <= 300) sample.push({ file, scenario });
        } catch {
          // refused: the first test covers refusals
        }
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
    expect(sample.length).toBeGreaterThanOrEqual(8);
    let ran = 0;
    for (const { scenario } of sample) {
      const started = performance.now();
      try {
        const result = await runScenario(scenario, { mode: 'sim' });
        expect(result.decisions.attempted).toBeGreaterThanOrEqual(0);
        ran++;
      } catch (e) {
        // Refused up front (a target that is not a member, an algorithm that is not registered...).
        expect(e, `not a Conclave error: ${String(e).slice(0, 300)}`).toBeInstanceOf(ConclaveError);
      }
      expect(performance.now() - started).toBeLessThan(15_000);
    }
    expect(ran).toBeGreaterThan(0);
  }, 120_000);
});
