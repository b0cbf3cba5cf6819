import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering DESIGN.md asks for, read from the source: library code never imports the CLI, the
 * folders under src/ import each other without a cycle (a folder and its subfolder count as two
 * folders: `src/scheduler` and `src/scheduler/threads`; a file directly in src/ counts as a folder
 * of its own), and so do the files.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * The file cycles src/ had when this test was written (issue 14), each as the set of files that
 * import each other round (a strongly connected component), to be broken by their owners: the
 * test fails on any other cycle, on a file joining one of these, and when one of these is gone
 * (then delete it here, so it cannot come back).
 * - actor-cell.ts imports the type ActorHost from actor-host.ts, which builds ActorCells;
 * - the Raft and PBFT role modules call each other's handlers (elections <-> replication, ...);
 * - analyze: property-picks.ts and recommended-settings.ts import the type OptimizeTarget from recommend.ts, which imports them.
 */
const KNOWN_FILE_CYCLES: readonly (readonly string[])[] = [
  ['src/actors/actor-cell.ts', 'src/actors/actor-host.ts'],
  ['src/analyze/property-picks.ts', 'src/analyze/recommend.ts', 'src/analyze/recommended-settings.ts'],
  ['src/protocols/pbft/checkpoints.ts', 'src/protocols/pbft/detection.ts', 'src/protocols/pbft/normal-case.ts', 'src/protocols/pbft/view-change.ts'],
  [
    'src/protocols/raft/clients.ts',
    'src/protocols/raft/elections.ts',
    'src/protocols/raft/membership.ts',
    'src/protocols/raft/reads.ts',
    'src/protocols/raft/replication.ts',
    'src/protocols/raft/transfer.ts',
  ],
];

/** Every .ts file under src/, as a path relative to the repository root (`src/a/b.ts`). */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/**
 * The relative module specifiers a file imports: `import ... from`, `import type ... from`,
 * `export ... from`, a bare `import '...'`, and `import('...')` with a literal. Comments are
 * dropped first, so an `@example` that shows an import is not one.
 */
function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, // import x from, import { a } from, import type, export { a } from, export * from
    /\bimport\s*['"]([^'"]+)['"]/g, // import './side-effect.ts'
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('./lazy.ts')
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]);
  return found.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

/** File → file edges between files under src/ (paths relative to the repository root). */
function fileEdges(): Edge[] {
  return sourceFiles().flatMap((from) => {
    const source = readFileSync(join(ROOT, from), 'utf8');
    return relativeImports(source).map((spec) => ({ from, to: relative(ROOT, resolve(ROOT, dirname(from), spec)) }));
  });
}

/**
 * A cycle in a directed graph, as the list of its nodes with the first repeated at the end, or
 * undefined when there is none (depth-first search; nodes in sorted order so the answer is stable).
 */
function findCycle(edges: readonly Edge[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) if (from !== to) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const to of [...new Set(next.get(node) ?? [])].sort()) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...next.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** A cycle, one step a line; for a folder cycle, each step with the imports that make it. */
function explain(cycle: readonly string[], edges: readonly Edge[], folderOf?: (file: string) => string): string {
  const steps = cycle.slice(1).map((to, i) => {
    const from = cycle[i];
    if (folderOf === undefined) return `  ${from} imports ${to}`;
    const why = [...new Set(edges.filter((e) => folderOf(e.from) === from && folderOf(e.to) === to).map((e) => `${e.from} imports ${e.to}`))];
    return `  ${from} -> ${to}: ${why.join(', ')}`;
  });
  return `import cycle:\n${steps.join('\n')}`;
}

/** The strongly connected components of more than one node (Tarjan), each sorted, sorted by first node. */
function cycleGroups(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    if (!next.has(to)) next.set(to, new Set());
    if (from !== to) next.get(from)!.add(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return groups.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('layering: which way the imports go', () => {
  const edges = fileEdges();

  it('reads the imports of every kind (and only relative ones, outside comments)', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/b.ts';",
      "import {\n  c,\n  d,\n} from './c.ts';",
      "export { e } from './e.ts';",
      "export * from './f.ts';",
      "export type { G } from './g.ts';",
      "import './side-effect.ts';",
      "const lazy = await import('./lazy.ts');",
      "import { readFileSync } from 'node:fs';",
      '/** @example\n * ```ts\n * import { x } from "./in-a-comment.ts";\n * ```\n */',
      "// import { y } from './commented-out.ts';",
      "const url = 'http://example.com'; import { h } from './h.ts';",
    ].join('\n');
    expect(relativeImports(source).sort()).toEqual(
      ['../b/b.ts', './a.ts', './c.ts', './e.ts', './f.ts', './g.ts', './h.ts', './lazy.ts', './side-effect.ts'].sort(),
    );
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.every((e) => e.to.startsWith('src/') && e.to.endsWith('.ts'))).toBe(true);
  });

  it('finds a cycle when there is one, and prints it', () => {
    expect(
      findCycle([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle([
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'c' },
      ]),
    ).toBeUndefined();
  });

  it('library code never imports src/cli/', () => {
    const offending = edges.filter((e) => !e.from.startsWith('src/cli/') && e.to.startsWith('src/cli/')).map((e) => `${e.from} imports ${e.to}`);
    expect(offending).toEqual([]);
  });

  it('the folders under src/ import each other without a cycle', () => {
    // A file directly in src/ is a node of its own: src/index.ts (the barrel, above everything)
    // and src/errors.ts (below everything) are not one layer.
    const folderOf = (file: string) => (dirname(file) === 'src' ? file : dirname(file));
    const folderEdges = edges.map((e) => ({ from: folderOf(e.from), to: folderOf(e.to) }));
    const cycle = findCycle(folderEdges);
    expect(cycle && explain(cycle, edges, folderOf)).toBeUndefined();
  });

  it('the files under src/ import each other without a cycle (the known ones pinned)', () => {
    const inScope = edges;
    const key = (group: readonly string[]) => [...group].sort().join(' ');
    const known = new Set(KNOWN_FILE_CYCLES.map(key));
    const groups = cycleGroups(inScope);
    const fresh = groups
      .filter((g) => !known.has(key(g)))
      .map((g) => explain(findCycle(inScope.filter((e) => g.includes(e.from) && g.includes(e.to)))!, inScope));
    expect(fresh.join('\n')).toBe('');
    const gone = [...known].filter((k) => !groups.some((g) => key(g) === k));
    expect(gone, 'these cycles are broken: delete them from KNOWN_FILE_CYCLES').toEqual([]);
  });

  it('finds each cycle group (and nothing else) in a graph', () => {
    const g = cycleGroups([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'd' },
      { from: 'd', to: 'e' },
      { from: 'e', to: 'c' },
      { from: 'f', to: 'f' },
    ]);
    expect(g).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });
});
