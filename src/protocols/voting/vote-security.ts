import type { ActorContext } from '../../actors/behaviour.ts';
import type { ActorId, Envelope, Message } from '../../actors/envelope.ts';
import type { Outcome, Vote } from './types.ts';

/**
 * What a voter does to a ballot before sending it (from the scenario's `security:` section):
 * sign it (`agent_authentication: required`), encrypt it for the coordinator (`vote_encryption`).
 *
 * @example
 * ```ts
 * const props: VoterProps = { role: 'coder', ballot: { sign: true, encrypt: true } };
 * ```
 */
export interface BallotSecurity {
  readonly sign?: boolean;
  readonly encrypt?: boolean;
}

/**
 * What the coordinator enforces and records (from `security:` and `audit:`): the ballot's
 * signature and encryption, a reason on every vote, detailed vote events, the compliance
 * check, and whether lying voters are reported (default true).
 *
 * @example
 * ```ts
 * const s: VoteSecurity = { sign: true, encrypt: true, justify: true, detailedLogging: true, compliance: true };
 * ```
 */
export interface VoteSecurity extends BallotSecurity {
  readonly justify?: boolean;
  readonly detailedLogging?: boolean;
  readonly compliance?: boolean;
  readonly detectByzantine?: boolean;
}

/**
 * Why a ballot was refused on security or audit grounds (counted in `refusedVotes` beside
 * `stranger`, `duplicate`, `malformed`, `late`): no signature; a signature that is not the
 * sender's over this vote as the agent it names; a ballot in clear when encryption is required;
 * a ciphertext that does not decrypt (tampered, or not for this coordinator from this sender);
 * a vote with no reason when a justification is required.
 *
 * @example
 * ```ts
 * const r: SecurityRefusal = 'bad-signature';
 * ```
 */
export type SecurityRefusal = 'unsigned' | 'bad-signature' | 'unencrypted' | 'undecryptable' | 'unjustified';

/**
 * The refusal counters a coordinator with these settings keeps (each starts at 0, so a run that
 * checked and refused nothing says so); none when nothing is enforced.
 *
 * @example
 * ```ts
 * refusalCounters({ sign: true }); // { unsigned: 0, 'bad-signature': 0 }
 * ```
 */
export function refusalCounters(s: VoteSecurity | undefined): Partial<Record<SecurityRefusal, number>> {
  return {
    ...(s?.sign ? { unsigned: 0, 'bad-signature': 0 } : {}),
    ...(s?.encrypt ? { unencrypted: 0, undecryptable: 0 } : {}),
    ...(s?.justify ? { unjustified: 0 } : {}),
  };
}

/**
 * The text a voter signs: the coordinator it votes to, the decision, and the whole vote in a
 * canonical form (keys sorted), so the signature covers every field a policy may read and
 * cannot be moved to another decision or coordinator.
 *
 * @example
 * ```ts
 * ctx.verify(env.from, ballotText(ctx.self, 'd1', vote), signature);
 * ```
 */
export function ballotText(coordinator: ActorId, decision: string, vote: unknown): string {
  return `conclave-vote\u0000${coordinator}\u0000${decision}\u0000${canonicalJson(vote)}`;
}

/** JSON with object keys sorted at every level (undefined members left out, as JSON does). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The `vote` message for a ballot, as `security` asks: signed by this actor (the runtime's key
 * for `ctx.self`), then encrypted for `to`. The body of an encrypted ballot is `{ sealed }` only:
 * relays and other members learn neither the decision it is for nor the vote.
 *
 * @example
 * ```ts
 * ctx.send(env.from, ballot(ctx, env.from, { decision: p.id, vote }, ctx.props.ballot));
 * ```
 */
export function ballot(
  ctx: ActorContext<unknown>,
  to: ActorId,
  body: { readonly decision: string; readonly vote: Vote },
  security: BallotSecurity | undefined,
): Message {
  const signed = security?.sign ? { ...body, signature: ctx.sign(ballotText(to, body.decision, body.vote)) } : body;
  return { kind: 'vote', body: security?.encrypt ? { sealed: ctx.encryptFor(to, JSON.stringify(signed)) } : signed };
}

