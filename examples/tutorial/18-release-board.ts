/**
 * The human-oversight hook of tutorial exercise 18 (`oversight: { module:
 * ./18-release-board.ts#releaseBoard }` in 18-enterprise-release.yml): a stand-in for the people
 * who sign off a critical decision. It approves a decision four fifths of the ballots chose and
 * rejects the others. A real board answers later, through `conclave approve RUN DECISION`.
 */
import type { OversightHook } from '../../src/index.ts';

/** Approves a decision at least four fifths of the ballots chose; rejects the others. */
export const releaseBoard: OversightHook = (request) => (request.strength >= 0.8 ? 'approve' : 'reject');
