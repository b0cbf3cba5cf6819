/**
 * The building blocks of the scenario and legacy-configuration schemas. Every schema here carries
 * its own "expected ..." text as the zod message, so an issue turns into a ScenarioError without
 * guessing what the field wanted; extra detail travels in a custom issue's `params`
 * ({@link IssueParams}).
 */
import { z } from 'zod';
import { count, MAX_WEIGHT } from './bounds.ts';
import { clip } from './bounded-text.ts';
import { didYouMean } from './did-you-mean.ts';
import { DURATION_FORMS, durationIssue, durationRange, tryParseDuration } from './duration.ts';

/**
 * What a custom issue may add to its message (the message itself is the "expected" text).
 *
 * @example
 * ```ts
 * ctx.addIssue({ code: 'custom', path: ['truth'], message: 'one of the options', params: { hint: 'Add it to options.' } satisfies IssueParams });
 * ```
 */
export interface IssueParams {
  /** A sentence appended to the message, e.g. what to do. */
  readonly hint?: string;
  /** Replaces the description of the offending value, when the value alone does not show the problem. */
  readonly gotText?: string;
  /** Set when the issue is an unknown key: the error then points at the key, not at its value. */
  readonly unknownKey?: string;
}

/**
 * The zod params that make `text` the message of every issue a schema raises.
 *
 * @example
 * ```ts
 * z.boolean(expecting('true or false'));
 * ```
 */
export function expecting(text: string): { error: string } {
  return { error: text };
}

/**
 * A string with at least one character.
 *
 * @example
 * ```ts
 * const name = nonEmptyString('a scenario name'); // '' fails with "expected a scenario name"
 * ```
 */
export function nonEmptyString(what = 'a non-empty string') {
  return z.string(expecting(what)).min(1, expecting(what));
}

/**
 * An integer from `min` to `max` (every count has a documented ceiling: see `bounds.ts`). zod's
 * number already refuses NaN and Infinity; the range goes in the message.
 *
 * @example
 * ```ts
 * const count = integer(1, MAX_AGENTS).default(1); // "expected an integer from 1 to 1,000,000"
 * ```
 */
export function integer(min: number, max: number) {
  const text = `an integer from ${count(min)} to ${count(max)}`;
  return z.number(expecting(text)).int(expecting(text)).min(min, expecting(text)).max(max, expecting(text));
}

/**
 * A weight: a number > 0 (a zero or negative weight has no sensible meaning in a vote) and at
 * most {@link MAX_WEIGHT} (weights are summed over voters: 1e308 would overflow to Infinity).
 *
 * @example
 * ```ts
 * const weight = positiveNumber().optional(); // "expected a number greater than 0 and at most 1,000,000"
 * ```
 */
export function positiveNumber() {
  const text = `a number greater than 0 and at most ${count(MAX_WEIGHT)}`;
  return z.number(expecting(text)).gt(0, expecting(text)).lte(MAX_WEIGHT, expecting(text));
}

/**
 * A probability: a number from 0 to 1 inclusive.
 *
 * @example
 * ```ts
 * const accuracy = probability().default(0.7);
 * ```
 */
export function probability() {
  const text = 'a number from 0 to 1';
  return z.number(expecting(text)).min(0, expecting(text)).max(1, expecting(text));
}

/**
 * A vote threshold: greater than 0, at most 1 (a share of the votes; 0 would decide on no votes).
 *
 * @example
 * ```ts
 * const t = threshold().optional(); // 0.5 ok, 1 ok, 0 and 1.5 fail
 * ```
 */
export function threshold() {
  const text = 'a number greater than 0 and at most 1';
  return z.number(expecting(text)).gt(0, expecting(text)).lte(1, expecting(text));
}

/**
 * One of a fixed set of strings; the message lists them.
 *
 * @example
 * ```ts
 * const mode = oneOf(['sim', 'threads'] as const); // "expected one of "sim", "threads""
 * ```
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`));
}

/**
 * A list of non-empty strings, with at least `min` entries.
 *
 * @example
 * ```ts
 * const domains = stringList(); // [] ok; ['security'] ok; [''] fails at domains[0]
 * ```
 */
export function stringList(min = 0, max?: number) {
  const text = max !== undefined ? `a list of ${count(min)} to ${count(max)} strings` : min > 0 ? `a list of at least ${min} strings` : 'a list of strings';
  const list = z.array(nonEmptyString(), expecting(text)).min(min, expecting(text));
  return max === undefined ? list : list.max(max, expecting(text));
}

