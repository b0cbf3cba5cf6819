import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * One operation of a client-visible history, in the shape Jepsen-style linearizability checkers
 * (Knossos, Porcupine adapters, Elle's register model) read: an `invoke` when a client starts an
 * operation, then `ok` (it took effect, with the value written or read), `fail` (it certainly did
 * not take effect) or `info` (unknown: it may or may not have taken effect).
 *
 * @example
 * ```ts
 * const op: HistoryOp = { process: 'client', type: 'invoke', f: 'write', key: 'k3', value: 'client:3', time: 12_000_000 };
 * ```
 */
export interface HistoryOp {
  /** The client's id (or, with `lanes`, `<client>#<lane>`). */
  readonly process: string;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  /** A write's value; a read's value on `ok` (null on its `invoke`, as Jepsen writes it). */
  readonly value: unknown;
  /** The trace time in integer nanoseconds (see HistoryOptions.origin). */
  readonly time: number;
  /** On a write's `ok`: the log index it took effect at, when the client's `client-ok` names one (Raft does). */
  readonly index?: number;
}

/**
 * How to build the history.
 *
 * @example
 * ```ts
 * const lines = historyLines(events, { origin: 'first', lanes: true });
 * ```
 */
export interface HistoryOptions {
  /**
   * Subtracted from every trace time (ms) before it becomes nanoseconds: a number, or `'first'`
   * for the time of the first event read. Default 0, the trace time as it is: right for sim mode
   * (virtual ms from 0). In threads mode trace times are epoch ms, whose nanoseconds exceed
   * 2^53 and lose precision: pass the time of the trace's first event there (what
   * `conclave run --history` does), so time 0 is the trace's start. `'first'` is that only when
   * the events given are the whole trace: given the client events alone, it is the first
   * invocation's time.
   */
  readonly origin?: number | 'first';
  /**
   * Jepsen-style checkers assume a process runs one operation at a time. A client with a window
   * above 1 has several in flight, so with `lanes: true` each operation is put on the lowest lane
   * of its client that is free when it is invoked, and `process` is `<client>#<lane>`: every
   * process is then sequential. A lane whose operation ended `info` is never used again (its
   * operation may still take effect at any later time: in Jepsen's terms its process crashed),
   * so the next operation takes a new lane. Default false: `process` is the client id, as
   * emitted. `conclave run --history` writes lanes.
   */
  readonly lanes?: boolean;
}

const FS = new Set(['read', 'write', 'cas']);

interface Open {
  readonly process: string;
  readonly f: HistoryOp['f'];
  readonly key: string;
  readonly value: unknown;
  readonly client: string;
  readonly lane: number;
}

/**
 * The client-visible history of a run, as operations in trace order, built from the `emit`
 * events `client-invoke`, `client-ok` (a write's carries its log `index`), `client-fail`
 * (certainly no effect) and `client-info` (given up, outcome unknown), each carrying `client`,
 * `seq`, `f`, `key` and `value`; other events are ignored. An operation invoked and never
 * completed becomes `info` (outcome unknown) at the time of the last event. A completion with no
 * open invocation of the same (client, seq), or a client event missing its fields, throws.
 *
 * @example
 * ```ts
 * const events: TraceEvent[] = [];
 * await runScenario(scenario, { mode: 'sim', onEvent: (e) => events.push(e) });
 * for (const op of historyOps(events)) if (op.type === 'info') console.log('unknown outcome', op);
 * ```
 */
export function historyOps(events: Iterable<TraceEvent>, options: HistoryOptions = {}): HistoryOp[] {
  const ops: HistoryOp[] = [];
  const open = new Map<string, Open>();
  /** Busy lanes per client (lanes option). */
  const busy = new Map<string, Set<number>>();
  /** Lanes retired after an `info` (lanes option). */
  const retired = new Map<string, Set<number>>();
  let origin = options.origin === 'first' ? undefined : (options.origin ?? 0);
  let last: number | undefined;
  const ns = (t: number) => Math.round((t - origin!) * 1e6);

  for (const e of events) {
    origin ??= e.t;
    last = e.t;
    if (e.type !== 'emit') continue;
    const ev = e.event;
    const kind = ev.type;
    if (kind !== 'client-invoke' && kind !== 'client-ok' && kind !== 'client-fail' && kind !== 'client-info') continue;
    const client = ev.client;
    const seq = ev.seq;
    if (typeof client !== 'string' || typeof seq !== 'number')
      throw new Error(`history: ${String(kind)} at t=${e.t} lacks a string client and a numeric seq: ${JSON.stringify(ev)}`);
    const id = `${client}\u0000${seq}`;
    if (kind === 'client-invoke') {
      const f = ev.f;
      if (typeof f !== 'string' || !FS.has(f)) throw new Error(`history: client-invoke at t=${e.t} has f ${JSON.stringify(f)} (read, write or cas)`);
      if (typeof ev.key !== 'string') throw new Error(`history: client-invoke at t=${e.t} lacks a string key: ${JSON.stringify(ev)}`);
      if (open.has(id)) throw new Error(`history: ${client} invoked seq ${seq} twice (t=${e.t})`);
      let lane = 0;
      let process = client;
      if (options.lanes) {
        const taken = busy.get(client) ?? busy.set(client, new Set()).get(client)!;
        const gone = retired.get(client);
        while (taken.has(lane) || gone?.has(lane)) lane++;
        taken.add(lane);
        process = `${client}#${lane}`;
      }
      const op: Open = { process, f: f as HistoryOp['f'], key: ev.key, value: f === 'read' ? null : (ev.value ?? null), client, lane };
      open.set(id, op);
      ops.push({ process, type: 'invoke', f: op.f, key: op.key, value: op.value, time: ns(e.t) });
      continue;
    }
    const inv = open.get(id);
    if (inv === undefined) throw new Error(`history: ${kind} for ${client} seq ${seq} at t=${e.t} has no open invocation`);
    open.delete(id);
    busy.get(client)?.delete(inv.lane);
    if (kind === 'client-info' && options.lanes) (retired.get(client) ?? retired.set(client, new Set()).get(client)!).add(inv.lane);
    const value = kind === 'client-ok' && inv.f === 'read' ? (ev.value ?? null) : inv.value;
    const type = kind === 'client-ok' ? 'ok' : kind === 'client-fail' ? 'fail' : 'info';
    const index = kind === 'client-ok' && inv.f !== 'read' && typeof ev.index === 'number' ? ev.index : undefined;
    ops.push(
      index === undefined
        ? { process: inv.process, type, f: inv.f, key: inv.key, value, time: ns(e.t) }
        : { process: inv.process, type, f: inv.f, key: inv.key, value, time: ns(e.t), index },
    );
  }
  for (const inv of open.values()) ops.push({ process: inv.process, type: 'info', f: inv.f, key: inv.key, value: inv.value, time: ns(last!) });
  return ops;
}

/**
 * The client-visible history as JSON lines, one operation per string (no trailing newline), in
 * the shape `{ process, type, f, key, value, time }`, and `index` last on a write's `ok` when
 * the client named it (see historyOps). Join with `'\n'` to write a
 * `.jsonl` file.
 *
 * @example
 * ```ts
 * const events: TraceEvent[] = [];
 * await runScenario(await loadScenarioFile('examples/raft-deployment.yml'), { onEvent: (e) => events.push(e) });
 * writeFileSync('history.jsonl', historyLines(events).join('\n') + '\n');
 * // {"process":"client","type":"invoke","f":"write","key":"k1","value":"client:1","time":301000000}
 * // {"process":"client","type":"ok","f":"write","key":"k1","value":"client:1","time":304000000,"index":2}
 * ```
 */
export function historyLines(events: Iterable<TraceEvent>, options: HistoryOptions = {}): string[] {
  return historyOps(events, options).map((op) =>
    JSON.stringify(
      op.index === undefined
        ? { process: op.process, type: op.type, f: op.f, key: op.key, value: op.value, time: op.time }
        : { process: op.process, type: op.type, f: op.f, key: op.key, value: op.value, time: op.time, index: op.index },
    ),
  );
}
