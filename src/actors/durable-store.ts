/**
 * An actor's durable storage: what it would keep on disk. It survives the actor being stopped
 * and started again under the same id on the same host (a crash and recovery), and is lost only
 * when a fault wipes it (disk loss) or its host dies. Values are plain data; the actor owns them
 * and may update them in place (a Raft log appended to, say), so writes cost nothing extra.
 *
 * @example
 * ```ts
 * init(ctx) {
 *   const term = ctx.durable.get<number>('term') ?? 0; // 0 on first start, the saved term after a restart
 *   return { term };
 * }
 * ```
 */
export interface DurableStore {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/**
 * A change to an actor's durable store, as a host ships it off to be mirrored (src/net/: a node
 * process's actors keep their "disk" in the coordinator's memory too, so that a node killed with
 * kill -9 does not take its Raft members' terms, votes and logs with it). `append` adds `items`
 * at `from` to an array value already shipped (a Raft log growing); `wipe` is a lost disk.
 *
 * @example
 * ```ts
 * const c: DurableChange = { actor: 'n1', op: 'append', key: 'log', from: 12, items: [{ term: 3, command: 'x' }] };
 * ```
 */
export type DurableChange =
  | { readonly actor: string; readonly op: 'set'; readonly key: string; readonly value: unknown }
  | { readonly actor: string; readonly op: 'delete'; readonly key: string }
  | { readonly actor: string; readonly op: 'append'; readonly key: string; readonly from: number; readonly items: readonly unknown[] }
  | { readonly actor: string; readonly op: 'wipe' };

/** An array value followed since it was last shipped: what tells an append from a rewrite. */
interface Followed {
  readonly array: unknown[];
  length: number;
  first: unknown;
  last: unknown;
  /** The array's own named (non-index) properties when it was shipped whole, and their values. */
  readonly names: readonly string[];
  readonly values: unknown[];
}

/**
 * The durable stores of the actors on one host, by actor id.
 *
 * With `journal()` on, the stores also say what changed since the last `takeChanges()`: every
 * key `set` or `deleted`, every wipe, and for an array value (which its owner may grow in place:
 * a Raft log is appended to without `set`) the items appended since. An array is followed by its
 * length, its first and last shipped items and the values of the named properties it had when it
 * was last shipped whole: a change to any of them (a truncation) ships the array whole. Looking
 * costs O(1) per array per turn, so what it cannot see is an item changed in place with the ends
 * untouched, a named property added later, or an object value changed in place: a behaviour that
 * does any of these must `set` the key again (Raft sets its log when it compacts it; its entries
 * are immutable once logged).
 *
 * @example
 * ```ts
 * const disks = new DurableStores();
 * disks.of('n1').set('term', 3);
 * disks.wipe('n1'); // a lost disk
 * ```
 */
export class DurableStores {
  private readonly stores = new Map<string, Map<string, unknown>>();
  private journaling = false;
  private readonly dirty = new Map<string, Set<string>>();
  private readonly wiped = new Set<string>();
  private readonly followed = new Map<string, Map<string, Followed>>();

  /** The store of `actor`, created empty on first use. */
  of(actor: string): DurableStore {
    let m = this.stores.get(actor);
    if (m === undefined) this.stores.set(actor, (m = new Map()));
    const store = m;
    return {
      get: <T>(key: string) => store.get(key) as T | undefined,
      set: (key: string, value: unknown) => {
        store.set(key, value);
        if (this.journaling) this.touch(actor, key);
      },
      delete: (key: string) => {
        store.delete(key);
        if (this.journaling) this.touch(actor, key);
      },
    };
  }

  /** Forgets everything `actor` stored (a disk that is lost). */
  wipe(actor: string): void {
    this.stores.delete(actor);
    if (!this.journaling) return;
    this.dirty.delete(actor);
    this.followed.delete(actor);
    this.wiped.add(actor);
  }

  /** Starts saying what changes (see the class): from now on `takeChanges()` has them. */
  journal(): void {
    this.journaling = true;
  }

  /** `actor`'s store as given (its mirror, when it restarts on another host); all of it counts as changed. */
  seed(actor: string, entries: readonly (readonly [string, unknown])[]): void {
    const store = new Map<string, unknown>(entries);
    this.stores.set(actor, store);
    if (this.journaling) for (const key of store.keys()) this.touch(actor, key);
  }

