/**
 * The human-oversight hook examples/enterprise-policies.yml names (`oversight: { module:
 * ./enterprise-oversight.ts#releaseBoard }`): a stand-in for a release board that signs off a
 * critical decision only when the vote behind it was strong. A real one would ask a person
 * (the run store's `conclave approve RUN DECISION`) and answer later: run it in threads mode then.
 */
import type { OversightHook } from '../src/index.ts';

/** Approves a decision at least four fifths of the ballots chose; rejects the others. */
export const releaseBoard: OversightHook = (request) => (request.strength >= 0.8 ? 'approve' : 'reject');
