/**
 * YAML text with its node positions kept, so that an error found later in the plain parsed value
 * (a zod issue with a path such as `['agents', 1, 'count']`) can point at the line and column it
 * came from. Shared by scenario files and legacy configuration files.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAlias, isCollection, isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ScenarioError } from '../errors.ts';
import { clip } from './bounded-text.ts';
import { count, MAX_FILE_BYTES, MAX_NESTING } from './bounds.ts';
import type { IssueParams } from './fields.ts';
import { flowDepth, tooDeep } from './nesting.ts';
import { firstNonFinite } from './finite-numbers.ts';

/**
 * A parsed YAML file: its plain value, plus what is needed to find where a value was written.
 *
 * @example
 * ```ts
 * const src = parseYamlSource('name: x\n', 'a.yml', 'a scenario');
 * src.value; // { name: 'x' }
 * ```
 */
export interface YamlSource {
  /** The file name errors show (as the user gave it), if any. */
  readonly file: string | undefined;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain JavaScript data (aliases and merge keys expanded). */
  readonly value: unknown;
}

/**
 * Which kind of file is being read, for messages: `'scenario'` or `'configuration'`.
 *
 * @example
 * ```ts
 * const kind: SourceKind = 'configuration';
 * ```
 */
export type SourceKind = 'scenario' | 'configuration' | 'workflow';

const WHAT: Readonly<Record<SourceKind, string>> = {
  scenario: 'a scenario: a YAML mapping with at least name, agents and task',
  configuration: 'a configuration: a YAML mapping with consensus, agent_weights and/or agent_expertise',
  workflow: 'a workflow: a JSON or YAML mapping with stages',
};

const HOW_TO_PASS: Readonly<Record<SourceKind, string>> = {
  scenario:
    'Pass the path of a scenario YAML file (e.g. `conclave run examples/db-choice.yml`; examples/ has one for each protocol), or only `--config FILE` to run the built-in db-choice scenario with your configuration.',
  configuration: 'Pass `--config` the path of your consensus configuration YAML file.',
  workflow: "Give `workflow:` the path of a JSON or YAML file holding { stages: [...] }, relative to the scenario's folder.",
};

/**
 * Parses YAML text, or throws a ScenarioError at the first syntax error (with its line), for an
 * empty document, for more than one document, and for nesting deeper than {@link MAX_NESTING}
 * levels (named as such, not as the parser's stack overflow).
 *
 * @example
 * ```ts
 * parseYamlSource('a: [1, 2\n', 'bad.yml', 'scenario'); // throws: bad.yml:2:1: expected valid YAML, got ...
 * parseYamlSource('a: 1\n---\na: 2\n', 'two.yml', 'scenario'); // throws: ... the file holds 2 YAML documents; a scenario is one document
 * ```
 */
export function parseYamlSource(text: string, file: string | undefined, kind: SourceKind): YamlSource {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // merge: `<<: *defaults` is a common way to share settings between agent groups.
    doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true });
  } catch (cause) {
    if (isStackOverflow(cause)) throw nestingError(file, text, cause);
    throw cause;
  }
  const syntax = doc.errors[0];
  if (syntax) {
    // The parser catches its own stack overflow and reports it as a syntax error: name the cause.
    if (isStackOverflow(syntax) || /Maximum call stack size exceeded/.test(syntax.message)) throw nestingError(file, text, syntax);
    if (syntax.code === 'MULTIPLE_DOCS') throw documentsError(file, text, syntax, kind);
    const pos = syntax.linePos?.[0];
    // The message repeats the position and quotes the source; the first clause is the reason.
    const reason = clip(syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), 300);
    throw new ScenarioError(file, pos?.line, pos?.col, '', 'valid YAML', undefined, { gotText: `a syntax error: ${reason}`, cause: syntax });
  }
  if (doc.contents === null) {
    throw new ScenarioError(file, undefined, undefined, '', WHAT[kind], undefined, { gotText: text.trim() === '' ? 'an empty file' : 'only comments' });
  }
  // `{ a: 1 }: x` or `? [a, b]`: JavaScript keys are strings, so yaml would flatten the key to
  // text (with a warning on stderr) and the scenario would not say what it means.
  const collection = firstKey(doc, collectionKey);
  if (collection) {
    const pos = collection.range ? lineCounter.linePos(collection.range[0]) : undefined;
    const shown = isAlias(collection) ? collection.resolve(doc) : collection;
    const what = isMap(shown) ? 'a mapping' : isSeq(shown) ? 'a list' : 'a tagged value (such as !!binary)';
    throw new ScenarioError(file, pos?.line, pos?.col, '', 'a plain key (a name or a number)', undefined, { gotText: `${what} used as a key` });
  }
  // yaml keeps `__proto__:` as an own key, but every reader after it (the schema's objects, the
  // spreads that build settings) treats that name as the prototype: the entry would be dropped
  // without a word, or worse. No setting is named so: refuse it where it is written.
  const proto = firstKey(doc, protoKey);
  if (proto) {
    const pos = proto.range ? lineCounter.linePos(proto.range[0]) : undefined;
    throw new ScenarioError(file, pos?.line, pos?.col, '', 'a key other than __proto__ (no setting is named so)', undefined, {
      gotText: 'the key __proto__',
      hint: 'Rename or remove the entry.',
    });
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (cause) {
    if (isStackOverflow(cause)) throw nestingError(file, text, cause);
    // e.g. an alias bomb: yaml refuses to expand too many aliases.
    throw new ScenarioError(file, undefined, undefined, '', 'YAML that expands to plain data', undefined, {
      gotText: clip(cause instanceof Error ? cause.message : String(cause), 300),
      cause,
    });
  }
  const source = { file, doc, lineCounter, value };
  // Block nesting parses without trouble, but workers (structured clone) and traces (JSON) would
  // recurse through it later: refuse it here, at the first entry too deep.
  const deep = tooDeep(value);
  if (deep) {
    const pos = locate(source, deep.path, false);
    throw new ScenarioError(file, pos?.line, pos?.col, formatPath(deep.path), `YAML nested at most ${MAX_NESTING} levels deep`, undefined, {
      gotText: `YAML nested ${count(deep.depth)} levels deep`,
      hint: 'A scenario needs only a few levels: flatten the value.',
    });
  }
  return source;
}

