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

/** One client's session: the results it may still ask for again, by seq. */
interface Session {
  /** Seqs below this were acknowledged to the client; their results are forgotten. */
  lowestPending: number;
  readonly results: Map<number, { result: KvResult; index: number }>;
}

/**
 * The outcome of applying one log entry: the result, the index it first took effect at, and
 * whether it was a duplicate (a retried command already applied: its stored result is returned
 * and nothing changes).
 *
 * @example
 * ```ts
 * const { result, duplicate } = kv.apply(7, { op: 'put', key: 'k', value: 'v' }, 'c1', 3);
 * ```
 */
export interface ApplyOutcome {
  readonly result: KvResult;
  readonly index: number;
  readonly duplicate: boolean;
}

const NOTHING: KvResult = { ok: true, value: null };

/**
 * The replicated key-value state machine, with client sessions for duplicate detection (the
 * Raft dissertation, section 6.3): sessions are part of the replicated state, so every node
 * decides the same way whether an entry is a duplicate. A client may have several commands in
 * flight, so a session keeps one result per pending seq, not only the last; `lowestPending`
 * (carried by the client in each command) lets it forget acknowledged ones.
 *
 * @example
 * ```ts
 * const kv = new KvStore();
 * kv.apply(1, { op: 'put', key: 'k', value: 'v' }, 'c1', 1);
 * kv.apply(2, { op: 'put', key: 'k', value: 'v' }, 'c1', 1).duplicate; // true
 * kv.get('k'); // 'v'
 * ```
 */
export class KvStore {
  readonly data = new Map<string, string>();
  readonly sessions = new Map<string, Session>();

  /** The value of `key` (null when unset). */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /**
   * The stored outcome of (client, seq) if it was applied and not forgotten. A seq below the
   * client's lowestPending was acknowledged already: it counts as applied, result unknown.
   */
  lookup(client: string, seq: number): { result: KvResult; index: number } | 'forgotten' | undefined {
    const s = this.sessions.get(client);
    if (s === undefined) return undefined;
    if (seq < s.lowestPending) return 'forgotten';
    return s.results.get(seq);
  }

  /** Applies the command of the log entry at `index`, once per (client, seq). */
  apply(index: number, command: KvCommand | { readonly op: 'noop' } | { readonly op: 'config' }, client?: string, seq?: number, lowestPending?: number): ApplyOutcome {
    if (client === undefined || seq === undefined) return { result: this.execute(command), index, duplicate: false };
    let s = this.sessions.get(client);
    if (s === undefined) this.sessions.set(client, (s = { lowestPending: 0, results: new Map() }));
    if (lowestPending !== undefined && lowestPending > s.lowestPending) {
      // Forget what was acknowledged: walk the seqs passed over, or the map if that is shorter.
      if (lowestPending - s.lowestPending <= s.results.size) for (let q = s.lowestPending; q < lowestPending; q++) s.results.delete(q);
      else for (const k of s.results.keys()) if (k < lowestPending) s.results.delete(k);
      s.lowestPending = lowestPending;
    }
    const seen = seq < s.lowestPending ? { result: NOTHING, index: 0 } : s.results.get(seq);
    if (seen !== undefined) return { ...seen, duplicate: true };
    const result = this.execute(command);
    s.results.set(seq, { result, index });
    return { result, index, duplicate: false };
  }

  private execute(c: KvCommand | { readonly op: 'noop' } | { readonly op: 'config' }): KvResult {
    switch (c.op) {
      case 'noop':
      case 'config': // a configuration entry: the node acts on it when appended, not when applied
        return NOTHING;
      case 'get':
        return { ok: true, value: this.get(c.key) };
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
