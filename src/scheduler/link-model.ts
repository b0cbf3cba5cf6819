import { ConfigError } from '../errors.ts';
import type { ActorId } from '../actors/envelope.ts';
import type { Prng } from './prng.ts';

/**
 * How long an envelope takes on a link in sim mode. Each envelope draws its own latency from the
 * seeded stream; per-link FIFO is kept regardless (an envelope never overtakes an earlier one on
 * the same link), as real transports between two actors do.
 *
 * @example
 * ```ts
 * const latency: LatencyDistribution = { kind: 'exponential', meanMs: 5, minMs: 1 };
 * const sim = new SimSystem({ seed: 42, link: { latency } });
 * ```
 */
export type LatencyDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number; readonly minMs?: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly sdMs: number; readonly minMs?: number };

/**
 * The network as sim mode sees it: a latency distribution for every link, optional overrides for
 * some links (first match wins), and an optional loss rate (drops are counted under the fault
 * name `link-drop`).
 *
 * @example
 * ```ts
 * const link: LinkModel = { latency: { kind: 'uniform', minMs: 1, maxMs: 3 },
 *   overrides: [{ from: 'far-away', latency: { kind: 'fixed', ms: 40 } }] };
 * ```
 */
export interface LinkModel {
  readonly latency: LatencyDistribution;
  readonly overrides?: ReadonlyArray<{ readonly from?: ActorId; readonly to?: ActorId; readonly latency: LatencyDistribution }>;
  readonly dropRate?: number;
  /** Probability that the network delivers an envelope twice (fault `duplicate`; the copy is counted as sent). */
  readonly duplicateRate?: number;
  /** Keep each link's order (default true). `false` lets a later envelope overtake an earlier one (fault `reorder`). */
  readonly fifo?: boolean;
}

/**
 * The link model sim mode uses when none is given: 1-3 ms uniform latency, no drops.
 *
 * @example
 * ```ts
 * const sim = new SimSystem({ link: { ...DEFAULT_LINK, dropRate: 0.01 } });
 * ```
 */
export const DEFAULT_LINK: LinkModel = { latency: { kind: 'uniform', minMs: 1, maxMs: 3 } };

/**
 * Draws one latency in ms (never negative).
 *
 * @example
 * ```ts
 * sampleLatency({ kind: 'uniform', minMs: 1, maxMs: 3 }, createPrng(42)); // a number in [1, 3)
 * ```
 */
export function sampleLatency(d: LatencyDistribution, rnd: Prng): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.minMs + (d.maxMs - d.minMs) * rnd();
    case 'exponential':
      return (d.minMs ?? 0) - d.meanMs * Math.log(1 - rnd());
    case 'normal': {
      // Box-Muller; clamp at minMs (default 0) because a latency cannot be negative.
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      return Math.max(d.minMs ?? 0, d.meanMs + d.sdMs * z);
    }
  }
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Validates a distribution; `path` names the field in errors. */
export function validateLatency(d: unknown, path: string): LatencyDistribution {
  const o = d as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new ConfigError(path, "{ kind: 'fixed' | 'uniform' | 'exponential' | 'normal', ... }", d);
  switch (o.kind) {
    case 'fixed':
      if (!num(o.ms)) throw new ConfigError(`${path}.ms`, 'a number of ms >= 0', o.ms);
      break;
    case 'uniform':
      if (!num(o.minMs)) throw new ConfigError(`${path}.minMs`, 'a number of ms >= 0', o.minMs);
      if (!num(o.maxMs) || o.maxMs < o.minMs) throw new ConfigError(`${path}.maxMs`, `a number of ms >= minMs (${o.minMs})`, o.maxMs);
      break;
    case 'exponential':
      if (!num(o.meanMs)) throw new ConfigError(`${path}.meanMs`, 'a number of ms >= 0', o.meanMs);
      if (o.minMs !== undefined && !num(o.minMs)) throw new ConfigError(`${path}.minMs`, 'a number of ms >= 0', o.minMs);
      break;
    case 'normal':
      if (!num(o.meanMs)) throw new ConfigError(`${path}.meanMs`, 'a number of ms >= 0', o.meanMs);
      if (!num(o.sdMs)) throw new ConfigError(`${path}.sdMs`, 'a number of ms >= 0', o.sdMs);
      break;
    default:
      throw new ConfigError(`${path}.kind`, "'fixed' | 'uniform' | 'exponential' | 'normal'", o.kind);
  }
  return o as unknown as LatencyDistribution;
}

/** Validates a whole link model. */
export function validateLinkModel(m: unknown, path = 'link'): LinkModel {
  const o = m as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new ConfigError(path, '{ latency, overrides?, dropRate?, duplicateRate?, fifo? }', m);
  validateLatency(o.latency, `${path}.latency`);
  if (o.dropRate !== undefined && !(num(o.dropRate) && o.dropRate <= 1)) throw new ConfigError(`${path}.dropRate`, 'a probability in [0, 1]', o.dropRate);
  if (o.duplicateRate !== undefined && !(num(o.duplicateRate) && o.duplicateRate <= 1))
    throw new ConfigError(`${path}.duplicateRate`, 'a probability in [0, 1]', o.duplicateRate);
  if (o.fifo !== undefined && typeof o.fifo !== 'boolean') throw new ConfigError(`${path}.fifo`, 'true or false', o.fifo);
  if (o.overrides !== undefined) {
    if (!Array.isArray(o.overrides)) throw new ConfigError(`${path}.overrides`, 'an array of { from?, to?, latency }', o.overrides);
    o.overrides.forEach((ov: Record<string, unknown>, i: number) => validateLatency(ov?.latency, `${path}.overrides[${i}].latency`));
  }
  return o as unknown as LinkModel;
}