/**
 * Throws a ScenarioError at the first `.nan` or `.inf` left in `value` (the raw document). Run
 * after the schema, whose own messages give each field's range; this catches the rest (keys only
 * a custom policy reads).
 *
 * @example
 * ```ts
 * refuseNonFinite(source, source.value); // throws at "consensus.my_param": expected a finite number
 * ```
 */
export function refuseNonFinite(source: YamlSource, value: unknown): void {
  const infinite = firstNonFinite(value);
  if (!infinite) return;
  const pos = locate(source, infinite.path, false);
  throw new ScenarioError(source.file, pos?.line, pos?.col, clip(formatPath(infinite.path)), 'a finite number (.nan and .inf mean no setting)', infinite.value);
}

/**
 * The first key in the document (iterative: nesting is checked later) that `bad` picks, its
 * alias resolved: the node to point at, as written.
 */
function firstKey(doc: Document.Parsed, bad: (key: unknown) => boolean): Node | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (bad(isAlias(pair.key) ? pair.key.resolve(doc) : pair.key)) return isNode(pair.key) ? pair.key : undefined;
        stack.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return undefined;
}

/** A key that is not plain text or a number: a mapping, a list, or a tagged value such as `!!binary`. */
const collectionKey = (key: unknown): boolean => isCollection(key) || (isScalar(key) && typeof key.value === 'object' && key.value !== null);

/** `__proto__:`, which every reader after yaml takes for the prototype. */
const protoKey = (key: unknown): boolean => isScalar(key) && key.value === '__proto__';

/** V8's "Maximum call stack size exceeded" is a RangeError; nothing else in parsing is. */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** The parser's stack overflow, named for what it is, at the deepest bracket. */
function nestingError(file: string | undefined, text: string, cause: unknown): ScenarioError {
  const { depth, offset } = flowDepth(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  const got = depth > MAX_NESTING ? `YAML nested ${count(depth)} levels deep` : 'YAML nested too deeply for the parser';
  return new ScenarioError(file, depth > 0 ? line : undefined, depth > 0 ? col : undefined, '', `YAML nested at most ${MAX_NESTING} levels deep`, undefined, {
    gotText: got,
    hint: 'A scenario needs only a few levels: flatten the value.',
    cause,
  });
}

/** More than one `---` document: say how many, and that a scenario is one. */
function documentsError(file: string | undefined, text: string, syntax: { linePos?: { line: number; col: number }[] }, kind: SourceKind): ScenarioError {
  let n: number | undefined;
  try {
    n = parseAllDocuments(text).length;
  } catch {
    n = undefined;
  }
  const pos = syntax.linePos?.[0];
  const holds = n === undefined ? 'several YAML documents' : `${count(n)} YAML documents`;
  return new ScenarioError(file, pos?.line, pos?.col, '', 'one YAML document', undefined, {
    gotText: `${n === undefined ? 'more than one' : count(n)}: the file holds ${holds}; a ${kind} is one document`,
    hint: `Remove the "---" separators (or keep one ${kind} per file).`,
    cause: syntax,
  });
}

/**
 * Reads a file for {@link parseYamlSource}; a missing or unreadable file is a ScenarioError that
 * says what to pass instead.
 *
 * @example
 * ```ts
 * const text = await readSourceFile('scenarios/db-choice.yml', 'scenario');
 * ```
 */
export async function readSourceFile(file: string, kind: SourceKind): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (cause) {
    throw readError(file, kind, cause);
  }
  refuseHugeFile(file, kind, size);
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw readError(file, kind, cause);
  }
}

