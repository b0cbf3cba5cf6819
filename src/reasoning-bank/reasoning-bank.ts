import type { Arm, Choice, ConfigChooser, Outcome, TaskClass } from '../hive/chooser.ts';
import { createPrng, type Prng } from '../scheduler/prng.ts';
import { openStore, type StoreDb } from '../store/open-store.ts';
import { addDrift, addOutcome, armKey, describeArm, patternKey, readArms, readPatterns, setBestArm, type ArmStats } from './pattern-store.ts';
import { beta, normal } from './sampling.ts';
import { featureSimilarity } from './similarity.ts';
import { DEFAULT_UTILITY, utility, type UtilityWeights } from './utility.ts';
import { fieldEstimate } from './field-effects.ts';

export interface ReasoningBankOptions {
  /**
   * Discounted figures decay by this factor per use of their pattern (default 0.998: an outcome
   * 350 uses old weighs half), so a bank that converged still follows a best arm that drifts;
   * an abrupt change is caught sooner by the pattern's drift (see `record`).
   */
  readonly discount?: number;
  readonly utility?: UtilityWeights;
  /** How many of the most similar other patterns lend a prior to a class (default 3). */
  readonly neighbours?: number;
  /**
   * The most pseudo-uses an arm's prior from the class's arms sharing its field values is worth
   * (default 10); each similar class lends up to a fifth of it (2 uses by default, as before). The field model ignores how
   * fields interact (a mesh's coordination grows with its team), so past 10 uses an arm's own
   * figures should outweigh them: at 20 the bank kept sampling arms their fields flattered, and
   * learned more slowly (benchmark, 8 seeds: cumulative regret 144 against 132 at 10).
   */
  readonly priorStrength?: number;
  /**
   * Posterior sharpening (default 3; 1 is plain Thompson sampling): each arm is sampled from its
   * posterior with the variance divided by this (the Beta's counts and the normals' precision
   * multiplied by it), so the bank spends fewer objectives on arms that are only plausibly best.
   * Measured on the learning benchmark (seeds 1-14, in-process, with `driftThreshold` 15): at 3
   * the mean cumulative regret falls from 139 to 105 (stationary) and from 203 to 164 (changing),
   * and after the change the bank meets the bars within 5 sessions on 10 seeds of 14 instead of
   * 4 (mean best share of the new oracle 94.4 % -> 96.2 %); but the arms it settles on trade a few
   * points of success for up to a tenth more time than the oracle's (near-equal utility), so the
   * session-5 bars are met on 7 seeds against 6, and seed 1 misses the time bar there (1.101x).
   * The default all the same: lower regret on every one of the 14 seeds, and recovery on 10, not
   * 4. With threshold 10, 2 and 4 raised a false alarm (seed 3).
   */
  readonly sharpen?: number;
  /**
   * Change detection's CUSUM threshold (default 15, see DRIFT_SLACK); a higher one raises fewer
   * false alarms when the bank plays fewer arms more often (see `sharpen`; at 15 one false alarm
   * in seeds 1-14, seed 2); at 20 it still trips in the first session after the benchmark's
   * change (seeds 1-8).
   */
  readonly driftThreshold?: number;
  /** Wall clock for the stored timestamps (default Date.now). */
  readonly now?: () => number;
}

/**
 * Change detection: a one-sided CUSUM, per pattern, of how surprised the chosen arm's figures are
 * by each outcome. Surprise is the outcome's negative log-likelihood under the arm's discounted
 * figures (a Bernoulli success rate, a log-normal duration) minus its expected value, so in a
 * world that still matches the figures it averages 0, and after a change it averages the
 * Kullback-Leibler divergence of the new behaviour from the stored one: it grows when an arm
 * fails more, and also when it takes longer or shorter than it used to. The success-only
 * statistic this replaces (issue 19) only caught arms whose success collapsed; most classes'
 * best arms change more quietly (a few points of success, a fifth more or less time).
 *
 * Only arms with this many recent uses have figures to be surprised by: fewer give a noisy
 * duration spread and false alarms.
 */
const DRIFT_MIN_USES = 20;
/**
 * Slack and threshold: each outcome adds its surprise minus the slack, so in a stable world the
 * drift sinks back to 0; a change must add about 15 in excess surprise to call it (10 until the
 * default sharpening of 3: a bank that plays fewer arms more often is surprised more readily).
 * Chosen so that the stationary benchmark world (2,900 uses per seed) raises one false alarm in
 * 14 seeds x 15 sessions (seed 2), while an arm whose success falls from 97 % to 86 % and whose time changes by a
 * fifth trips within about two sessions of its class.
 */
