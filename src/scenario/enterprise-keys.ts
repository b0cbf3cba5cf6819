/**
 * The enterprise sections of `consensus:` (decision policies, audit, monitoring, security,
 * production mode). Their meaning belongs to the enterprise and security parts of Conclave: the
 * configuration loader passes them through untouched, at the path they were written at
 * (`consensus.<key>`), for those parts to validate. This list is the one hook between them.
 *
 * @example
 * ```ts
 * ENTERPRISE_KEYS.includes('decision_policies'); // true
 * ```
 */
export const ENTERPRISE_KEYS: readonly string[] = Object.freeze(['production_mode', 'decision_policies', 'audit', 'monitoring', 'security']);

/**
 * The enterprise sections present in a `consensus:` mapping, untouched.
 *
 * @example
 * ```ts
 * enterpriseSections({ algorithm: 'raft', audit: { enabled: true } }); // { audit: { enabled: true } }
 * ```
 */
export function enterpriseSections(consensus: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(ENTERPRISE_KEYS.filter((k) => Object.hasOwn(consensus, k)).map((k) => [k, consensus[k]]));
}
