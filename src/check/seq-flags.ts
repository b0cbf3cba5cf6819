/** The largest number the classes below keep densely. */
const MAX_DENSE = 2 ** 28 - 1;

/**
 * Which small non-negative integers (a client's request timestamps, dense from 1) have been seen,
 * one bit each: what a long run's checker remembers of every request for ever, in an eighth of a
 * byte instead of a map entry (issue 18). Values it cannot hold as bits (negative, fractional, or
 * past 2^28 - 1: 32 MB of bits at most) go to a set beside them, so it answers for any number.
 *
 * @example
 * ```ts
 * const f = new SeqFlags();
 * f.add(3);
 * f.has(3); // true
 * f.has(4); // false
 * ```
 */
export class SeqFlags {
  private bits = new Uint8Array(64);
  private others: Set<number> | undefined;

  has(n: number): boolean {
    if (!dense(n)) return this.others?.has(n) ?? false;
    // Past the end a typed array reads undefined, which `&` makes 0: not seen.
    return (this.bits[n >>> 3] & (1 << (n & 7))) !== 0;
  }

  add(n: number): void {
    if (!dense(n)) {
      (this.others ??= new Set()).add(n);
      return;
    }
    const byte = n >>> 3;
    if (byte >= this.bits.length) this.bits = grown(this.bits, byte);
    this.bits[byte] |= 1 << (n & 7);
  }
}

/**
 * A string per small non-negative integer (a request's operation by its timestamp), as an index
 * into a table of the distinct strings shared by every `SeqStrings` given the same table: four
 * bytes a number where the strings repeat (a workload's few operations). Numbers it cannot hold
 * densely go to a map beside.
 *
 * @example
 * ```ts
 * const table: string[] = [];
 * const ops = new SeqStrings(table);
 * ops.set(7, 'incr k3');
 * ops.get(7); // 'incr k3'
 * ops.get(8); // undefined
 * ```
 */
export class SeqStrings {
  private codes = new Uint32Array(64);
  private others: Map<number, string> | undefined;
  private readonly index: Map<string, number>;

  constructor(private readonly table: string[]) {
    this.index = SeqStrings.indexes.get(table) ?? new Map(table.map((s, i) => [s, i]));
    SeqStrings.indexes.set(table, this.index);
  }

  get(n: number): string | undefined {
    if (!dense(n)) return this.others?.get(n);
    const code = this.codes[n]; // 0 when never set, undefined past the end
    return code ? this.table[code - 1] : undefined;
  }

  set(n: number, s: string): void {
    if (!dense(n)) {
      (this.others ??= new Map()).set(n, s);
      return;
    }
    let code = this.index.get(s);
    if (code === undefined) {
      code = this.table.push(s) - 1;
      this.index.set(s, code);
    }
    if (n >= this.codes.length) this.codes = grown(this.codes, n);
    this.codes[n] = code + 1;
  }

  /** The index of each table, shared by the columns over it. */
  private static readonly indexes = new WeakMap<string[], Map<string, number>>();
}

/** `a` copied into an array of its kind, its length doubled until `index` fits (the callers' `index` is past its end). */
function grown<T extends Uint8Array | Uint32Array>(a: T, index: number): T {
  let size = a.length;
  while (size <= index) size *= 2;
  const out = new (a.constructor as new (length: number) => T)(size);
  out.set(a);
  return out;
}

/** Whether `n` is kept densely (a bit, a code) rather than beside: a non-negative integer up to MAX_DENSE. */
function dense(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_DENSE;
}
