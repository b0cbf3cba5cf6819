import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/actors/envelope.ts';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { SimSystem } from '../src/scheduler/sim-system.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * Issue 15: a scenario's `security:` section in voting runs. Six voters on a ring (the
 * coordinator's proposals and the votes travel through relays), 40 decisions, 4 in flight.
 * Each behaviour is checked against the same run without it, under the same seed.
 */
const DECISIONS = 40;
/**
 * Threads runs wait out real voting timeouts when a voter's ballots are refused: fewer decisions
 * there, more at once, and a timeout no honest ballot on a busy machine comes near.
 */
const THREADS_DECISIONS = 16;

function yaml(security: string, byzantine = '', mode: 'sim' | 'threads' = 'sim', topology = 'ring'): string {
  const decisions = mode === 'sim' ? DECISIONS : THREADS_DECISIONS;
  return `
name: vote-security
agents: [{ role: coder, count: 6 }]
topology: ${topology}
consensus:
  algorithm: simple_majority
  voting_timeout: ${mode === 'sim' ? '300ms' : '1s'}
${security ? `  security: ${security}` : ''}
task: { question: "Which one?", options: [PostgreSQL, MongoDB, DynamoDB], truth: PostgreSQL, decisions: ${decisions}, in_flight: ${mode === 'sim' ? 4 : 8} }
${byzantine ? `faults: { byzantine: { count: 1, types: [${byzantine}] } }` : ''}
mode: ${mode}
`;
}

const run = (text: string, mode: 'sim' | 'threads', extra: Parameters<typeof runScenario>[1] = {}) =>
  runScenario(parseScenario(text), { seed: 3, mode, workers: 2, ...extra });

const AUTH = '{ agent_authentication: required }';
const BOTH = '{ agent_authentication: required, vote_encryption: true }';
const ENCRYPT = '{ vote_encryption: true }';
const clean = { stranger: 0, duplicate: 0, malformed: 0, late: 0 };

for (const mode of ['sim', 'threads'] as const) {
  const DECIDED = mode === 'sim' ? DECISIONS : THREADS_DECISIONS;
  describe(`agent_authentication: required (${mode})`, () => {
    it('honest signed votes all pass, and decide what unsigned ones decide', async () => {
      const [plain, signed] = [await run(yaml('', '', mode), mode), await run(yaml(AUTH, '', mode), mode)];
      expect(signed.refusedVotes).toEqual({ ...clean, unsigned: 0, 'bad-signature': 0 });
      expect(signed.decisions).toEqual(plain.decisions);
      expect(signed.byOutcome).toEqual(plain.byOutcome);
      expect(signed.safetyViolations).toEqual([]);
      if (mode === 'sim') expect(signed.traceHash).toBe(plain.traceHash);
    }, 60_000);

    it("a Byzantine voter's forged vote (naming another voter, signed with its own key) is refused as bad-signature, every time, and the decisions stand", async () => {
      const [honest, forged] = [await run(yaml(AUTH, '', mode), mode), await run(yaml(AUTH, 'forge_votes', mode), mode)];
      expect(forged.refusedVotes).toEqual({ ...clean, unsigned: 0, 'bad-signature': DECIDED });
      expect(forged.byOutcome).toEqual(honest.byOutcome);
      expect(forged.decisions).toEqual(honest.decisions);
      expect(forged.byzantineDetected).toEqual([{ agent: 'coder_001', evidence: 'd1: sent a vote naming coder_002 as its voter' }]);
    }, 60_000);

    it('a Byzantine voter that strips its signatures is refused as unsigned: it counts as not voting at all', async () => {
      const [stripped, silent] = [await run(yaml(AUTH, 'strip_signatures', mode), mode), await run(yaml(AUTH, 'silent', mode), mode)];
      expect(stripped.refusedVotes).toEqual({ ...clean, unsigned: DECIDED, 'bad-signature': 0 });
      expect(stripped.byOutcome).toEqual(silent.byOutcome);
      expect(stripped.decisions).toEqual(silent.decisions);
    }, 60_000);

    it('without the setting the same forger is taken by its sender: its forged vote is only a duplicate', async () => {
      const r = await run(yaml('', 'forge_votes', mode), mode);
      expect(r.refusedVotes).toEqual({ ...clean, duplicate: DECIDED });
    }, 60_000);
  });

  describe(`vote_encryption: true (${mode})`, () => {
    it('decides exactly what the unencrypted run decides; a voter whose ciphertext is tampered with is refused as undecryptable', async () => {
      const [plain, sealed] = [await run(yaml('', '', mode), mode), await run(yaml(BOTH, '', mode), mode)];
      expect(sealed.refusedVotes).toEqual({ ...clean, unsigned: 0, 'bad-signature': 0, unencrypted: 0, undecryptable: 0 });
      expect(sealed.byOutcome).toEqual(plain.byOutcome);
      expect(sealed.decisions).toEqual(plain.decisions);
      const [tampered, silent] = [await run(yaml(ENCRYPT, 'tamper_ciphertext', mode), mode), await run(yaml(ENCRYPT, 'silent', mode), mode)];
      expect(tampered.refusedVotes).toEqual({ ...clean, unencrypted: 0, undecryptable: DECIDED });
      expect(tampered.byOutcome).toEqual(silent.byOutcome);
    }, 60_000);
  });
}

