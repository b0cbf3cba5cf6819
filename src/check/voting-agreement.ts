import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * A safety violation found in a voting trace.
 *
 * @example
 * ```ts
 * const v: VotingViolation = { property: 'agreement', decision: 'd1', detail: 'decided "A" and "B"' };
 * ```
 */
export interface VotingViolation {
  readonly property: 'agreement' | 'validity';
  readonly decision: string;
  readonly detail: string;
  /** Position in the run's trace of the `decided` event that proves it (when the monitor was given positions). */
  readonly at?: number;
  /** Every event involved, in trace order: the proposal or the first decision, then `at`. */
  readonly positions?: readonly number[];
}

/**
 * The voting safety checker, fed one trace event at a time (so a run of millions of decisions
 * need not keep its trace): it remembers each decision's options and first decided value.
 * Given each event's position in the run's trace (`observe(e, at)`, as the checker registry
 * does), its violations name the events that prove them; without, they carry no positions.
 *
 * Agreement must remember every decision ever decided (a second, different decision of an old
 * one is exactly what it looks for), so that memory is kept small rather than dropped: the
 * coordinator's ids (`d1`, `d2`, ...) index typed columns of interned values, 28 bytes a
 * column entry (the columns double as they grow), where two objects in two Maps cost ~200.
 * Other ids (workflow stages) are few and kept in a Map.
 *
 * @example
 * ```ts
 * const monitor = new VotingSafetyMonitor();
 * let at = 0;
 * system.trace$.subscribe((e) => monitor.observe(e, at++));
 * // ... after the run
 * monitor.violations; // [] (or [{ property: 'agreement', decision: 'd1', detail: '...', at: 812, positions: [640, 812] }])
 * ```
 */
export class VotingSafetyMonitor {
  readonly violations: VotingViolation[] = [];
  private readonly table = new DecisionTable();

  observe(e: TraceEvent, at?: number): void {
    if (e.type !== 'emit') return;
    const ev = e.event as { type?: unknown; decision?: unknown; options?: unknown; value?: unknown };
    if (typeof ev.decision !== 'string') return;
    if (ev.type === 'proposal' && Array.isArray(ev.options)) this.table.propose(ev.decision, ev.options as string[], at);
    if (ev.type !== 'decided' || typeof ev.value !== 'string') return;
    const allowed = this.table.options(ev.decision);
    if (allowed && !allowed.options.includes(ev.value)) {
      this.report('validity', ev.decision, `"${e.actor}" decided "${ev.value}", which is not an option (${allowed.options.join(', ')})`, at, allowed.at);
    }
    const earlier = this.table.decided(ev.decision);
    if (earlier === undefined) this.table.decide(ev.decision, ev.value, e.actor, at);
    else if (earlier.value !== ev.value) {
      this.report('agreement', ev.decision, `"${earlier.actor}" decided "${earlier.value}" but "${e.actor}" decided "${ev.value}"`, at, earlier.at);
    }
  }

  /** Records a violation; positions only when the events' positions are known. */
  private report(property: VotingViolation['property'], decision: string, detail: string, at: number | undefined, before: number | undefined): void {
    if (at === undefined) this.violations.push({ property, decision, detail });
    else this.violations.push({ property, decision, detail, at, positions: before === undefined ? [at] : [before, at] });
  }
}

/** The highest decision number kept in columns: they grow to 2^24 entries (470 MB) at most. */
// Stryker disable next-line ArithmeticOperator: one more or less decision in columns changes memory, not judgements
const MAX_COLUMN = 2 ** 24 - 1;

/**
 * Per decision: its options and proposal position, its first decided value, by whom and where.
 * Strings are interned (a run has a handful of option lists, values and coordinators); numbered
 * decisions live in typed columns (0 = none in the index columns, NaN = no position given).
 */
class DecisionTable {
  private readonly interned = new Map<string, number>();
  // Stryker disable next-line StringLiteral: index 0 means none and is never read
  private readonly strings: string[] = [''];
  private readonly lists = new Map<readonly string[], number>();
  private readonly listByContent = new Map<string, number>();
  // Stryker disable next-line ArrayDeclaration: index 0 means none and is never read
  private readonly listOf: (readonly string[])[] = [[]];
  private optionsCol = new Int32Array(1024);
  private proposedAtCol = new Float64Array(1024);
  private valueCol = new Int32Array(1024);
  private actorCol = new Int32Array(1024);
  private decidedAtCol = new Float64Array(1024);
  /** The id asked last and its column: the grow it may have caused has happened, so it stays true. */
  private lastId: string | undefined;
  private lastIndex: number | undefined;
  private readonly others = new Map<
    string,
    { options?: { options: readonly string[]; at?: number }; decided?: { value: string; actor: string; at?: number } }
  >();

  propose(decision: string, options: readonly string[], at: number | undefined): void {
    const i = this.index(decision);
    if (i === undefined) {
      const o = this.other(decision);
      o.options = { options, at };
      return;
    }
    this.optionsCol[i] = this.list(options);
    this.proposedAtCol[i] = at ?? Number.NaN;
  }

