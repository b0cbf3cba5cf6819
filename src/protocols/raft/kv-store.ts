import type { MachineCommand, StateMachine } from './state-machine.ts';

/**
 * A command of the key-value state machine.
 *
 * @example
 * ```ts
 * const c: KvCommand = { op: 'cas', key: 'x', expected: 'a', value: 'b' };
 * ```
 */
export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/**
 * True when `c` is a well-formed KvCommand (what a node checks before it appends a client's
 * command to the log: a malformed one would otherwise be replicated and fail on every node).
 *
 * @example
 * ```ts
 * isKvCommand({ op: 'put', key: 'k', value: 'v' }); // true
 * isKvCommand({ op: 'drop-table' }); // false
 * ```
 */
export function isKvCommand(c: unknown): c is KvCommand {
  const o = c as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || typeof o.key !== 'string') return false;
  switch (o.op) {
    case 'get':
      return true;
    case 'put':
      return typeof o.value === 'string';
    case 'cas':
      return typeof o.value === 'string' && (o.expected === null || typeof o.expected === 'string');
    default:
      return false;
  }
}

/**
 * What applying a command returns: the value read (`get`), the value before (`put`), or whether
 * the compare-and-set took place and the value it found (`cas`).
 *
 * @example
 * ```ts
 * const r: KvResult = { ok: true, value: 'a' };
 * ```
 */
export interface KvResult {
  readonly ok: boolean;
  readonly value: string | null;
}

/**
 * The default replicated state machine: a key-value store of strings. `put` returns the value it
 * replaced, `cas` succeeds only when the current value is `expected`, `get` is a read (served by
 * ReadIndex, never logged).
 *
 * @example
 * ```ts
 * const kv = new KeyValueMachine();
 * kv.apply({ op: 'put', key: 'k', value: 'v' }); // { ok: true, value: null }
 * kv.get('k'); // 'v'
 * ```
 */
export class KeyValueMachine implements StateMachine {
  readonly data = new Map<string, string>();

  /** The value of `key` (null when unset). */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  accepts(command: unknown): command is MachineCommand {
    return isKvCommand(command);
  }

  isRead(command: MachineCommand): boolean {
    return command.op === 'get';
  }

  read(command: MachineCommand): KvResult {
    return { ok: true, value: this.get((command as KvCommand).key) };
  }

  /** The pairs in insertion order (the same on every node that applied the same commands). */
  snapshot(): [string, string][] {
    return [...this.data];
  }

  restore(data: unknown): void {
    // Checked whole before anything changes: a refused snapshot leaves the store as it was.
    if (!Array.isArray(data) || !data.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string'))
      throw new TypeError('KeyValueMachine.restore: expected [key, value] pairs of strings');
    this.data.clear();
    for (const [k, v] of data as [string, string][]) this.data.set(k, v);
  }

  apply(command: MachineCommand): KvResult {
    const c = command as KvCommand;
    switch (c.op) {
      case 'get':
        return this.read(c);
      case 'put': {
        const before = this.get(c.key);
        this.data.set(c.key, c.value);
        return { ok: true, value: before };
      }
      case 'cas': {
        const found = this.get(c.key);
        if (found !== c.expected) return { ok: false, value: found };
        this.data.set(c.key, c.value);
        return { ok: true, value: found };
      }
    }
  }
}
