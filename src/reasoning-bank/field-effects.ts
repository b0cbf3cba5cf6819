import type { Arm } from '../hive/chooser.ts';
import { type ArmStats, armKey } from './pattern-store.ts';

/** What a class's other arms say of an arm: expected success, quality and duration, and the evidence behind it. */
export interface FieldEstimate {
  readonly success: number;
  readonly quality: number;
  readonly durationMs: number;
  /** The fewest discounted uses among the arm's field values (the same topology, the same queen, ...). */
  readonly evidence: number;
}

/**
 * How far each field value's effect is pulled towards none: as if one more use with that value
 * had shown no effect. Measured on the learning benchmark (in-process, seeds 1-14, then seeds
 * 15-21 held out): at 0 early noise sets the effects, and after the world changes the bank
 * recovers within 5 sessions on 3 held-out seeds of 7; at 2 the effects come too late (recovery
 * on 10 seeds of 14 against 13 at 1).
 */
const SHRINK = 1;
/** Backfitting passes: the effects of 4 fields of 2-4 values each settle within a few. */
const PASSES = 4;

/**
 * An arm's figures as an additive model fitted to the class's *other* arms: the log-odds of
 * success, the mean quality and the log of the mean duration, each a base plus one effect per
 * field value, fitted by backfitting weighted by discounted uses. Fitted, not pooled: the bank
 * plays the arms it believes best far more often, so the pool of arms with one queen is mostly
 * arms with the best topology, and a plain average per value would credit that queen with the
 * topology's merit. That is how, before this model, the bank stayed on a hierarchical topology
 * for a whole session where mesh was the best (benchmark seed 5, prototype-spike), or on the
 * slower consensus (seed 9, migration-guide). Undefined when a field value of the arm has no
 * use among the other arms.
 *
 * @example
 * ```ts
 * const est = fieldEstimate({ topology: 'mesh', queen: 'tactical' }, armsOfTheClass);
 * est?.success; // the success rate the mesh and the tactical queen predict together
 * ```
 */
export function fieldEstimate(arm: Arm, arms: ReadonlyMap<string, ArmStats> | readonly ArmStats[]): FieldEstimate | undefined {
  const fields = Object.keys(arm);
  const own = armKey(arm);
  const rows: { values: unknown[]; n: number; y: [number, number, number] }[] = [];
  let total = 0;
  for (const a of arms.values()) {
    const d = a.discounted;
    if (!(d.uses > 0) || a.armKey === own) continue;
    const rate = (d.successes + 0.5) / (d.uses + 1);
    rows.push({
      values: fields.map((f) => a.arm[f]),
      n: d.uses,
      y: [Math.log(rate / (1 - rate)), d.qualitySum / d.uses, Math.log(Math.max(1, d.durationSum / d.uses))],
    });
    total += d.uses;
  }
  if (rows.length === 0) return undefined;
  let evidence = Infinity;
  for (let f = 0; f < fields.length; f++) {
    let n = 0;
    for (const r of rows) if (r.values[f] === arm[fields[f]!]) n += r.n;
    if (n <= 0) return undefined;
    evidence = Math.min(evidence, n);
  }
  // Each field's values numbered once (in the order rows show them), so the fit below works on
  // arrays: the bank fits every candidate (48 in the benchmark) on every choice.
  const codes = new Int32Array(rows.length * fields.length);
  const sizes = fields.map((_, f) => {
    const index = new Map<unknown, number>();
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]!.values[f];
      let c = index.get(v);
      if (c === undefined) index.set(v, (c = index.size));
      codes[r * fields.length + f] = c;
    }
    return index;
  });
  const armCodes = fields.map((f, g) => sizes[g]!.get(arm[f])!);
  const predicted = [0, 1, 2].map((target) => {
    let base = 0;
    for (const r of rows) base += r.n * r.y[target]!;
    base /= total;
    // effects[f][code]: the effect of that value of field f (0 until fitted).
    const effects = sizes.map((index) => new Float64Array(index.size));
    const others = (r: number, skip: number) => {
      let sum = 0;
      for (let g = 0; g < fields.length; g++) if (g !== skip) sum += effects[g]![codes[r * fields.length + g]!]!;
      return sum;
    };
    for (let pass = 0; pass < PASSES; pass++) {
      for (let f = 0; f < fields.length; f++) {
        const sum = new Float64Array(sizes[f]!.size);
        const n = new Float64Array(sizes[f]!.size);
        for (let r = 0; r < rows.length; r++) {
          const c = codes[r * fields.length + f]!;
          sum[c] += rows[r]!.n * (rows[r]!.y[target]! - base - others(r, f));
          n[c] += rows[r]!.n;
        }
        for (let c = 0; c < sum.length; c++) effects[f]![c] = sum[c]! / (n[c]! + SHRINK);
      }
    }
    let sum = 0;
    for (let g = 0; g < fields.length; g++) sum += effects[g]![armCodes[g]!]!;
    return base + sum;
  });
  return {
    success: 1 / (1 + Math.exp(-Math.max(-6, Math.min(6, predicted[0]!)))),
    quality: Math.max(0, Math.min(1, predicted[1]!)),
    durationMs: Math.exp(predicted[2]!),
    evidence,
  };
}
