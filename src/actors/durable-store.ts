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
 * The durable stores of the actors on one host, by actor id.
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

  /** The store of `actor`, created empty on first use. */
  of(actor: string): DurableStore {
    let m = this.stores.get(actor);
    if (m === undefined) this.stores.set(actor, (m = new Map()));
    const store = m;
    return {
      get: <T>(key: string) => store.get(key) as T | undefined,
      set: (key: string, value: unknown) => void store.set(key, value),
      delete: (key: string) => void store.delete(key),
    };
  }

  /** Forgets everything `actor` stored (a disk that is lost). */
  wipe(actor: string): void {
    this.stores.delete(actor);
  }
}
