import type { Envelope } from '../../actors/envelope.ts';

/**
 * A batch of envelopes as it crosses a thread boundary: columns instead of objects, with actor
 * ids and kinds interned once per batch. Structured clone then copies a few typed arrays and a
 * short string table instead of writing every property name of every envelope, which is most of
 * the cost of cloning small objects.
 */
export interface EncodedBatch {
  /** Distinct strings used by `from`, `to` and `kind`. */
  readonly names: string[];
  /** Per envelope: index of from, to and kind in `names`. */
  readonly refs: Uint32Array;
  readonly ids: Float64Array;
  readonly bodies: unknown[];
  /** Per envelope: corr and re (0 when absent; correlation ids start at 1). */
  readonly corr: Float64Array | undefined;
  /**
   * Per envelope, only when some envelope in the batch is travelling a topology: `via` as its
   * index in `names` + 1, `hops`, and `tree` + 1 (0 when absent).
   */
  readonly routing: Float64Array | undefined;
}

/**
 * Encodes a batch (see EncodedBatch).
 *
 * @example
 * ```ts
 * decodeBatch(encodeBatch(batch)); // equal envelopes
 * ```
 */
export function encodeBatch(batch: readonly Envelope[]): EncodedBatch {
  const n = batch.length;
  const index = new Map<string, number>();
  const names: string[] = [];
  const refs = new Uint32Array(3 * n);
  const ids = new Float64Array(n);
  const bodies = new Array<unknown>(n);
  let corr: Float64Array | undefined;
  let routing: Float64Array | undefined;
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = names.length;
      names.push(s);
      index.set(s, i);
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const e = batch[i];
    refs[3 * i] = intern(e.from);
    refs[3 * i + 1] = intern(e.to);
    refs[3 * i + 2] = intern(e.kind);
    ids[i] = e.id;
    bodies[i] = e.body;
    if (e.corr !== undefined || e.re !== undefined) {
      corr ??= new Float64Array(2 * n);
      corr[2 * i] = e.corr ?? 0;
      corr[2 * i + 1] = e.re ?? 0;
    }
    if (e.via !== undefined || e.hops !== undefined || e.tree !== undefined) {
      routing ??= new Float64Array(3 * n);
      routing[3 * i] = e.via === undefined ? 0 : intern(e.via) + 1;
      routing[3 * i + 1] = e.hops ?? 0;
      routing[3 * i + 2] = e.tree === undefined ? 0 : e.tree + 1;
    }
  }
  return { names, refs, ids, bodies, corr, routing };
}

/** Decodes a batch back into envelopes. */
export function decodeBatch(b: EncodedBatch): Envelope[] {
  const n = b.ids.length;
  const out = new Array<Envelope>(n);
  const { names, refs, ids, bodies, corr, routing } = b;
  for (let i = 0; i < n; i++) {
    const c = corr === undefined ? 0 : corr[2 * i];
    const r = corr === undefined ? 0 : corr[2 * i + 1];
    if (routing !== undefined && (routing[3 * i] !== 0 || routing[3 * i + 1] !== 0 || routing[3 * i + 2] !== 0)) {
      const via = routing[3 * i],
        hops = routing[3 * i + 1],
        tree = routing[3 * i + 2];
      out[i] = {
        id: ids[i],
        from: names[refs[3 * i]],
        to: names[refs[3 * i + 1]],
        kind: names[refs[3 * i + 2]],
        body: bodies[i],
        corr: c === 0 ? undefined : c,
        re: r === 0 ? undefined : r,
        via: via === 0 ? undefined : names[via - 1],
        hops: hops === 0 ? undefined : hops,
        tree: tree === 0 ? undefined : tree - 1,
      };
      continue;
    }
    out[i] = {
      id: ids[i],
      from: names[refs[3 * i]],
      to: names[refs[3 * i + 1]],
      kind: names[refs[3 * i + 2]],
      body: bodies[i],
      corr: c === 0 ? undefined : c,
      re: r === 0 ? undefined : r,
    };
  }
  return out;
}
