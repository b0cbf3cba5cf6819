import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPolicy, guardPolicy, loadPolicyModule, policyNames, registerPolicy } from '../src/protocols/voting/policy-module.ts';
import type { Policy, Proposal, Vote } from '../src/protocols/voting/types.ts';
import { refusal, refusalOf } from './fixtures/refusal.ts';

/**
 * Custom policies (`policy-module.ts`): where a module may be, which export is taken and in what
 * order, the name a loaded policy gets, every error's path and exact message, the guard's
 * verdict on each kind of bad outcome (and what it lets through unchanged), and the registry.
 * Found by mutation testing (test/MUTATION.md); test/voting-example-policies.test.ts covers the
 * examples. Modules are written as `.mjs` files into a temporary directory.
 */
const WHAT =
  'a module exporting an evaluate function, e.g. `export function evaluate(proposal, votes) { ... }` ' +
  '(or a default/`policy` export { name, evaluate }), at an absolute path or file: URL';
const P: Proposal = { id: 'p', question: '?', options: ['A', 'B'] };
const V: Vote[] = [{ agent: 'a', role: 'agent', decision: 'A', reason: '', confidence: 1 }];
/** How a ConfigError shows a text it got (shortened past 60 characters). */
const shown = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
const OK = 'export const evaluate = () => ({ consensus: true, decision: "A", strength: 1 });\n';

