import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command, Option } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/cli/main.ts';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));

/** process.exit, stopped: the code the command line asked for. */
class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Every command under the program, with the words that reach it (`['config', 'set']`). */
function commands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()], cmd: c }, ...commands(c, [...path, c.name()])]);
}

let stderr: string[];

beforeEach(() => {
  stderr = [];
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exited(Number(code ?? 0));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  // A parse that got through to an action would print (and run) something: it must not.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => {
    throw new Error('a bad command line reached an action or printed help');
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Parses `args` with a fresh command line; the exit code asked for (no action may run). */
async function exitOf(args: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(['node', 'conclave', ...args]);
  } catch (e) {
    if (e instanceof Exited) return e.code;
    throw e;
  }
  throw new Error(`conclave ${args.join(' ')} was accepted`);
}

/** What a refused command line must print: one line naming the command and where its help is. */
function expectOneLine(path: string[], mentions: string): void {
  const text = stderr.join('');
  expect(text.endsWith('\n')).toBe(true);
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(text).toContain(`conclave ${path.join(' ')}: `);
  expect(text).toContain(mentions);
  expect(text).toContain(`(see conclave ${path.join(' ')} --help)`);
  expect(text).not.toContain('Usage:');
}

describe('one exit-code policy for every command', () => {
  const all = commands(buildCli());

  it('covers the commands users type', () => {
    const names = all.map((c) => c.path.join(' '));
    for (const name of [
      'demo',
      'run',
      'stress',
      'replay',
      'bench',
      'analyze',
      'optimize',
      'runs',
      'show',
      'stats',
      'audit verify',
      'monitor',
      'health',
      'approve',
      'config set',
    ])
      expect(names).toContain(name);
  });

  // Without the command's required options: the mistyped flag is what the line names, not a
  // required option (commander checks those first; `conclave node --bogus` named --nats).
  it.each(all.map((c) => [c.path.join(' '), c] as const))(
    'conclave %s --no-such-flag exits 2 with one line and a pointer to its --help',
    async (_name, { path }) => {
      expect(await exitOf([...path, '--no-such-flag'])).toBe(2);
      expectOneLine(path, `unknown option '--no-such-flag'`);
    },
  );

  const validated = all.flatMap(({ path, cmd }) =>
    (cmd.options as Option[])
      .filter((o) => o.required && o.parseArg !== undefined && rejects(o, 'not-a-value'))
      .map((o) => [`${path.join(' ')} ${o.long}`, path, o.long!] as const),
  );

  it('finds the options that check their values', () => {
    expect(validated.map((v) => v[0])).toEqual(
      expect.arrayContaining(['run --seed', 'run --workers', 'run --mode', 'stress --agents', 'replay --around', 'monitor --interval', 'show --limit']),
    );
  });

  it.each(validated)('conclave %s not-a-value exits 2 naming the option', async (_name, path, flag) => {
    expect(await exitOf([...path, flag, 'not-a-value'])).toBe(2);
    expectOneLine(path, `'${flag} `);
  });

  it.each(all.filter((c) => c.cmd.commands.length === 0 && !c.cmd.registeredArguments.some((a) => a.variadic)).map((c) => [c.path.join(' '), c] as const))(
    'conclave %s with one argument too many exits 2',
    async (_name, { path, cmd }) => {
      const args = cmd.registeredArguments.map(() => 'x');
      expect(await exitOf([...path, ...args, 'extra'])).toBe(2);
      expectOneLine(path, 'too many arguments');
    },
  );

  it('a missing required argument or option exits 2', async () => {
    expect(await exitOf(['approve', 'last'])).toBe(2);
    expectOneLine(['approve'], "missing required argument 'decision'");
    stderr = [];
    expect(await exitOf(['optimize'])).toBe(2);
    expectOneLine(['optimize'], "required option '--target <target>'");
    stderr = [];
    expect(await exitOf(['node', '--nats', 'nats://127.0.0.1:4222'])).toBe(2);
    expectOneLine(['node'], "required option '--swarm <id>' not specified");
  });

  // `conclave audit` alone printed the whole 24-line help (issue 22).
  it.each(all.filter((c) => c.cmd.commands.length > 0).map((c) => [c.path.join(' '), c] as const))(
    'conclave %s without its subcommand exits 2 with one line naming the subcommands',
    async (_name, { path, cmd }) => {
      expect(await exitOf(path)).toBe(2);
      expectOneLine(path, `missing command: one of ${cmd.commands.map((c) => c.name()).join(', ')}`);
    },
  );
});

/** The options a command requires (`optimize --target`), given, so that another mistake is the one reported. */
/** True when the option's parser refuses `value` (some, like a repeatable --config, take anything). */
function rejects(o: Option, value: string): boolean {
  try {
    (o.parseArg as (v: string, p: unknown) => unknown)(value, undefined);
    return false;
  } catch {
    return true;
  }
}

describe('the command as a process', () => {
  it('an unknown command exits 2 with "did you mean" instead of feeding the word to the default command', async () => {
    vi.restoreAllMocks();
    const e = await exec(process.execPath, [bin, 'rnu', 'examples/db-choice.yml']).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in e ? e.code : 0).toBe(2);
    expect(e.stdout).toBe('');
    expect(e.stderr).toBe("conclave: unknown command 'rnu' (did you mean run?) (see conclave --help for the commands)\n");
  });

  it('a bad value exits 2 with one line, not the help', async () => {
    vi.restoreAllMocks();
    const e = await exec(process.execPath, [bin, 'run', '--seed', 'abc']).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in e ? e.code : 0).toBe(2);
    expect(e.stdout).toBe('');
    expect(e.stderr).toBe(
      `conclave run: option '--seed <n>' argument 'abc' is invalid. --seed must be an integer from 0 to 2147483647 (got "abc"). (see conclave run --help)\n`,
    );
  });

  it('a value the command itself refuses names the command and its --help, like a bad flag', async () => {
    // It said "conclave: Invalid configuration at ..." with no pointer to the help (issue 22).
    vi.restoreAllMocks();
    const e = await exec(process.execPath, [bin, 'bench', '--agents', '0', '--no-store']).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in e ? e.code : 0).toBe(2);
    expect(e.stderr).toBe('conclave bench: Invalid configuration at "--agents[0]": expected an integer from 2 to 200, got "0". (see conclave bench --help)\n');
  });

  it('--help and --version exit 0', async () => {
    vi.restoreAllMocks();
    const help = await exec(process.execPath, [bin, 'run', '--help']);
    expect(help.stdout).toContain('Usage: conclave run');
    const version = await exec(process.execPath, [bin, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