/**
 * A duration (see {@link DURATION_FORMS}) read as milliseconds, at most `maxMs` (24 h by
 * default). `positive` rules out zero, for durations where zero means nothing would happen (a
 * voting timeout, a run's length). Not a duration at all: the message lists the forms; a
 * duration out of range (NaN, `1e308`, `"999…9s"`, `25h`): the message gives the range.
 *
 * @example
 * ```ts
 * duration().parse('1.5s');              // 1500
 * duration({ positive: true }).parse(0); // fails: a duration greater than 0 and at most 24h
 * duration().parse('25h');               // fails: a duration from 0 to 24h (86,400,000 ms)
 * ```
 */
export function duration(options: { positive?: boolean; maxMs?: number } = {}) {
  const forms = options.positive ? DURATION_FORMS.replace('>= 0', '> 0') : DURATION_FORMS;
  return z.unknown().transform((value, ctx): number => {
    const issue = durationIssue(value, options);
    if (issue !== undefined) {
      ctx.addIssue({ code: 'custom', message: issue === 'form' ? forms : durationRange(options), input: value });
      return z.NEVER;
    }
    return tryParseDuration(value)!;
  });
}

/**
 * A mapping with the given keys and no others: an unknown key is an error at that key, with a
 * "did you mean" when it is close to a known one. Unlike `z.strictObject`, the check runs even when
 * a field also failed, and is reported per key, so a misspelt required key explains the "missing"
 * error it causes.
 *
 * @example
 * ```ts
 * const group = strictMapping({ role: nonEmptyString(), count: integer(1).default(1) }, 'an agent group { role, count, ... }');
 * group.safeParse({ role: 'coder', cuont: 2 }); // issue at ['cuont']: did you mean "count"?
 * ```
 */
export function strictMapping<S extends z.ZodRawShape>(shape: S, what: string) {
  return keyChecked(shape, what, 'all');
}

/**
 * A mapping with the given keys typed and other keys kept as they are, except keys so close to a
 * known one that they are surely typos. For sections that legitimately hold more than we know
 * about, such as the rest of a user's existing configuration file.
 *
 * @example
 * ```ts
 * const section = lenientMapping({ voting_timeout: duration().optional() }, 'the consensus section');
 * section.safeParse({ memory: {} });          // ok, kept
 * section.safeParse({ voting_timout: 60 });   // issue: did you mean "voting_timeout"?
 * ```
 */
export function lenientMapping<S extends z.ZodRawShape>(shape: S, what: string) {
  return keyChecked(shape, what, 'typos');
}

function keyChecked<S extends z.ZodRawShape>(shape: S, what: string, reject: 'all' | 'typos') {
  const known = Object.keys(shape);
  const list = known.map((k) => JSON.stringify(k)).join(', ');
  return z.looseObject(shape, expecting(what)).superRefine(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape, key)) continue;
        const guess = didYouMean(key, known);
        if (reject === 'typos' && guess === undefined) continue;
        const params: IssueParams = {
          unknownKey: key,
          gotText: `the unknown key ${clip(JSON.stringify(key))}`,
          hint: guess ? `Did you mean "${guess}"?` : undefined,
        };
        ctx.addIssue({ code: 'custom', path: [key], message: `one of the keys ${list}`, input: (value as Record<string, unknown>)[key], params });
      }
    },
    // Run even when a field failed: the unknown key is usually why a required one is "missing".
    { when: () => true },
  );
}

/**
 * An expert's weight and the domains it applies to.
 *
 * @example
 * ```ts
 * expertise().parse({ weight: 3, domains: ['security'] });
 * ```
 */
export function expertise() {
  return strictMapping({ weight: positiveNumber(), domains: stringList() }, 'an expertise mapping { weight, domains }');
}

/**
 * Role (or agent id) -> voting weight.
 *
 * @example
 * ```ts
 * agentWeights().parse({ researcher: 1.5, tester: 2 });
 * ```
 */
export function agentWeights() {
  return z.record(z.string(), positiveNumber(), expecting('a mapping of role -> weight, e.g. { researcher: 1.5 }'));
}

/**
 * Role (or agent id) -> expertise.
 *
 * @example
 * ```ts
 * agentExpertise().parse({ security_expert: { weight: 3, domains: ['security'] } });
 * ```
 */
export function agentExpertise() {
  return z.record(z.string(), expertise(), expecting('a mapping of role -> { weight, domains }'));
}
