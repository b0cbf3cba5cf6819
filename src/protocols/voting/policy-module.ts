/**
 * Custom consensus policies written by users: loaded from a module, guarded so that a bug in one
 * yields a no-consensus outcome instead of crashing the runtime, and kept in a small registry.
 */
import { basename, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors.ts';
import type { Outcome, Policy, Proposal, Vote } from './types.ts';
import { importUserModule } from '../../user-module.ts';

/**
 * Where a custom policy lives: an absolute path or `file:` URL, the export to take (default
 * `evaluate`, else a default or `policy` export), and optionally the name to give it.
 *
 * @example
 * ```ts
 * const ref: PolicyModuleRef = { module: '/abs/path/policies/medical.ts' };
 * ```
 */
export interface PolicyModuleRef {
  readonly module: string;
  readonly export?: string;
  readonly name?: string;
}

type Evaluate = (proposal: Proposal, votes: readonly Vote[]) => unknown;

const WHAT_TO_EXPORT =
  'a module exporting an evaluate function, e.g. `export function evaluate(proposal, votes) { ... }` ' +
  '(or a default/`policy` export { name, evaluate }), at an absolute path or file: URL';

/**
 * Imports a custom policy and returns it guarded (see `guardPolicy`). A module that cannot be
 * imported, or exports no evaluate function, is a ConfigError naming `path`. The name is
 * `ref.name`, else the policy object's or module's `name` export, else the file name.
 *
 * @example
 * ```ts
 * const medical = await loadPolicyModule({ module: '/abs/path/examples/policies/medical.ts' });
 * medical.name; // 'medical_consensus'
 * ```
 */
export async function loadPolicyModule(ref: PolicyModuleRef, path = 'consensus.policy'): Promise<Policy> {
  const spec = ref?.module;
  const url = typeof spec !== 'string' ? undefined : spec.startsWith('file:') ? spec : isAbsolute(spec) ? pathToFileURL(spec).href : undefined;
  if (!url) throw new ConfigError(`${path}.module`, WHAT_TO_EXPORT, spec);
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(url);
  } catch (e) {
    throw new ConfigError(`${path}.module`, `${WHAT_TO_EXPORT}; importing it failed (${(e as Error)?.message ?? String(e)})`, spec);
  }
  const candidates = ref.export !== undefined ? [ref.export] : ['evaluate', 'default', 'policy'];
  for (const key of candidates) {
    const found = asEvaluate(mod[key]);
    if (!found) continue;
    const name = ref.name ?? found.name ?? (typeof mod.name === 'string' ? mod.name : basename(spec).replace(/\.[^.]*$/, ''));
    return guardPolicy({ name, evaluate: found.evaluate as Policy['evaluate'] });
  }
  const exportsList = Object.keys(mod).sort().join(', ') || 'none';
  throw new ConfigError(
    ref.export !== undefined ? `${path}.export` : path,
    `${WHAT_TO_EXPORT} (exports found: ${exportsList})`,
    ref.export !== undefined ? mod[ref.export] : spec,
  );
}

/** An export that is an evaluate function, or an object with one (bound, in case it uses `this`). */
function asEvaluate(x: unknown): { evaluate: Evaluate; name?: string } | undefined {
  if (typeof x === 'function') return { evaluate: x as Evaluate };
  if (typeof x === 'object' && x !== null && typeof (x as Policy).evaluate === 'function') {
    const name = (x as { name?: unknown }).name;
    return { evaluate: (x as Policy).evaluate.bind(x), name: typeof name === 'string' ? name : undefined };
  }
  return undefined;
}

/**
 * Wraps a policy so that evaluating it never throws: an evaluate that throws, or returns
 * something not shaped like an Outcome (`consensus` boolean, `strength` a number in [0, 1],
 * `decision` a string if present), yields `{ consensus: false, strength: 0, reason: 'policy error: ...' }`.
 * A bad user policy must cost one decision, not the run.
 *
 * @example
 * ```ts
 * const p = guardPolicy({ name: 'broken', evaluate: () => { throw new Error('oops'); } });
 * p.evaluate(proposal, votes); // { consensus: false, strength: 0, reason: 'policy error: oops' }
 * ```
 */
export function guardPolicy(policy: Policy): Policy {
  const inner = policy.evaluate.bind(policy);
  return {
    name: policy.name,
    evaluate(proposal, votes) {
      let out: unknown;
      try {
        out = inner(proposal, votes);
      } catch (e) {
        return failed(e instanceof Error ? e.message : String(e));
      }
      const problem = outcomeProblem(out);
      return problem ? failed(problem) : (out as Outcome);
    },
  };
}

function failed(message: string): Outcome {
  return { consensus: false, strength: 0, reason: `policy error: ${message}` };
}

/** What is wrong with a would-be Outcome, or undefined. */
function outcomeProblem(out: unknown): string | undefined {
  if (typeof out !== 'object' || out === null) return `evaluate returned ${out === null ? 'null' : typeof out}, expected { consensus, strength }`;
  if (typeof (out as { then?: unknown }).then === 'function') return 'evaluate returned a Promise; it must be synchronous';
  const { consensus, strength, decision } = out as Record<string, unknown>;
  if (typeof consensus !== 'boolean') return `consensus must be a boolean, got ${typeof consensus}`;
  if (typeof strength !== 'number' || !(strength >= 0 && strength <= 1)) return `strength must be a number in [0, 1], got ${String(strength)}`;
  if (decision !== undefined && typeof decision !== 'string') return `decision must be a string, got ${typeof decision}`;
  return undefined;
}

const registry = new Map<string, Policy>();

/**
 * Registers a policy under a name (replacing any earlier one), guarded like a loaded module.
 *
 * @example
 * ```ts
 * registerPolicy('medical_consensus', await loadPolicyModule({ module: '/abs/path/medical.ts' }));
 * ```
 */
export function registerPolicy(name: string, policy: Policy): void {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('registerPolicy.name', 'a non-empty string', name);
  if (typeof policy?.evaluate !== 'function')
    throw new ConfigError(`registerPolicy(${JSON.stringify(name)})`, 'a policy { name, evaluate(proposal, votes) }', policy);
  registry.set(name, guardPolicy({ name, evaluate: policy.evaluate.bind(policy) }));
}

/**
 * The policy registered under `name`, or undefined.
 *
 * @example
 * ```ts
 * getPolicy('medical_consensus')?.evaluate(proposal, votes);
 * ```
 */
export function getPolicy(name: string): Policy | undefined {
  return registry.get(name);
}

/**
 * The registered names, sorted.
 *
 * @example
 * ```ts
 * policyNames(); // ['financial_risk_consensus', 'medical_consensus']
 * ```
 */
export function policyNames(): string[] {
  return [...registry.keys()].sort();
}