/**
 * A ballot as the coordinator reads it: decrypted and its signature checked, as `security`
 * requires; or why it is refused (with evidence against the sender when it is proof of lying:
 * a vote signed as someone else, or naming someone else).
 *
 * @example
 * ```ts
 * const opened = openBallot(env, ctx, ctx.props.security);
 * if ('refused' in opened) { refused[opened.refused]++; return; }
 * ```
 */
export function openBallot(
  env: Envelope,
  ctx: ActorContext<unknown>,
  security: VoteSecurity | undefined,
): { body: unknown } | { refused: SecurityRefusal; evidence?: string } {
  let body: unknown = env.body;
  if (security?.encrypt) {
    const sealed = (body as { sealed?: unknown } | undefined)?.sealed;
    if (typeof sealed !== 'string') return { refused: 'unencrypted' };
    const text = ctx.decryptFrom(env.from, sealed);
    if (text === undefined) return { refused: 'undecryptable' };
    try {
      body = JSON.parse(text);
    } catch {
      // Only the sender could have encrypted it: garbage inside is its own malformed ballot.
      return { body: undefined };
    }
  }
  if (!security?.sign) return { body };
  const b = body as { decision?: unknown; vote?: { agent?: unknown }; signature?: unknown } | undefined;
  if (typeof b !== 'object' || b === null || b.signature === undefined) return { refused: 'unsigned' };
  const decision = typeof b.decision === 'string' ? b.decision : '?';
  const agent = b.vote?.agent;
  if (agent !== env.from) {
    return { refused: 'bad-signature', evidence: `${decision}: sent a vote naming ${typeof agent === 'string' ? agent : 'nobody'} as its voter` };
  }
  if (typeof b.signature !== 'string' || typeof b.decision !== 'string' || !ctx.verify(env.from, ballotText(ctx.self, b.decision, b.vote), b.signature)) {
    return { refused: 'bad-signature', evidence: `${decision}: a vote whose signature is not its own over it` };
  }
  return { body };
}

/**
 * Whether a vote gives a reason (`audit.decision_justification: required` refuses one that does not).
 *
 * @example
 * ```ts
 * justified({ ...vote, reason: '  ' }); // false
 * ```
 */
export function justified(vote: { readonly reason?: unknown }): boolean {
  return typeof vote.reason === 'string' && vote.reason.trim().length > 0;
}

/**
 * The compliance check of one closed decision (`audit.compliance_check`): a decision that
 * reached consensus needs at least `threshold` of its counted votes justified, and the policy
 * that decided it on record. Returns what failed, or undefined when it complies (a decision
 * without consensus decided nothing, and is not checked).
 *
 * @example
 * ```ts
 * complianceFinding(votes, outcome, 'simple_majority', 0.5); // undefined, or 'only 1 of 3 votes justified (needs 50%)'
 * ```
 */
export function complianceFinding(votes: readonly Vote[], outcome: Outcome, policy: string | undefined, threshold: number): string | undefined {
  if (!outcome.consensus) return undefined;
  if (policy === undefined || policy.length === 0) return 'no policy recorded for the decision';
  const ok = votes.filter(justified).length;
  if (votes.length === 0 || ok / votes.length < threshold) return `only ${ok} of ${votes.length} votes justified (needs ${Math.round(threshold * 100)}%)`;
  return undefined;
}

/** Findings a run keeps in its summary (the count goes on). */
const FINDINGS_KEPT = 100;

/**
 * Books one closed decision's compliance check (`audit.compliance_check`): counts it when it
 * reached consensus, and a failure as a finding (the first 100 kept) and a
 * `compliance-finding` trace event.
 *
 * @example
 * ```ts
 * if (s.compliance) checkCompliance(s.compliance, 'd7', votes, outcome, 'simple_majority', 0.5, ctx);
 * ```
 */
export function checkCompliance(
  books: { checked: number; failed: number; findings: { decision: string; finding: string }[] },
  decision: string,
  votes: readonly Vote[],
  outcome: Outcome,
  policy: string | undefined,
  threshold: number,
  ctx: ActorContext<unknown>,
): void {
  if (outcome.consensus) books.checked++;
  const finding = complianceFinding(votes, outcome, policy, threshold);
  if (finding === undefined) return;
  books.failed++;
  if (books.findings.length < FINDINGS_KEPT) books.findings.push({ decision, finding });
  ctx.emit({ type: 'compliance-finding', decision, finding });
}
