/**
 * Seeded pseudo-random numbers (sfc32, seeded through splitmix32). Every random choice in sim
 * mode comes from one of these, so a seed reproduces a run exactly.
 *
 * @example
 * ```ts
 * const rnd = createPrng(42, 'agent-1');
 * rnd(); // same value for the same seed and stream name, every time
 * ```
 */
export type Prng = () => number;

/** A 32-bit FNV-1a hash of a string: stable stream ids from actor names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A generator for `seed` and an optional stream name (independent streams per actor).
 *
 * @example
 * ```ts
 * const rnd = createPrng(42, 'agent-1');
 * rnd() === createPrng(42, 'agent-1')(); // true: same seed and stream, same sequence
 * ```
 */
export function createPrng(seed: number, stream = ''): Prng {
  const mix = splitmix32((seed >>> 0) ^ hashString(stream));
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
