import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { memoryExport, memoryForget, memoryImport, memoryList, memoryQuery, memoryShow } from '../src/cli/memory-command.ts';
import { registerMemoryCommand } from '../src/cli/memory-cli.ts';
import { ReasoningBank, readArms, readPattern } from '../src/reasoning-bank/index.ts';
import { openStore } from '../src/store/index.ts';

const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
/** The real command line (slow to start: used where exit codes and stderr are the point). */
const conclave = (...args: string[]) => spawnSync(process.execPath, [bin, 'memory', ...args], { encoding: 'utf8' });

/** One command in this process: its exit code and what it printed. */
function call(run: (out: (l: string) => void, err: (l: string) => void) => number): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = run(
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A store with two patterns: docs-api (star did well) and arch (mesh did well). */
function seeded(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'conclave-memory-')), 'conclave.db');
  const bank = ReasoningBank.open(file);
  const docs = { name: 'docs-api', features: { complexity: 0.2, novelty: 0.1 } };
  const arch = { name: 'arch', features: { complexity: 0.9, novelty: 0.8 } };
  for (let i = 0; i < 10; i++) {
    bank.record(
      docs,
      { arm: { topology: 'star' }, patternKey: 'reasoning-bank/pattern/docs-api', reason: 'seeded' },
      { success: i < 9, quality: 0.8, durationMs: 20_000, trajectory: [{ step: 'write', outcome: 'done' }] },
    );
    bank.record(
      arch,
      { arm: { topology: 'mesh' }, patternKey: 'reasoning-bank/pattern/arch', reason: 'seeded' },
      { success: i < 7, quality: 0.6, durationMs: 60_000 },
    );
  }
  bank.close();
  return file;
}