const DRIFT_SLACK = 0.4;
const DRIFT_THRESHOLD = 15;
/** Posterior sharpening by default (see ReasoningBankOptions.sharpen). */
const SHARPEN = 3;
/**
 * A duration more than this many standard deviations from the arm's mean counts as this many:
 * one straggler (a retry, a slow machine) is not a change of the world.
 */
const DRIFT_MAX_Z = 3;
/**
 * What a change leaves of the old discounted figures: nothing, in every pattern (a restart). A
 * change detected in one class means the hive the figures were measured on changed (another
 * worker pool, other models), so every class's figures are suspect; and what is kept of them
 * misleads more than it helps, because an arm's prior comes from the other arms' figures (main
 * effects), which after a change point at the old best topology and queen: in the benchmark,
 * keeping a tenth recovered more slowly than starting again (92 % against 94 % of the new
 * oracle after five sessions, mean of 8 seeds). The all-time figures and trajectories stay.
 */
const DRIFT_KEEP = 0;

/**
 * The surprise of one outcome under an arm's discounted figures, minus its expectation (see
 * DRIFT_MIN_USES): `-log p(success)` less the entropy of the success rate, plus half the squared
 * standardized log duration less a half (the log-normal's, its log mean and spread matched to
 * the arm's mean and variance of durations).
 */
function surprise(known: ArmStats['discounted'], outcome: Outcome): number {
  const n = known.uses;
  const p = (known.successes + 1) / (n + 2);
  const entropy = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  const success = -Math.log(outcome.success ? p : 1 - p) - entropy;
  const mean = known.durationSum / n;
  if (!(mean > 0)) return success;
  const variance = Math.max(0, known.durationSq / n - mean * mean);
  // Floored: an arm whose durations hardly vary would make any change of a second look huge.
  const logVar = Math.max(0.01, Math.log(1 + variance / (mean * mean)));
  const logMean = Math.log(mean) - logVar / 2;
  const z = Math.max(-DRIFT_MAX_Z, Math.min(DRIFT_MAX_Z, (Math.log(Math.max(1, outcome.durationMs)) - logMean) / Math.sqrt(logVar)));
  return success + (z * z - 1) / 2;
}

/** Similar classes below this similarity lend nothing: another kind of task altogether. */
const MIN_SIMILARITY = 0.2;

/** The figures Thompson sampling draws from for one arm. */
interface Posterior {
  readonly alpha: number;
  readonly beta: number;
  readonly quality: number;
  readonly qualitySd: number;
  readonly duration: number;
  readonly durationSd: number;
  readonly uses: number;
  /** Pseudo-uses borrowed from similar patterns. */
  readonly lent: number;
}

/**
 * Cross-session learning of which configuration to run a task class with (issue 19), stored in
 * the run store so every session (a separate process) starts from what the last ones learned.
 *
 * Choosing is Thompson sampling: each candidate's success rate is drawn from its Beta posterior
 * (discounted successes and failures over a prior), its mean quality and duration from normal
 * posteriors, and the arm with the highest sampled utility wins. The prior is where retrieval
 * comes in: arms the class has not tried borrow from the nearest stored patterns by task-class
 * similarity, and from the class's own arms that share a field value (the same topology, the
 * same queen), so a new or little-tried class starts near what worked for similar ones.
 * Recording updates the pattern, the arm and the trajectory in one SQLite transaction: durable
 * when `record` returns.
 *
 * @example
 * ```ts
 * const bank = ReasoningBank.open('.conclave/conclave.db');
 * const choice = bank.choose({ name: 'docs-api', features: { complexity: 0.3 } }, candidates, 7);
 * bank.record(taskClass, choice, { success: true, quality: 0.9, durationMs: 42_000 });
 * bank.close();
 * ```
 */
export class ReasoningBank implements ConfigChooser {
  readonly #db: StoreDb;
  readonly #discount: number;
  readonly #utility: UtilityWeights;
  readonly #neighbours: number;
  readonly #priorStrength: number;
  readonly #sharpen: number;
  readonly #driftThreshold: number;
  readonly #now: () => number;

