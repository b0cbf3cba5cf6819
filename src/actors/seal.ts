import { freeze } from 'immer';

/**
 * `value` deep-frozen, in place: plain objects and arrays by hand (the hot path: a message body
 * is a few small plain objects, and this is several times cheaper than a general walker), Maps
 * and Sets by immer (which also makes their mutators throw). Anything else — class instances,
 * typed arrays, which cannot be frozen with elements — is left as it is, and so is what it holds.
 * A frozen object is taken as already sealed and not walked again (immer's states, a body sent
 * twice), which also ends cycles.
 *
 * @example
 * ```ts
 * const body = seal({ vote: { option: 'A' } });
 * Object.isFrozen(body.vote); // true
 * ```
 */
export function seal<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) sealObject(value);
  return value;
}

function sealObject(o: object): void {
  if (Array.isArray(o)) {
    Object.freeze(o);
    for (let i = 0; i < o.length; i++) {
      const v: unknown = o[i];
      if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) sealObject(v);
    }
    return;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) {
    Object.freeze(o);
    for (const key in o) {
      const v: unknown = (o as Record<string, unknown>)[key];
      if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) sealObject(v);
    }
    return;
  }
  if (o instanceof Map || o instanceof Set) freeze(o, true);
}
