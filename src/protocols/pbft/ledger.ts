import { createHash } from 'node:crypto';
import type { ActorId } from '../../actors/envelope.ts';

/**
 * The replicated service of a PBFT run: a table of counters and values driven by operation
 * strings (`incr k`, `put k v`, `get k`), with PBFT's client table (the requests each client
 * already had executed, and their results, so a retransmitted request is answered, never run
 * twice). Deterministic, so honest replicas that execute the same requests in the same order
 * hold the same state and give the same results; `digest()` is what checkpoints compare.
 *
 * @example
 * ```ts
 * const l = new Ledger();
 * l.execute('c', 1, 'incr k'); // '1'
 * l.execute('c', 1, 'incr k'); // undefined: already executed (l.resultOf('c', 1) === '1')
 * ```
 */
export class Ledger {
  private readonly values = new Map<string, string>();
  private readonly clients = new Map<ActorId, ClientRecord>();

  /** Runs `op` for (client, ts) unless that request ran already; returns its result, or undefined when it had. */
  execute(client: ActorId, ts: number, op: string): string | undefined {
    let c = this.clients.get(client);
    if (c === undefined) this.clients.set(client, (c = { low: 0, results: new Map() }));
    if (ts <= c.low || c.results.has(ts)) return undefined;
    const result = this.apply(op);
    c.results.set(ts, result);
    // Everything at or below `low` ran; keep the results of the last RECENT above it for retransmissions.
    while (c.results.has(c.low + 1)) c.low++;
    if (c.results.size > RECENT)
      for (const t of c.results.keys())
        if (t < c.low - RECENT) c.results.delete(t);
        else break;
    return result;
  }

  /** Whether (client, ts) ran here. */
  executed(client: ActorId, ts: number): boolean {
    const c = this.clients.get(client);
    return c !== undefined && (ts <= c.low || c.results.has(ts));
  }

  /** The result of an executed request, while it is still remembered. */
  resultOf(client: ActorId, ts: number): string | undefined {
    return this.clients.get(client)?.results.get(ts);
  }

  /** A digest of the whole state (values and client table), for checkpoints and state transfer. */
  digest(): string {
    return digestOf(this.snapshot());
  }

  /** The state as plain data (sorted, so equal states give equal snapshots). */
  snapshot(): LedgerSnapshot {
    const values = [...this.values].sort(byKey);
    const clients = [...this.clients]
      .sort(byKey)
      .map(([id, c]) => [id, c.low, [...c.results].sort((x, y) => x[0] - y[0])] as [ActorId, number, [number, string][]]);
    return { values, clients };
  }

  /** Replaces the state with a snapshot (state transfer from a stable checkpoint). */
  restore(s: LedgerSnapshot): void {
    this.values.clear();
    this.clients.clear();
    for (const [k, v] of s.values) this.values.set(k, v);
    for (const [id, low, results] of s.clients) this.clients.set(id, { low, results: new Map(results) });
  }

  private apply(op: string): string {
    const space = op.indexOf(' ');
    const verb = space < 0 ? op : op.slice(0, space);
    const rest = space < 0 ? '' : op.slice(space + 1);
    switch (verb) {
      case 'incr': {
        const next = String(Number(this.values.get(rest) ?? '0') + 1);
        this.values.set(rest, next);
        return next;
      }
      case 'put': {
        const at = rest.indexOf(' ');
        if (at < 0) return 'error: put needs a key and a value';
        this.values.set(rest.slice(0, at), rest.slice(at + 1));
        return 'ok';
      }
      case 'get':
        return this.values.get(rest) ?? '';
      case '':
        return 'noop';
      default:
        return `error: unknown operation "${verb}"`;
    }
  }
}

/** Results kept above each client's low mark (a window of requests in flight is far smaller). */
const RECENT = 1024;

/**
 * Entries of a Map by their key, in code-unit order (not the locale's: every replica must
 * digest the same bytes). The keys are a Map's, so never equal: no 0 to return.
 */
const byKey = ([a]: readonly [string, unknown], [b]: readonly [string, unknown]): number => (a < b ? -1 : 1);

interface ClientRecord {
  low: number;
  results: Map<number, string>;
}

/**
 * A ledger's state as plain data.
 *
 * @example
 * ```ts
 * const copy = new Ledger(); copy.restore(ledger.snapshot());
 * ```
 */
export interface LedgerSnapshot {
  readonly values: readonly (readonly [string, string])[];
  readonly clients: readonly (readonly [ActorId, number, readonly (readonly [number, string])[]])[];
}

/**
 * The digest of a snapshot (sha-256, 16 hex digits).
 *
 * @example
 * ```ts
 * digestOf(snapshot) === checkpoint.d; // the state a certificate vouches for
 * ```
 */
export function digestOf(s: LedgerSnapshot): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);
}