  constructor(db: StoreDb, o: ReasoningBankOptions = {}) {
    this.#db = db;
    this.#discount = o.discount ?? 0.998;
    if (!(this.#discount > 0 && this.#discount <= 1)) throw new RangeError(`ReasoningBank: discount must be in (0, 1] (got ${o.discount})`);
    this.#utility = o.utility ?? DEFAULT_UTILITY;
    this.#neighbours = o.neighbours ?? 3;
    if (!(Number.isInteger(this.#neighbours) && this.#neighbours >= 0))
      throw new RangeError(`ReasoningBank: neighbours must be an integer >= 0 (got ${o.neighbours})`);
    this.#priorStrength = o.priorStrength ?? 10;
    if (!(this.#priorStrength >= 0 && Number.isFinite(this.#priorStrength)))
      throw new RangeError(`ReasoningBank: priorStrength must be a finite number >= 0 (got ${o.priorStrength})`);
    this.#sharpen = o.sharpen ?? SHARPEN;
    if (!(this.#sharpen >= 1 && Number.isFinite(this.#sharpen))) throw new RangeError(`ReasoningBank: sharpen must be a finite number >= 1 (got ${o.sharpen})`);
    this.#driftThreshold = o.driftThreshold ?? DRIFT_THRESHOLD;
    if (!(this.#driftThreshold > 0 && Number.isFinite(this.#driftThreshold)))
      throw new RangeError(`ReasoningBank: driftThreshold must be a finite number > 0 (got ${o.driftThreshold})`);
    this.#now = o.now ?? Date.now;
  }

  /** Opens (creating or migrating) the run store at `file` and a bank on it. */
  static open(file: string, o: ReasoningBankOptions = {}): ReasoningBank {
    return new ReasoningBank(openStore(file), o);
  }

  close(): void {
    this.#db.close();
  }

  choose(taskClass: TaskClass, candidates: readonly Arm[], seed: number): Choice {
    if (candidates.length === 0) throw new RangeError(`ReasoningBank.choose: no candidate configuration for task class "${taskClass.name}"`);
    const key = patternKey(taskClass.name);
    const own = new Map(readArms(this.#db, key, this.#discount).map((a) => [a.armKey, a]));
    const lenders = this.#similarPatterns(taskClass, key);
    const rnd = createPrng(seed, key);
    let best: { arm: Arm; score: number; post: Posterior } | undefined;
    for (const arm of candidates) {
      const post = this.#posterior(arm, own, lenders);
      const score = this.#sample(rnd, post);
      if (best === undefined || score > best.score) best = { arm, score, post };
    }
    const { arm, post } = best!;
    const mean = post.alpha / (post.alpha + post.beta);
    const from =
      post.uses > 0
        ? `sampled from ${formatUses(post.uses)} uses`
        : post.lent > 0
          ? `untried here, prior from ${lenders.length} similar pattern${lenders.length > 1 ? 's' : ''} (nearest ${lenders[0]!.name}, similarity ${lenders[0]!.similarity.toFixed(2)})`
          : 'untried, exploring';
    return { arm, patternKey: key, reason: `${from}, posterior mean ${mean.toFixed(2)}` };
  }

  record(taskClass: TaskClass, choice: Choice, outcome: Outcome): void {
    checkOutcome(outcome);
    const key = patternKey(taskClass.name);
    if (choice.patternKey !== key)
      throw new RangeError(`ReasoningBank.record: the choice was made for ${choice.patternKey}, not for task class "${taskClass.name}" (${key})`);
    this.#db
      .transaction(() => {
        // Change detection (one-sided CUSUM of surprise, see DRIFT_MIN_USES): an arm the bank
        // knows well behaving otherwise than its figures say, in success or in time, adds to the
        // pattern's drift; enough of it means the world changed, and the figures restart so that
        // the bank explores again instead of trusting them.
        const known = readArms(this.#db, key, this.#discount).find((a) => a.armKey === armKey(choice.arm))?.discounted;
        addOutcome(this.#db, { taskClass, arm: choice.arm, outcome, reason: choice.reason, discount: this.#discount, at: this.#now() });
        if (known && known.uses >= DRIFT_MIN_USES) addDrift(this.#db, key, surprise(known, outcome) - DRIFT_SLACK, this.#driftThreshold, DRIFT_KEEP);
        const best = bestArm(readArms(this.#db, key, this.#discount), this.#utility);
        if (best)
          setBestArm(this.#db, key, best.arm, `${describeArm(best.arm)} (success ${(best.rate * 100).toFixed(0)}% over ${formatUses(best.uses)} recent uses)`);
      })
      .immediate();
  }

  /** The other stored patterns most similar to `taskClass`, with their arms. */
  #similarPatterns(taskClass: TaskClass, ownKey: string): { name: string; similarity: number; arms: Map<string, ArmStats> }[] {
    if (this.#neighbours === 0 || this.#priorStrength === 0) return [];
    return readPatterns(this.#db)
      .filter((p) => p.key !== ownKey)
      .map((p) => ({ p, similarity: featureSimilarity(taskClass.features, p.features) }))
      .filter((x) => x.similarity >= MIN_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity || a.p.key.localeCompare(b.p.key))
      .slice(0, this.#neighbours)
      .map(({ p, similarity }) => ({ name: p.name, similarity, arms: new Map(readArms(this.#db, p.key, this.#discount).map((a) => [a.armKey, a])) }));
  }

  /**
   * An arm's posterior: its own discounted figures over a prior. The prior's mean comes from
   * (a) this class's other arms, as an additive model of the arm's field values (the same
   * topology, the same queen, ...) fitted to them (`fieldEstimate`); and (b) the same arm in
   * the most similar other patterns, weighted by similarity. The prior is worth more as the
   * evidence behind it grows (up to `priorStrength` uses from the fields, a fifth of that per
   * similar class), so an untried arm whose every field did badly is rarely tried, and
   * one trial of an arm does not outweigh what its fields say.
   */
  #posterior(arm: Arm, own: Map<string, ArmStats>, lenders: readonly { similarity: number; arms: Map<string, ArmStats> }[]): Posterior {
    const k = armKey(arm);
    const mine = own.get(k);
    const effects = fieldEstimate(arm, own);
    let w = 0,
      pSum = 0,
      qSum = 0,
      dSum = 0;
    if (effects) {
      const c = Math.min(this.#priorStrength, effects.evidence);
      w += c;
      pSum += c * effects.success;
      qSum += c * effects.quality;
      dSum += c * effects.durationMs;
    }
    let lent = 0;
    for (const l of lenders) {
      const d = l.arms.get(k)?.discounted;
      if (!d || d.uses <= 0) continue;
      const c = (this.#priorStrength / 5) * l.similarity * Math.min(1, d.uses);
      lent += c;
      w += c;
      pSum += (c * d.successes) / d.uses;
      qSum += (c * d.qualitySum) / d.uses;
      dSum += (c * d.durationSum) / d.uses;
    }
    const n = mine?.discounted.uses ?? 0;
    const s = mine?.discounted.successes ?? 0;
    const pMean = w > 0 ? pSum / w : 0.5;
    const total = n + w;
    const quality = total > 0 ? ((mine?.discounted.qualitySum ?? 0) + qSum) / total : 0.5;
    const duration = total > 0 ? ((mine?.discounted.durationSum ?? 0) + dSum) / total : 0;
    // Spread of one duration: the arm's own when it has a few, else a third of the mean (the
    // order of the noise objectives show); the posterior of the mean narrows with uses.
    const ownVar = mine && n >= 2 ? Math.max(0, mine.discounted.durationSq / n - (mine.discounted.durationSum / n) ** 2) : (duration / 3) ** 2;
    return {
      alpha: 1 + s + w * pMean,
      beta: 1 + (n - s) + w * (1 - pMean),
      quality,
      qualitySd: 0.25 / Math.sqrt(1 + total),
      duration,
      durationSd: Math.sqrt(ownVar / (1 + total)),
      uses: mine?.uses ?? 0,
      lent,
    };
  }

  #sample(rnd: Prng, p: Posterior): number {
    const k = this.#sharpen;
    const success = beta(rnd, k * p.alpha, Math.max(k * p.beta, 1e-9));
    const quality = p.quality + (p.qualitySd / Math.sqrt(k)) * normal(rnd);
    const duration = Math.max(0, p.duration + (p.durationSd / Math.sqrt(k)) * normal(rnd));
    return utility(success, quality, duration, this.#utility);
  }
}

/** The arm with the best discounted mean utility among those with at least one recent use. */
function bestArm(arms: readonly ArmStats[], w: UtilityWeights): { arm: Arm; rate: number; uses: number } | undefined {
  let best: { arm: Arm; rate: number; uses: number; u: number } | undefined;
  for (const a of arms) {
    const d = a.discounted;
    if (d.uses < 1) continue;
    // Laplace-smoothed, so one lucky success does not outrank ten good uses.
    const rate = (d.successes + 1) / (d.uses + 2);
    const u = utility(rate, d.qualitySum / d.uses, d.durationSum / d.uses, w);
    if (best === undefined || u > best.u) best = { arm: a.arm, rate: d.successes / d.uses, uses: d.uses, u };
  }
  return best;
}

function formatUses(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * Refuses an outcome the figures could not hold (NaN would poison a pattern for good).
 *
 * @example
 * ```ts
 * checkOutcome({ success: true, quality: 2, durationMs: 1 }); // throws: quality must be in [0, 1]
 * ```
 */
export function checkOutcome(o: Outcome): void {
  if (typeof o.success !== 'boolean') throw new RangeError(`outcome.success must be true or false (got ${String(o.success)})`);
  if (!(o.quality >= 0 && o.quality <= 1)) throw new RangeError(`outcome.quality must be a number in [0, 1] (got ${String(o.quality)})`);
  if (!(o.durationMs >= 0 && Number.isFinite(o.durationMs)))
    throw new RangeError(`outcome.durationMs must be a finite number >= 0 (got ${String(o.durationMs)})`);
}
