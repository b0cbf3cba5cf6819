/**
 * Test helpers for runs across node processes on the real NATS server (the project's machines
 * and CI run one on 127.0.0.1:4222; `.ci/run` starts one where it is missing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const NATS_URL = process.env.CONCLAVE_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Why NATS tests are skipped: only when CONCLAVE_NO_NATS=1 is set (CI never sets it). */
export const NO_NATS = process.env.CONCLAVE_NO_NATS === '1';
if (NO_NATS) console.warn('NATS tests skipped: CONCLAVE_NO_NATS=1 is set (unset it to run them against the NATS server).');

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A fresh swarm id per test, so runs never meet each other's nodes. */
export function swarmId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A node process of the CLI, with its output so far and its exit. */
export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `conclave node` processes and resolves once each said it joined (its first line), or
 * rejects with its output if it exited first.
 */
export async function startNodes(swarm: string, names: readonly string[], extra: readonly string[] = []): Promise<NodeProcess[]> {
  return Promise.all(names.map((name) => startNode(swarm, name, extra)));
}

export function startNode(swarm: string, name: string, extra: readonly string[] = [], url = NATS_URL): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'node', '--nats', url, '--swarm', swarm, '--name', name, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const node: NodeProcess = { name, child, output: () => out, exited };
  return new Promise((resolve, reject) => {
    const take = (d: Buffer) => {
      out += d.toString();
      if (out.includes('joined swarm')) resolve(node);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((e) => reject(new Error(`node ${name} exited (${e.code ?? e.signal}) before joining:\n${out}`)));
  });
}

/** SIGTERMs every node still running and waits for all to exit. */
export async function stopNodes(nodes: readonly NodeProcess[]): Promise<void> {
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
  await Promise.all(nodes.map((n) => n.exited));
}