describe('vote_encryption on a ring: what relays carry (sim)', () => {
  /** Every vote envelope handed to a relay's host (`via` set), as the relay's host receives it. */
  async function relayed(security: string, meddle?: (env: Envelope) => Envelope) {
    const bodies: unknown[] = [];
    const votes: TraceEvent[] = [];
    const result = await run(yaml(security), 'sim', {
      onEvent: (e) => {
        if (e.type === 'emit' && (e.event as { type?: string }).type === 'vote') votes.push(e);
      },
      onSystem: (system) => {
        const sim = system as SimSystem;
        const route = sim.route.bind(sim);
        sim.route = (env: Envelope) => {
          if (env.kind === 'vote' && env.via !== undefined) {
            bodies.push(env.body);
            if (meddle) return route(meddle(env));
          }
          route(env);
        };
      },
    });
    return { result, bodies, votes };
  }

  it('relays see only ciphertext; the coordinator reads every vote', async () => {
    const clear = await relayed('');
    const sealed = await relayed(BOTH);
    // Without encryption, relays carry the votes in clear (so the assertion below means something).
    expect(clear.bodies.length).toBeGreaterThan(0);
    expect(clear.bodies.every((b) => JSON.stringify(b).includes('"decision"'))).toBe(true);
    // With it, the same relay hops carry { sealed } and nothing else: no decision id, no vote, no voter.
    expect(sealed.bodies.length).toBe(clear.bodies.length);
    for (const b of sealed.bodies) {
      expect(Object.keys(b as object)).toEqual(['sealed']);
      const text = (b as { sealed: string }).sealed;
      expect(text).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      for (const secret of ['PostgreSQL', 'MongoDB', 'DynamoDB', 'coder_', '"decision"', '"vote"'])
        expect(Buffer.from(text, 'base64').toString('latin1')).not.toContain(secret);
    }
    // The coordinator decrypted every vote: its vote events are those of the run in clear.
    expect(sealed.votes.map((e) => (e as { event: unknown }).event)).toEqual(clear.votes.map((e) => (e as { event: unknown }).event));
  }, 60_000);

  it('a relay that tampers with a ciphertext gets the vote refused and counted, not misread', async () => {
    let changed = 0;
    const { result } = await relayed(ENCRYPT, (env) => {
      if (env.from !== 'coder_003') return env;
      changed++;
      const s = (env.body as { sealed: string }).sealed;
      const i = 20;
      return { ...env, body: { sealed: `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}` } };
    });
    expect(changed).toBeGreaterThan(0);
    // A vote relayed twice is changed twice but refused once, when it arrives.
    expect(result.refusedVotes.undecryptable).toBe(DECISIONS);
    expect(result.refusedVotes.unencrypted).toBe(0);
  }, 60_000);
});