let dir: string;
const write = (file: string, source: string): string => {
  const path = join(dir, file);
  writeFileSync(path, source);
  return path;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conclave-mut-policy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('where a module may be', () => {
  it('an absolute path and a file: URL load; the name is the file’s without its last extension', async () => {
    const path = write('my.policy.mjs', OK);
    expect((await loadPolicyModule({ module: path })).name).toBe('my.policy');
    expect((await loadPolicyModule({ module: pathToFileURL(path).href })).name).toBe('my.policy');
  });

  it('a relative path, a URL of another scheme, a non-string or no ref at all is refused with what to export', async () => {
    for (const module of ['policies/x.mjs', 'https://example.com/x.mjs', 'x:file:/a.mjs']) {
      expect(await refusalOf(loadPolicyModule({ module }))).toEqual({
        path: 'consensus.policy.module',
        message: `Invalid configuration at "consensus.policy.module": expected ${WHAT}, got ${JSON.stringify(module)}.`,
      });
    }
    expect(await refusalOf(loadPolicyModule({ module: 42 } as never, 'consensus.stages[1]'))).toEqual({
      path: 'consensus.stages[1].module',
      message: `Invalid configuration at "consensus.stages[1].module": expected ${WHAT}, got number 42.`,
    });
    expect((await refusalOf(loadPolicyModule(undefined as never))).path).toBe('consensus.policy.module');
  });

  it('a module that fails to import is refused with the failure', async () => {
    const path = write('throws.mjs', 'throw new Error("kaput");\n');
    expect(await refusalOf(loadPolicyModule({ module: path }))).toEqual({
      path: 'consensus.policy.module',
      message: `Invalid configuration at "consensus.policy.module": expected ${WHAT}; importing it failed (kaput), got ${shown(path)}.`,
    });
  });

  it('what a module throws that is no Error is told as text, null included', async () => {
    const plain = await refusalOf(loadPolicyModule({ module: write('throws-text.mjs', 'throw "plain words";\n') }));
    expect(plain.message).toContain('; importing it failed (plain words), got ');
    const nothing = await refusalOf(loadPolicyModule({ module: write('throws-null.mjs', 'throw null;\n') }));
    expect(nothing.message).toContain('; importing it failed (null), got ');
  });
});

describe('which export is taken', () => {
  it('evaluate before default before policy', async () => {
    const path = write(
      'three.mjs',
      [
        'export const evaluate = () => ({ consensus: true, decision: "E", strength: 1 });',
        'export default { name: "dflt", evaluate: () => ({ consensus: true, decision: "D", strength: 1 }) };',
        'export const policy = { name: "pol", evaluate: () => ({ consensus: true, decision: "P", strength: 1 }) };',
      ].join('\n'),
    );
    expect((await loadPolicyModule({ module: path })).evaluate(P, V).decision).toBe('E');
    const two = write(
      'two.mjs',
      [
        'export const evaluate = 7;',
        'export default { name: "dflt", evaluate: () => ({ consensus: true, decision: "D", strength: 1 }) };',
        'export const policy = { name: "pol", evaluate: () => ({ consensus: true, decision: "P", strength: 1 }) };',
      ].join('\n'),
    );
    const d = await loadPolicyModule({ module: two });
    expect([d.name, d.evaluate(P, V).decision]).toEqual(['dflt', 'D']);
    const one = write(
      'one.mjs',
      [
        'export const evaluate = null;',
        'export default { evaluate: "no" };',
        'export const policy = (p, votes) => ({ consensus: true, decision: "P", strength: 1 });',
      ].join('\n'),
    );
    const p = await loadPolicyModule({ module: one });
    expect([p.name, p.evaluate(P, V).decision]).toEqual(['one', 'P']);
  });

  it('the export named, and only it', async () => {
    const path = write('named.mjs', [OK, 'export function judge() { return { consensus: false, strength: 0.25 }; }', 'export const broken = 42;'].join('\n'));
    const judge = await loadPolicyModule({ module: path, export: 'judge' });
    expect([judge.name, judge.evaluate(P, V)]).toEqual(['named', { consensus: false, strength: 0.25 }]);
    expect(await refusalOf(loadPolicyModule({ module: path, export: 'broken' }))).toEqual({
      path: 'consensus.policy.export',
      message: `Invalid configuration at "consensus.policy.export": expected ${WHAT} (exports found: broken, evaluate, judge), got number 42.`,
    });
    expect(await refusalOf(loadPolicyModule({ module: path, export: 'missing' }, 'x'))).toEqual({
      path: 'x.export',
      message: `Invalid configuration at "x.export": expected ${WHAT} (exports found: broken, evaluate, judge), got undefined.`,
    });
  });

  it('a module with no evaluate anywhere is refused at the path itself, naming its exports (or none)', async () => {
    const path = write('nothing.mjs', 'export const zeta = 1; export const alpha = { evaluate: 3 };\n');
    const r = await refusalOf(loadPolicyModule({ module: path }, 'consensus.stages[0]'));
    expect(r).toEqual({
      path: 'consensus.stages[0]',
      message: `Invalid configuration at "consensus.stages[0]": expected ${WHAT} (exports found: alpha, zeta), got ${shown(path)}.`,
    });
    const empty = write('empty.mjs', '\n');
    expect((await refusalOf(loadPolicyModule({ module: empty }))).message).toContain('(exports found: none)');
  });
});

describe('the name a loaded policy gets', () => {
  it('ref.name, else the policy object’s, else the module’s name export, else the file’s', async () => {
    const obj = write('obj.mjs', 'export const name = "modname"; export default { name: "objname", evaluate: () => ({ consensus: false, strength: 0 }) };\n');
    expect((await loadPolicyModule({ module: obj, name: 'given' })).name).toBe('given');
    expect((await loadPolicyModule({ module: obj })).name).toBe('objname');
    const fn = write('fn.mjs', `export const name = "modname";\n${OK}`);
    expect((await loadPolicyModule({ module: fn })).name).toBe('modname');
    const odd = write('odd.mjs', 'export const name = 5; export default { name: 6, evaluate: () => ({ consensus: false, strength: 0 }) };\n');
    expect((await loadPolicyModule({ module: odd })).name).toBe('odd');
  });

  it('an object’s evaluate is called on the object (`this`)', async () => {
    const path = write(
      'self.mjs',
      'export default { pick: "B", evaluate(p, votes) { return { consensus: true, decision: this.pick, strength: votes.length }; } };\n',
    );
    expect((await loadPolicyModule({ module: path })).evaluate(P, V)).toEqual({ consensus: true, decision: 'B', strength: 1 });
  });
});

describe('guardPolicy', () => {
  const guarded = (evaluate: () => unknown) => guardPolicy({ name: 'g', evaluate } as Policy);
  const reason = (evaluate: () => unknown) => {
    const out = guarded(evaluate).evaluate(P, V);
    expect(out.consensus).toBe(false);
    expect(out.strength).toBe(0);
    expect(Object.keys(out)).toEqual(['consensus', 'strength', 'reason']);
    return out.reason;
  };

  it('keeps the name and hands a good outcome through as it is', () => {
    const good = { consensus: true, decision: 'A', strength: 1, extra: 'x' };
    const g = guarded(() => good);
    expect(g.name).toBe('g');
    expect(g.evaluate(P, V)).toBe(good);
    const edges = [
      { consensus: false, strength: 0 },
      { consensus: true, strength: 1, decision: undefined },
      // biome-ignore lint/suspicious/noThenProperty: a `then` that is no function makes no Promise, and the guard lets it through
      { consensus: true, strength: 0.5, then: 'not a function' },
    ];
    for (const o of edges) expect(guarded(() => o).evaluate(P, V)).toBe(o);
  });

  it('calls evaluate on the policy with the proposal and votes', () => {
    const policy = {
      name: 'me',
      k: 0.75,
      evaluate(this: { k: number }, p: Proposal, votes: readonly Vote[]) {
        return { consensus: true, decision: `${p.id}:${votes.length}`, strength: this.k };
      },
    };
    expect(guardPolicy(policy as Policy).evaluate(P, V)).toEqual({ consensus: true, decision: 'p:1', strength: 0.75 });
  });

  it('a throw is a no-consensus outcome with the message, or the thing thrown as text', () => {
    expect(
      reason(() => {
        throw new Error('oops');
      }),
    ).toBe('policy error: oops');
    expect(
      reason(() => {
        throw 'bare';
      }),
    ).toBe('policy error: bare');
    expect(
      reason(() => {
        throw { message: 'not an Error' };
      }),
    ).toBe('policy error: [object Object]');
  });

  it('says what is wrong with an outcome of the wrong shape', () => {
    expect(reason(() => undefined)).toBe('policy error: evaluate returned undefined, expected { consensus, strength }');
    expect(reason(() => null)).toBe('policy error: evaluate returned null, expected { consensus, strength }');
    expect(reason(() => 'yes')).toBe('policy error: evaluate returned string, expected { consensus, strength }');
    expect(reason(() => Promise.resolve({ consensus: true, strength: 1 }))).toBe('policy error: evaluate returned a Promise; it must be synchronous');
    expect(reason(() => ({ consensus: 'yes', strength: 1 }))).toBe('policy error: consensus must be a boolean, got string');
    expect(reason(() => ({ strength: 1 }))).toBe('policy error: consensus must be a boolean, got undefined');
    expect(reason(() => ({ consensus: true, strength: '1' }))).toBe('policy error: strength must be a number in [0, 1], got 1');
    expect(reason(() => ({ consensus: true }))).toBe('policy error: strength must be a number in [0, 1], got undefined');
    expect(reason(() => ({ consensus: true, strength: Number.NaN }))).toBe('policy error: strength must be a number in [0, 1], got NaN');
    expect(reason(() => ({ consensus: true, strength: -0.01 }))).toBe('policy error: strength must be a number in [0, 1], got -0.01');
    expect(reason(() => ({ consensus: true, strength: 1.01 }))).toBe('policy error: strength must be a number in [0, 1], got 1.01');
    expect(reason(() => ({ consensus: true, strength: 1, decision: 3 }))).toBe('policy error: decision must be a string, got number');
    expect(reason(() => ({ consensus: true, strength: 1, decision: null }))).toBe('policy error: decision must be a string, got object');
  });
});

describe('the registry', () => {
  it('refuses a name that is not a non-empty string, and a policy with no evaluate', () => {
    const good = { name: 'x', evaluate: () => ({ consensus: true, strength: 1 }) };
    expect(refusal(() => registerPolicy('', good))).toEqual({
      path: 'registerPolicy.name',
      message: 'Invalid configuration at "registerPolicy.name": expected a non-empty string, got "".',
    });
    expect(refusal(() => registerPolicy(7 as never, good)).message).toBe(
      'Invalid configuration at "registerPolicy.name": expected a non-empty string, got number 7.',
    );
    expect(refusal(() => registerPolicy('mut_pm_bad', { name: 'x', evaluate: 1 } as never))).toEqual({
      path: 'registerPolicy("mut_pm_bad")',
      message:
        'Invalid configuration at "registerPolicy("mut_pm_bad")": expected a policy { name, evaluate(proposal, votes) }, got an object with keys [name, evaluate].',
    });
    expect(refusal(() => registerPolicy('mut_pm_bad', undefined as never)).message).toBe(
      'Invalid configuration at "registerPolicy("mut_pm_bad")": expected a policy { name, evaluate(proposal, votes) }, got undefined.',
    );
    expect(getPolicy('mut_pm_bad')).toBeUndefined();
  });

  it('keeps a policy guarded under the name given, called on itself; a second registration replaces the first', () => {
    registerPolicy('mut_pm_zeta', {
      name: 'other',
      evaluate: () => {
        throw new Error('no');
      },
    });
    const z = getPolicy('mut_pm_zeta')!;
    expect(z.name).toBe('mut_pm_zeta');
    expect(z.evaluate(P, V)).toEqual({ consensus: false, strength: 0, reason: 'policy error: no' });
    const self = {
      name: 'other',
      d: 'B',
      evaluate(this: { d: string }) {
        return { consensus: true, decision: this.d, strength: 1 };
      },
    };
    registerPolicy('mut_pm_zeta', self as Policy);
    expect(getPolicy('mut_pm_zeta')!.evaluate(P, V)).toEqual({ consensus: true, decision: 'B', strength: 1 });
    registerPolicy('mut_pm_alpha', self as Policy);
    const mine = policyNames().filter((n) => n.startsWith('mut_pm_'));
    expect(mine).toEqual(['mut_pm_alpha', 'mut_pm_zeta']);
    expect(getPolicy('mut_pm_none')).toBeUndefined();
  });
});