describe('conclave memory', () => {
  it('list, show and query read the patterns', () => {
    const store = seeded();
    const list = call((o) => memoryList({ store }, o));
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/reasoning-bank\/pattern\/arch\s+10\s+70%\s+60\.0 s\s+topology=mesh/);
    expect(list.stdout).toMatch(/reasoning-bank\/pattern\/docs-api\s+10\s+90%\s+20\.0 s\s+topology=star/);
    const show = call((o, e) => memoryShow('docs-api', { store, arms: 10, trajectories: 5 }, o, e));
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('features:  complexity=0.2, novelty=0.1');
    expect(show.stdout).toMatch(/topology=star\s+10 uses\s+90%/);
    expect(show.stdout).toContain('write: done');
    const near = call((o, e) => memoryQuery('complexity=0.85,novelty=0.9', { store, json: true, limit: 5 }, o, e));
    expect(near.status).toBe(0);
    expect((JSON.parse(near.stdout) as { key: string }[])[0]!.key).toBe('reasoning-bank/pattern/arch');
    const words = call((o, e) => memoryQuery('docs', { store, limit: 5 }, o, e));
    expect(words.stdout).toContain('reasoning-bank/pattern/docs-api');
    expect(words.stdout).not.toContain('pattern/arch');
  });

  it('export then import into another store merges the statistics (twice: the counts add up)', () => {
    const from = seeded();
    const out = join(mkdtempSync(join(tmpdir(), 'conclave-memory-')), 'patterns.json');
    expect(call((o, e) => memoryExport(out, { store: from }, o, e)).status).toBe(0);
    const to = seeded();
    const r = call((o) => memoryImport(out, { store: to }, o));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Imported 2 patterns');
    expect(r.stdout).toContain('0 new, 2 merged');
    const db = openStore(to, { readonly: true });
    const p = readPattern(db, 'reasoning-bank/pattern/docs-api')!;
    expect([p.uses, p.successes]).toEqual([20, 18]);
    expect(readArms(db, p.key, 1)[0]!.uses).toBe(20);
    db.close();
    const fresh = join(mkdtempSync(join(tmpdir(), 'conclave-memory-')), 'new.db');
    expect(call((o) => memoryImport(out, { store: fresh }, o)).stdout).toContain('2 new, 0 merged');
  });

  it('import refuses a malformed file whole, naming the bad field; nothing is imported', () => {
    const from = seeded();
    const good = JSON.parse(call((o, e) => memoryExport(undefined, { store: from }, o, e)).stdout);
    const dir = mkdtempSync(join(tmpdir(), 'conclave-memory-'));
    const to = join(dir, 'to.db');
    const cases: [string, (d: any) => void, RegExp][] = [
      [
        'format',
        (d) => {
          d.format = 'other';
        },
        /"format": must be "conclave-reasoning-bank"/,
      ],
      [
        'uses',
        (d) => {
          d.patterns[1].arms[0].uses = -1;
        },
        /"patterns\[1\]\.arms\[0\]\.uses": must be a finite number >= 0/,
      ],
      [
        'successes',
        (d) => {
          d.patterns[0].successes = 99;
        },
        /"patterns\[0\]\.successes": cannot exceed uses/,
      ],
      [
        'feature',
        (d) => {
          d.patterns[0].features.complexity = 2;
        },
        /"patterns\[0\]\.features\.complexity": must be a number in \[0, 1\]/,
      ],
      [
        'key',
        (d) => {
          d.patterns[0].key = 'x';
        },
        /"patterns\[0\]\.key": must be "reasoning-bank\/pattern\/arch"/,
      ],
    ];
    for (const [name, spoil, message] of cases) {
      const d = structuredClone(good);
      spoil(d);
      const f = join(dir, `${name}.json`);
      writeFileSync(f, JSON.stringify(d));
      expect(() => memoryImport(f, { store: to }, () => {}), name).toThrow(message);
    }
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect(() => memoryImport(join(dir, 'text.json'), { store: to }, () => {})).toThrow(/text\.json: is not JSON/);
    expect(call((o) => memoryList({ store: to }, o)).stdout).toContain('No patterns');
    // From the command line: exit 2, the field named, no stack trace.
    const r = conclave('import', join(dir, 'uses.json'), '--store', to);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/uses\.json: "patterns\[1\]\.arms\[0\]\.uses": must be a finite number >= 0 .*Nothing was imported/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('forget deletes a pattern; unknown keys, bad flags and bad queries exit 2; every subcommand has --help', () => {
    const store = seeded();
    expect(call((o, e) => memoryForget('reasoning-bank/pattern/arch', { store }, o, e)).stdout).toContain('Forgot reasoning-bank/pattern/arch');
    expect(call((o) => memoryList({ store }, o)).stdout).not.toContain('pattern/arch');
    const again = call((o, e) => memoryForget('arch', { store }, o, e));
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('no pattern reasoning-bank/pattern/arch');
    expect(call((o, e) => memoryShow('nope', { store, arms: 1, trajectories: 1 }, o, e)).status).toBe(2);
    const q = call((o, e) => memoryQuery('complexity=3', { store, limit: 5 }, o, e));
    expect(q.status).toBe(2);
    expect(q.stderr).toContain('feature "complexity" must be a number in [0, 1]');
    expect(conclave('list', '--frobnicate').status).toBe(2);
    expect(conclave('show', 'docs-api', '--arms', 'many', '--store', store).status).toBe(2);
    const program = new Command('conclave');
    registerMemoryCommand(program);
    const memory = program.commands.find((c) => c.name() === 'memory')!;
    expect(memory.commands.map((c) => c.name())).toEqual(['list', 'show', 'query', 'export', 'import', 'forget']);
    for (const sub of memory.commands) {
      let help = '';
      sub.configureOutput({
        writeOut: (t) => {
          help += t;
        },
      });
      sub.outputHelp();
      expect(help, sub.name()).toContain('Examples:');
      expect(help).toContain('--store <file>');
    }
    // A store not made yet holds no pattern: list and export say so, and nothing is created.
    const none = join(mkdtempSync(join(tmpdir(), 'conclave-memory-')), 'none.db');
    expect(JSON.parse(call((o, e) => memoryExport(undefined, { store: none }, o, e)).stdout).patterns).toEqual([]);
    expect(call((o) => memoryList({ store: none }, o)).stdout).toContain('No patterns');
    expect(existsSync(none)).toBe(false);
    expect(readFileSync(store).length).toBeGreaterThan(0);
  });
});
