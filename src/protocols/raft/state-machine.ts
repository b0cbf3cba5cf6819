/**
 * A command for a replicated state machine: an object with an `op`. The ops `noop` and
 * `config` belong to Raft itself (a leader's first entry, a membership change).
 *
 * @example
 * ```ts
 * const add: MachineCommand = { op: 'add', n: 5 };
 * ```
 */
export interface MachineCommand {
  readonly op: string;
  readonly [field: string]: unknown;
}

/**
 * What Raft replicates: any deterministic state machine. Every node applies the same committed
 * commands in the same order, so `apply` must depend on nothing but its state and the command
 * (no clock, no randomness). Reads are served by ReadIndex without entering the log. The
 * key-value store (`KeyValueMachine`) is the default; `raftNodeWith(() => new MyMachine())`
 * plugs in another.
 *
 * @example
 * ```ts
 * class Counter implements StateMachine {
 *   total = 0;
 *   accepts(c: unknown): c is MachineCommand { return (c as MachineCommand)?.op === 'add' || (c as MachineCommand)?.op === 'total'; }
 *   isRead(c: MachineCommand) { return c.op === 'total'; }
 *   apply(c: MachineCommand) { this.total += Number(c.n); return this.total; }
 *   read() { return this.total; }
 * }
 * ```
 */
export interface StateMachine {
  /** True for a command this machine takes; anything else a client sends is ignored. */
  accepts(command: unknown): command is MachineCommand;
  /** A read-only command (served by ReadIndex, never logged). */
  isRead(command: MachineCommand): boolean;
  /** Applies a committed command; the result goes back to the client. */
  apply(command: MachineCommand): unknown;
  /** Answers a read-only command from the applied state. */
  read(command: MachineCommand): unknown;
  /**
   * The applied state as plain JSON-able data (log compaction, thesis chapter 5). Optional: a
   * machine without `snapshot` and `restore` runs with compaction off (an explicit
   * `snapshotEvery` above 0 is then refused). Two machines that applied the same commands must
   * return data that serialises to the same JSON: the checkers compare digests of it.
   */
  snapshot?(): unknown;
  /** Replaces the whole state with what `snapshot` returned (on this node or another). */
  restore?(data: unknown): void;
}