/**
 * {@link readSourceFile}, synchronously, for the synchronous `parseScenario`.
 *
 * @example
 * ```ts
 * const text = readSourceFileSync('my-config.yml', 'configuration');
 * ```
 */
export function readSourceFileSync(file: string, kind: SourceKind): string {
  try {
    refuseHugeFile(file, kind, statSync(file).size);
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw cause instanceof ScenarioError ? cause : readError(file, kind, cause);
  }
}

/** Checked before reading: the YAML parser holds several copies of a file's text and nodes in memory. */
function refuseHugeFile(file: string, kind: SourceKind, size: number): void {
  if (size <= MAX_FILE_BYTES) return;
  throw new ScenarioError(file, undefined, undefined, '', `a ${kind} file of at most ${count(MAX_FILE_BYTES)} bytes (1 MB)`, undefined, {
    gotText: `${count(size)} bytes`,
  });
}

function readError(file: string, kind: SourceKind, cause: unknown): ScenarioError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const gotText =
    code === 'ENOENT'
      ? `no file at ${resolve(file)} (not found)`
      : code === 'EISDIR'
        ? 'a directory'
        : `a file that cannot be read (${cause instanceof Error ? cause.message : String(cause)})`;
  return new ScenarioError(file, undefined, undefined, '', `an existing ${kind} file`, undefined, { gotText, hint: HOW_TO_PASS[kind], cause });
}

/**
 * Turns validation issues into the ScenarioError to report: unknown keys first (a misspelt key
 * also makes a required key look missing, and the misspelling is the real problem), then the
 * issue written earliest in the file.
 *
 * @example
 * ```ts
 * const r = schema.safeParse(src.value);
 * if (!r.success) throw firstIssueError(src, r.error.issues, src.value);
 * ```
 */
export function firstIssueError(source: YamlSource, issues: readonly z.core.$ZodIssue[], value: unknown): ScenarioError {
  const ranked = issues.map((issue, order) => {
    const params = (issue.code === 'custom' ? (issue.params ?? {}) : {}) as IssueParams;
    const pos = locate(source, issue.path, params.unknownKey !== undefined);
    return { issue, params, pos, order, rank: params.unknownKey !== undefined ? 0 : 1 };
  });
  ranked.sort((a, b) => a.rank - b.rank || (a.pos?.line ?? Infinity) - (b.pos?.line ?? Infinity) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0) || a.order - b.order);
  const { issue, params, pos } = ranked[0];
  const got = valueAt(value, issue.path);
  const gotText = params.gotText ?? (got.found ? undefined : 'no value (the key is missing)');
  // Every part is clipped: a key or list can be any length, the message must stay readable.
  return new ScenarioError(source.file, pos?.line, pos?.col, clip(formatPath(issue.path)), clip(expectedText(issue), 600), got.value, {
    hint: params.hint === undefined ? undefined : clip(params.hint, 300),
    gotText: gotText === undefined ? undefined : clip(gotText, 300),
  });
}

/**
 * A zod path as a user would write it: `agents[1].count`, `agent_weights["senior dev"]`.
 *
 * @example
 * ```ts
 * formatPath(['agents', 1, 'count']); // 'agents[1].count'
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * The 1-based line and column where `path` was written: the value (or, with `atKey`, the key
 * naming it). For a path that is not in the file (a missing key), the deepest enclosing entry
 * that is: where the missing key belongs.
 *
 * @example
 * ```ts
 * locate(src, ['agents', 1, 'count'], false); // { line: 7, col: 38 }
 * ```
 */
export function locate(source: YamlSource, path: readonly PropertyKey[], atKey: boolean): { line: number; col: number } | undefined {
  const { doc } = source;
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let value: Node | undefined = isNode(node) ? node : undefined;
  let complete = true;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let nextKey: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (pair) [nextKey, next] = [pair.key, pair.value];
      else complete = false;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      next = node.items[segment];
    } else {
      complete = false;
    }
    if (!complete) break;
    [key, value, node] = [isNode(nextKey) ? nextKey : undefined, isNode(next) && next.range ? next : undefined, next];
  }
  // Found: the value (a key with no value, `count:`, has only its key). Not found: the entry the
  // missing key belongs in, named by its own key (`task:`) where it has one.
  const target = complete ? (atKey ? (key ?? value) : (value ?? key)) : (key ?? value);
  const offset = target?.range?.[0];
  return offset === undefined ? undefined : source.lineCounter.linePos(offset);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur = value;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

/** Every schema sets its own "expected" text; the fallbacks only cover a zod default slipping through. */
function expectedText(issue: z.core.$ZodIssue): string {
  if (!/^[A-Z]/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `a value >= ${String(issue.minimum)}`;
    case 'too_big':
      return `a value <= ${String(issue.maximum)}`;
    default:
      return `a valid value (${issue.message})`;
  }
}