  options(decision: string): { options: readonly string[]; at?: number } | undefined {
    const i = this.index(decision);
    if (i === undefined) return this.others.get(decision)?.options;
    if (this.optionsCol[i] === 0) return undefined;
    return { options: this.listOf[this.optionsCol[i]], ...position(this.proposedAtCol[i]) };
  }

  decide(decision: string, value: string, actor: string, at: number | undefined): void {
    const i = this.index(decision);
    if (i === undefined) {
      this.other(decision).decided = { value, actor, at };
      return;
    }
    this.valueCol[i] = this.intern(value);
    this.actorCol[i] = this.intern(actor);
    this.decidedAtCol[i] = at ?? Number.NaN;
  }

  decided(decision: string): { value: string; actor: string; at?: number } | undefined {
    const i = this.index(decision);
    if (i === undefined) return this.others.get(decision)?.decided;
    if (this.valueCol[i] === 0) return undefined;
    return { value: this.strings[this.valueCol[i]], actor: this.strings[this.actorCol[i]], ...position(this.decidedAtCol[i]) };
  }

  /**
   * The column of a numbered decision (the columns grown to hold it), or undefined for any other
   * id. Past {@link MAX_COLUMN} an id goes to the Map: a trace naming decision d999999999 must not
   * make the checker allocate gigabytes.
   */
  // Stryker disable next-line BlockStatement: every id to the Map is the same judgement in more memory
  private index(decision: string): number | undefined {
    // A decided event asks three times (options, decided, decide): parse its id once.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: without the memo the id is parsed again (same column); a memo that always answers sends every id to the Map (same judgement)
    if (decision === this.lastId) return this.lastIndex;
    this.lastId = decision;
    this.lastIndex = this.column(decision);
    return this.lastIndex;
  }

  // Stryker disable next-line BlockStatement: without columns every decision goes to the Map: the same judgements, in more memory
  private column(decision: string): number | undefined {
    // `d` and a number without a leading zero (the coordinator's ids). A literal here, not a
    // module constant, so that mutation testing can switch it (a module constant is built once).
    const m = /^d([1-9]\d{0,8})$/.exec(decision);
    // Stryker disable next-line ConditionalExpression: all ids to the Map is the same judgement in more memory
    if (m === null) return undefined;
    const i = Number(m[1]);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: where the Map takes over changes memory, not judgements (the test with d999999999 pins that the bound exists)
    if (i > MAX_COLUMN) return undefined;
    if (i >= this.optionsCol.length) this.grow(i);
    return i;
  }

  /** Doubles the columns until `i` fits. A position column needs no filling: it is read only where its index column is set, and both are written together. */
  private grow(i: number): void {
    let size = this.optionsCol.length;
    while (size <= i) size *= 2;
    const wider = <T extends Int32Array | Float64Array>(col: T, next: T): T => {
      next.set(col);
      return next;
    };
    this.optionsCol = wider(this.optionsCol, new Int32Array(size));
    this.valueCol = wider(this.valueCol, new Int32Array(size));
    this.actorCol = wider(this.actorCol, new Int32Array(size));
    this.proposedAtCol = wider(this.proposedAtCol, new Float64Array(size));
    this.decidedAtCol = wider(this.decidedAtCol, new Float64Array(size));
  }

  private other(decision: string) {
    let o = this.others.get(decision);
    if (o === undefined) this.others.set(decision, (o = {}));
    return o;
  }

  private intern(s: string): number {
    let i = this.interned.get(s);
    // Stryker disable next-line ConditionalExpression: a string interned twice costs memory, not a judgement
    if (i === undefined) {
      i = this.strings.push(s) - 1;
      this.interned.set(s, i);
    }
    return i;
  }

  /** An option list by identity (a coordinator sends the same array with every proposal), else by content. */
  private list(options: readonly string[]): number {
    let i = this.lists.get(options);
    // Stryker disable next-line ConditionalExpression: the identity cache saves a JSON.stringify, nothing else
    if (i !== undefined) return i;
    const key = JSON.stringify(options);
    i = this.listByContent.get(key);
    // Stryker disable next-line ConditionalExpression: a list kept twice costs memory, not a judgement
    if (i === undefined) {
      i = this.listOf.push(options) - 1;
      this.listByContent.set(key, i);
    }
    // Remember this array too, unless lists arrive as fresh arrays each time (a trace read back from a file).
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the cap bounds memory, not a judgement
    if (this.lists.size < 1024) this.lists.set(options, i);
    return i;
  }
}

/** `{ at }` for a known position, `{}` for NaN (none given). */
function position(at: number): { at?: number } {
  return Number.isNaN(at) ? {} : { at };
}

/**
 * Checks a run's trace for the safety of voting decisions, from the trace alone:
 * - agreement: no decision is decided with two different values (by one coordinator twice, or
 *   by two coordinators that both think they own it);
 * - validity: a decided value is one of the options its proposal offered.
 * Pure: the same events give the same answer, whichever mode produced them.
 *
 * @example
 * ```ts
 * const violations = checkVotingSafety(system.recorder.events!);
 * if (violations.length) console.error(violations);
 * ```
 */
export function checkVotingSafety(events: Iterable<TraceEvent>): VotingViolation[] {
  const monitor = new VotingSafetyMonitor();
  for (const e of events) monitor.observe(e);
  return monitor.violations;
}
