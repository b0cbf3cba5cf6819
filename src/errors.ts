/**
 * Every error Conclave raises, in one place. Each one says what was wrong, where, and what to do
 * about it; the underlying error (if any) is kept as `cause`.
 *
 * @example
 * ```ts
 * try { await system.spawn('a', 'no-such-behaviour'); }
 * catch (e) { if (e instanceof UnknownBehaviourError) console.error(e.message); }
 * ```
 */
export class ConclaveError extends Error {
  /** A stable machine-readable code, e.g. `unknown-behaviour`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A behaviour id that no registry knows.
 *
 * @example
 * ```ts
 * try { await system.spawn('a', 'no-such-behaviour'); }
 * catch (e) { if (e instanceof UnknownBehaviourError) console.error(e.message); } // lists the known ids
 * ```
 */
export class UnknownBehaviourError extends ConclaveError {
  constructor(ref: string, known: readonly string[]) {
    super(
      'unknown-behaviour',
      `Unknown behaviour "${ref}". Known behaviour ids: ${known.length ? known.join(', ') : '(none)'}. ` +
        `Register it with registerBehaviour(id, behaviour) in a module the host preloads, ` +
        `or reference it as { module: '/abs/path/to/file.ts', export: 'name' }.`,
    );
  }
}

/**
 * A behaviour module that could not be imported, or whose export is not a behaviour.
 *
 * @example
 * ```ts
 * try { await system.spawn('v', { module: '/abs/path/missing.ts', export: 'voter' }); }
 * catch (e) { if (e instanceof BehaviourLoadError) console.error(e.message, e.cause); }
 * ```
 */
export class BehaviourLoadError extends ConclaveError {
  constructor(modulePath: string, exportName: string, reason: string, cause?: unknown) {
    super(
      'behaviour-load',
      `Cannot load behaviour "${exportName}" from module "${modulePath}": ${reason}. ` +
        `Check that the path is absolute (or a file: URL) and that the module exports ` +
        `an object with init(ctx) and receive(state, envelope, ctx).`,
      { cause },
    );
  }
}

/**
 * An actor id that is already in use in this system.
 *
 * @example
 * ```ts
 * await system.spawn('a', 'echo');
 * try { await system.spawn('a', 'echo'); }
 * catch (e) { if (e instanceof DuplicateActorError) console.error(e.code); } // 'duplicate-actor'
 * ```
 */
export class DuplicateActorError extends ConclaveError {
  constructor(id: string) {
    super('duplicate-actor', `An actor with id "${id}" already exists. Actor ids are unique per system: pick another id or stop the existing actor first.`);
  }
}

/**
 * An actor id that is not valid.
 *
 * @example
 * ```ts
 * try { await system.spawn('$me', 'echo'); } // '$' is reserved for the runtime
 * catch (e) { if (e instanceof InvalidActorIdError) console.error(e.message); }
 * ```
 */
export class InvalidActorIdError extends ConclaveError {
  constructor(id: unknown) {
    super('invalid-actor-id', `Invalid actor id ${JSON.stringify(id)}: an id is a non-empty string that does not start with "$" (reserved for the runtime).`);
  }
}

/**
 * A behaviour whose `init` threw when the actor was spawned.
 *
 * @example
 * ```ts
 * registerBehaviour('fragile', { init: () => { throw new Error('no props'); }, receive: () => {} });
 * try { await system.spawn('f', 'fragile'); }
 * catch (e) { if (e instanceof ActorInitError) console.error(e.cause); } // the id stays free
 * ```
 */
export class ActorInitError extends ConclaveError {
  constructor(id: string, behaviour: string, cause: unknown) {
    super(
      'actor-init',
      `Actor "${id}" (behaviour "${behaviour}") failed in init: ${cause instanceof Error ? cause.message : String(cause)}. Fix init or the props passed at spawn.`,
      { cause },
    );
  }
}

/**
 * An actor that does not exist (for control-plane calls such as snapshot or stop).
 *
 * @example
 * ```ts
 * try { await system.snapshot('never-spawned'); }
 * catch (e) { if (e instanceof UnknownActorError) console.error(e.code); } // 'unknown-actor'
 * ```
 */
export class UnknownActorError extends ConclaveError {
  constructor(id: string, where: string) {
    super('unknown-actor', `No actor "${id}" (${where}). It was never spawned, or it has stopped.`);
  }
}

/**
 * A message that is not `{ kind: string, body?: unknown }`.
 *
 * @example
 * ```ts
 * try { system.send('a', 'hello' as never); } // thrown synchronously; nothing is sent
 * catch (e) { if (e instanceof InvalidMessageError) system.send('a', { kind: 'hello' }); }
 * ```
 */
export class InvalidMessageError extends ConclaveError {
  constructor(where: string, got: unknown) {
    super('invalid-message', `Invalid message at ${where}: expected { kind: string, body?: unknown }, got ${describe(got)}.`);
  }
}

/**
 * An `ask` that got no reply in time.
 *
 * @example
 * ```ts
 * try { await system.ask('slow', { kind: 'ping' }, { timeoutMs: 50 }); }
 * catch (e) { if (e instanceof AskTimeoutError) console.warn(e.to, e.kind, e.timeoutMs); }
 * ```
 */
export class AskTimeoutError extends ConclaveError {
  constructor(
    readonly to: string,
    readonly kind: string,
    readonly timeoutMs: number,
  ) {
    super(
      'ask-timeout',
      `No reply from "${to}" to "${kind}" within ${timeoutMs} ms. The actor may be slow, stopped, or never reply to this kind; raise timeoutMs or check that it calls ctx.reply().`,
    );
  }
}

/**
 * A request from outside that was dead-lettered instead of delivered.
 *
 * @example
 * ```ts
 * try { await system.ask('ghost', { kind: 'ping' }, { timeoutMs: 1000 }); }
 * catch (e) { if (e instanceof UndeliverableError) console.warn(e.reason); } // 'unknown-actor'
 * ```
 */
export class UndeliverableError extends ConclaveError {
  constructor(
    readonly to: string,
    readonly kind: string,
    readonly reason: string,
    detail?: string,
  ) {
    super('undeliverable', `Cannot deliver "${kind}" to "${to}": ${reason}${detail ? ` (${detail})` : ''}. Check the actor id, and that the actor is running.`);
  }
}

/**
 * A control-plane call whose worker died before it answered. `advice` says what the caller can
 * do, which depends on the call: a spawn or a snapshot can simply be made again once the
 * actor was restarted, but an ask's request died with the actor's state, so asking again starts
 * the conversation over (see `RunFailure` for how a swarm resumes instead).
 *
 * @example
 * ```ts
 * try { await threads.snapshot('a'); } // in threads mode, the worker hosting 'a' dies meanwhile
 * catch (e) { if (e instanceof HostCrashedError) await threads.snapshot('a'); } // 'a' was restarted: a snapshot can be taken again
 * ```
 */
export class HostCrashedError extends ConclaveError {
  constructor(
    readonly worker: number,
    readonly call: string,
    cause?: unknown,
    readonly advice: string = HOST_CRASH_RETRY,
  ) {
    super(
      'host-crashed',
      `Worker ${worker} died while handling "${call}". Its actors are restarted on a live worker from their initial state, or stopped, as their supervision strategy says. ${advice}`,
      { cause },
    );
  }
}

/**
 * What a caller can do after a control call (not an ask) was cut short by its worker's death.
 *
 * @example
 * ```ts
 * new HostCrashedError(1, 'snapshot("a")').advice === HOST_CRASH_RETRY; // true
 * ```
 */
export const HOST_CRASH_RETRY = 'The call can be made again once the actor was restarted.';

/**
 * `settle()` ran out of time: envelopes were still in flight, or workers still busy.
 *
 * @example
 * ```ts
 * try { await system.settle({ timeoutMs: 1000 }); }
 * catch (e) { if (e instanceof SettleTimeoutError) console.error(e.inFlight, 'still in flight'); }
 * ```
 */
export class SettleTimeoutError extends ConclaveError {
  constructor(
    readonly timeoutMs: number,
    readonly inFlight: number,
    readonly imbalance: number,
    readonly busyWorkers: number,
  ) {
    super(
      'settle-timeout',
      `settle() gave up after ${timeoutMs} ms: ${inFlight} envelopes in flight, ${busyWorkers} workers still busy${imbalance ? `, ${imbalance} envelopes not yet published by their workers` : ''}. Actors that keep messaging each other never settle; raise timeoutMs or stop them first.`,
    );
  }
}

/**
 * A call made after the system was shut down.
 *
 * @example
 * ```ts
 * await system.shutdown();
 * try { await system.spawn('late', 'echo'); }
 * catch (e) { if (e instanceof SystemStoppedError) system = await createSystem({ mode: 'sim' }); }
 * ```
 */
export class SystemStoppedError extends ConclaveError {
  constructor(call: string) {
    super('system-stopped', `Cannot ${call}: the actor system has been shut down. Create a new system.`);
  }
}

/**
 * A broadcast with no topology to carry it, or from an actor that is not one of its members.
 *
 * @example
 * ```ts
 * await system.switchTopology('ring', { members: ['a', 'b', 'c'] }); // then ctx.broadcast(...) works for a, b and c
 * ```
 */
export class NoTopologyError extends ConclaveError {
  constructor(from: string, installed: boolean) {
    super(
      'no-topology',
      installed
        ? `"${from}" cannot broadcast: it is not a member of the topology in force. Add it with system.joinTopology({ id: "${from}" }) or send to members one by one.`
        : `"${from}" cannot broadcast: no topology is installed, so the members are unknown. Call system.switchTopology(spec, { members }) first.`,
    );
  }
}

/**
 * A swarm's coordinator failed or stopped during a run, so the run cannot finish.
 *
 * @example
 * ```ts
 * try { await swarm.run(); } catch (e) { if (e instanceof CoordinatorFailedError) console.error(e.message); }
 * ```
 */
export class CoordinatorFailedError extends ConclaveError {
  constructor(cause: string) {
    super(
      'coordinator-failed',
      `The swarm's coordinator stopped during the run (${cause}), so the run cannot finish. The trace has the failure; check custom policies and agent behaviours.`,
    );
  }
}

/**
 * Bad options passed to a system, a spawn or a command. `path` names the field.
 *
 * @example
 * ```ts
 * try { await createSystem({ mode: 'sim', link: { latency: { kind: 'fixed', ms: -1 } } }); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.path); } // 'link.latency.ms'
 * ```
 */
export class ConfigError extends ConclaveError {
  constructor(
    readonly path: string,
    expected: string,
    got: unknown,
  ) {
    super('config', `Invalid configuration at "${path}": expected ${expected}, got ${describe(got)}.`);
  }
}

/** A short, safe description of an arbitrary value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const keys = Object.keys(value);
  return `an object with keys [${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}]`;
}

/**
 * A scenario or configuration file that does not say what Conclave needs. Points at the exact
 * place: `file`, 1-based `line` and `column` (when known) and the field `path`
 * (`agents[1].count`), so an editor can jump there. `path` is `''` for the file as a whole.
 *
 * @example
 * ```ts
 * try { await loadScenarioFile('scenarios/db-choice.yml'); }
 * catch (e) { if (e instanceof ScenarioError) console.error(e.message); }
 * // scenarios/db-choice.yml:7:38: "agents[1].count": expected an integer >= 1, got number 0.
 * ```
 */
export class ScenarioError extends ConclaveError {
  constructor(
    readonly file: string | undefined,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly path: string,
    expected: string,
    got?: unknown,
    options: { hint?: string; gotText?: string; cause?: unknown } = {},
  ) {
    // `file:line:col:` is the form editors and terminals turn into a link.
    const where =
      file !== undefined
        ? [file, line, line !== undefined ? column : undefined].filter((p) => p !== undefined).join(':')
        : line !== undefined
          ? `line ${line}${column !== undefined ? `, column ${column}` : ''}`
          : 'scenario';
    const field = path ? ` "${path}":` : '';
    const hint = options.hint ? ` ${options.hint}` : '';
    super('scenario', `${where}:${field} expected ${expected}, got ${options.gotText ?? describe(got)}.${hint}`, { cause: options.cause });
  }
}

/**
 * A scenario bigger than this machine can run: its estimated memory or wall time (see
 * `estimateFootprint`) is over the budget. Carries the estimate; `conclave run --force` (or
 * `parseScenario(text, file, { force: true })`) runs it anyway.
 *
 * @example
 * ```ts
 * try { await loadScenarioFile('huge.yml'); }
 * catch (e) { if (e instanceof ScenarioTooLargeError) console.error(e.estimatedBytes, e.budgetBytes); }
 * ```
 */
export class ScenarioTooLargeError extends ScenarioError {
  constructor(
    file: string | undefined,
    line: number | undefined,
    column: number | undefined,
    path: string,
    readonly estimatedBytes: number,
    readonly estimatedSeconds: number,
    readonly budgetBytes: number,
    readonly budgetSeconds: number,
    text: { expected: string; got: string },
  ) {
    super(file, line, column, path, text.expected, undefined, {
      gotText: text.got,
      hint: 'Make it smaller, or pass --force (conclave run --force) to run it anyway.',
    });
  }
}

/**
 * The run store could not be used: the file at the store path is not a Conclave store (another
 * SQLite database, or not SQLite at all), is damaged, is from a newer Conclave, or a run id does
 * not name a stored run. The file is never overwritten: the message names it and what to do.
 *
 * @example
 * ```ts
 * try { openStore('/tmp/notes.txt'); }
 * catch (e) { if (e instanceof StoreError) console.error(e.message); } // names the file, suggests --store
 * ```
 */
export class StoreError extends ConclaveError {
  constructor(
    readonly file: string,
    problem: string,
    fix: string,
    options?: { cause?: unknown },
  ) {
    super('store', `Run store ${file}: ${problem}. ${fix}`, options);
  }
}