  /** What changed since the last call, in an order that rebuilds the stores when applied in turn. */
  takeChanges(): DurableChange[] {
    const out: DurableChange[] = [];
    for (const actor of this.wiped) out.push({ actor, op: 'wipe' });
    this.wiped.clear();
    for (const [actor, keys] of this.dirty) {
      const store = this.stores.get(actor);
      for (const key of keys) {
        if (store?.has(key)) {
          const value = store.get(key);
          out.push({ actor, op: 'set', key, value });
          this.follow(actor, key, value);
        } else {
          out.push({ actor, op: 'delete', key });
          this.followed.get(actor)?.delete(key);
        }
      }
    }
    for (const [actor, byKey] of this.followed) {
      const keys = this.dirty.get(actor);
      for (const [key, f] of byKey) {
        if (keys?.has(key)) continue; // shipped whole above
        const a = f.array;
        const named = sameNamed(a, f);
        if (named && a.length === f.length && (a.length === 0 || (a[a.length - 1] === f.last && a[0] === f.first))) continue;
        if (named && a.length > f.length && (f.length === 0 || (a[f.length - 1] === f.last && a[0] === f.first))) {
          out.push({ actor, op: 'append', key, from: f.length, items: a.slice(f.length) });
          f.length = a.length;
          f.first = a[0];
          f.last = a[a.length - 1];
        } else {
          out.push({ actor, op: 'set', key, value: a });
          this.follow(actor, key, a);
        }
      }
    }
    this.dirty.clear();
    return out;
  }

  private touch(actor: string, key: string): void {
    let keys = this.dirty.get(actor);
    if (keys === undefined) this.dirty.set(actor, (keys = new Set()));
    keys.add(key);
  }

  private follow(actor: string, key: string, value: unknown): void {
    let byKey = this.followed.get(actor);
    if (!Array.isArray(value)) {
      byKey?.delete(key);
      return;
    }
    if (byKey === undefined) this.followed.set(actor, (byKey = new Map()));
    // Object.keys lists every index too: O(length), paid only when the array is shipped whole.
    const names = Object.keys(value).filter((k) => !/^\d+$/.test(k));
    const values = names.map((k) => (value as unknown as Record<string, unknown>)[k]);
    byKey.set(key, { array: value, length: value.length, first: value[0], last: value[value.length - 1], names, values });
  }
}

/** Whether the named properties an array had when shipped whole still hold their values. */
function sameNamed(a: unknown[], f: Followed): boolean {
  for (let i = 0; i < f.names.length; i++) if ((a as unknown as Record<string, unknown>)[f.names[i]] !== f.values[i]) return false;
  return true;
}

/**
 * Applies shipped changes to a mirror of actors' durable stores (the coordinator's copy of a
 * node's disks): `durableOf(actor)` is what the actor would find on restart.
 *
 * @example
 * ```ts
 * const mirror = new DurableMirror();
 * mirror.apply(disks.takeChanges());
 * mirror.durableOf('n1'); // [['term', 3], ['log', [...]]]
 * ```
 */
export class DurableMirror {
  private readonly stores = new Map<string, Map<string, unknown>>();
  /**
   * Actors whose mirror lost the thread (an append that does not continue what it holds: a frame
   * lost on the way, say): their stores are dropped and nothing more is kept for them until a wipe
   * (a set of one key does not make the rest whole again), so a restart starts empty rather than
   * from a made-up or partial disk.
   */
  readonly broken = new Set<string>();

  apply(changes: readonly DurableChange[]): void {
    for (const c of changes) {
      if (c.op === 'wipe') {
        this.stores.delete(c.actor);
        this.broken.delete(c.actor);
        continue;
      }
      if (this.broken.has(c.actor)) continue;
      let store = this.stores.get(c.actor);
      if (store === undefined) this.stores.set(c.actor, (store = new Map()));
      if (c.op === 'set') {
        // An array is appended to later: the mirror keeps its own (a shipped frame is a copy
        // already; a change applied in the same thread would otherwise share the owner's array).
        store.set(c.key, Array.isArray(c.value) ? structuredClone(c.value) : c.value);
      } else if (c.op === 'delete') store.delete(c.key);
      else {
        const a = store.get(c.key);
        if (Array.isArray(a) && a.length === c.from) for (const item of c.items) a.push(item);
        else {
          // Never make up a prefix: this actor's mirror is no longer its disk.
          this.stores.delete(c.actor);
          this.broken.add(c.actor);
        }
      }
    }
  }

  /** `actor`'s durable store as last shipped, or undefined when nothing was. */
  durableOf(actor: string): [string, unknown][] | undefined {
    const store = this.stores.get(actor);
    return store === undefined ? undefined : [...store];
  }
}
