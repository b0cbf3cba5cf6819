import { fileURLToPath, pathToFileURL } from 'node:url';
import { refusalOf } from './fixtures/refusal.ts';
import { describe, expect, it } from 'vitest';
import { asOversightAnswer, emptyOversightCounts, loadOversightModule } from '../src/protocols/voting/oversight.ts';
import { importUserModule } from '../src/user-module.ts';

/**
 * The oversight hook's module and answers, exactly (issue 20's mutation run of
 * src/protocols/voting/oversight.ts): which export is taken, each refusal with its path and
 * message, and how an answer is read.
 */

const hooks = fileURLToPath(new URL('./fixtures/oversight-hooks.ts', import.meta.url));
const defaults = fileURLToPath(new URL('./fixtures/oversight-defaults.ts', import.meta.url));
const WHAT =
  'a module exporting an oversight hook, e.g. `export function oversight(request) { return "approve"; }`, at a path relative to the scenario file (module: path#export)';

describe('asOversightAnswer and the counts', () => {
  it('approve only for "approve"; anything else rejects', () => {
    expect(asOversightAnswer('approve')).toBe('approve');
    for (const a of ['reject', 'yes', 'Approve', undefined, null, 1, { answer: 'approve' }]) expect(asOversightAnswer(a)).toBe('reject');
  });

  it('counts start at 0, a fresh object each time', () => {
    const a = emptyOversightCounts();
    expect(a).toStrictEqual({ requested: 0, approved: 0, rejected: 0, escalated: 0, timedOut: 0 });
    a.requested++;
    expect(emptyOversightCounts().requested).toBe(0);
  });
});

describe('loadOversightModule', () => {
  it('takes the named export, from a path or a file: URL', async () => {
    const named = await loadOversightModule({ module: hooks, export: 'approveStrong' });
    expect(named({ strength: 0.8 } as never)).toBe('approve');
    expect(named({ strength: 0.75 } as never)).toBe('reject');
    const byUrl = await loadOversightModule({ module: pathToFileURL(hooks).href, export: 'approveStrong' });
    expect(byUrl).toBe(named);
  });

  it('without an export: `oversight` first, else `default`, each only when it is a function', async () => {
    const first = await loadOversightModule({ module: hooks });
    expect(first({} as never)).toBe('reject');
    const fallback = await loadOversightModule({ module: defaults });
    expect(fallback({} as never)).toBe('approve');
  });

  it('refuses a relative path at oversight.module (or the path given)', async () => {
    expect(await refusalOf(loadOversightModule({ module: './oversight-hooks.ts' }))).toStrictEqual({
      path: 'oversight.module',
      message: `Invalid configuration at "oversight.module": expected ${WHAT}, got "./oversight-hooks.ts".`,
    });
    expect((await refusalOf(loadOversightModule({ module: 'hooks.ts' }, 'policies.gov'))).path).toBe('policies.gov.module');
  });

  it('refuses a module that does not import, saying why', async () => {
    const missing = '/nonexistent/conclave-oversight.ts';
    const r = await refusalOf(loadOversightModule({ module: missing }));
    expect(r.path).toBe('oversight.module');
    // The import's own message, not the error's name and message.
    const why = await importUserModule(pathToFileURL(missing).href).then(
      () => 'imported',
      (e: Error) => e.message,
    );
    expect(r.message.startsWith(`Invalid configuration at "oversight.module": expected ${WHAT}; importing it failed (${why})`)).toBe(true);
    expect(r.message.endsWith(`), got "${missing}".`)).toBe(true);
  });

  it('refuses an export that is not a function, at .export with the exports found (sorted); without one, at .module', async () => {
    expect(await refusalOf(loadOversightModule({ module: defaults, export: 'other' }))).toStrictEqual({
      path: 'oversight.export',
      message: `Invalid configuration at "oversight.export": expected ${WHAT} (exports found: default, other, oversight), got "other".`,
    });
    expect((await refusalOf(loadOversightModule({ module: defaults, export: 'nope' }, 'x'))).path).toBe('x.export');
    expect(await refusalOf(loadOversightModule({ module: defaults, export: 'oversight' }))).toMatchObject({ path: 'oversight.export' });
    const empty = fileURLToPath(new URL('./fixtures/oversight-empty.ts', import.meta.url));
    const r0 = await refusalOf(loadOversightModule({ module: empty }));
    expect(r0.path).toBe('oversight.module');
    expect(r0.message).toContain(`expected ${WHAT} (exports found: none), got "`);
    const none = fileURLToPath(new URL('./fixtures/oversight-forger.ts', import.meta.url));
    const r = await refusalOf(loadOversightModule({ module: none }));
    expect(r.path).toBe('oversight.module');
    // (The path in the message is cut at 60 characters, as every value a ConfigError names.)
    expect(r.message).toMatch(/\(exports found: [^)]*voter[^)]*\), got "/);
  });
});
