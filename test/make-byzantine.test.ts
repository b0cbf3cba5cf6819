import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/actors/trace-event.ts';
import { PbftSafetyMonitor } from '../src/check/pbft-safety.ts';
import { ConfigError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { LiveRun } from '../src/swarm/run-options.ts';
import { runScenario } from '../src/swarm/run-scenario.ts';

/**
 * A member compromised mid-run (the dashboard's "make Byzantine", `LiveRun.makeByzantine`): laid
 * on the run's clock through the system's fault control, in the trace, in the books; the checkers
 * and the run's figures count it as a liar from then on. The moment is an event of the run (the
 * k-th decision or acknowledgement), never a sleep.
 */

interface Compromised {
  events: TraceEvent[];
  result: Awaited<ReturnType<typeof runScenario>>;
  laid: string | undefined;
}

/** Runs `yaml`, compromising `member` (telling `kinds`) when the k-th `ackType` event is seen. */
async function runCompromising(yaml: string, mode: 'sim' | 'threads', ackType: string, k: number, member: string, kinds?: string[]): Promise<Compromised> {
  const events: TraceEvent[] = [];
  let run: LiveRun | undefined;
  let laid: string | undefined;
  let acks = 0;
  const result = await runScenario(parseScenario(yaml), {
    mode,
    workers: 2,
    seed: 7,
    onSystem: (_s, r) => (run = r),
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'emit' && e.event.type === ackType && ++acks === k) laid = run!.makeByzantine(member, kinds);
    },
  });
  return { events, result, laid };
}

const books = (m: { sent: number; delivered: number; dropped: number; deadLettered: number; inFlight: number }) =>
  m.sent === m.delivered + m.dropped + m.deadLettered + m.inFlight;

/** Where the trace says `member` was compromised: its `byzantine` fault, then its spawn as the adversary. */
function compromise(events: readonly TraceEvent[], member: string): { fault: number; spawn: number; behaviour: string } {
  const fault = events.findIndex((e) => e.type === 'fault' && e.fault === 'byzantine' && e.detail.startsWith(`${member} `));
  const spawn = events.findIndex((e, i) => i > fault && e.type === 'spawn' && e.actor === member);
  return { fault, spawn, behaviour: spawn >= 0 ? (events[spawn] as { behaviour: string }).behaviour : '' };
}

// A short voting timeout: a proposal waiting in the voter's mailbox when it is compromised is
// dead-lettered with it, and its decision then closes at the timeout (wall clock in threads mode).
const VOTE = `
name: turned-voter
agents: [{ role: reviewer, count: 7 }]
consensus: { algorithm: simple_majority, voting_timeout: 1s }
task: { question: Ship it?, options: [yes, no], truth: yes, decisions: 120, in_flight: 4 }
`;

describe('a voter made Byzantine mid-run', () => {
  for (const mode of ['sim', 'threads'] as const) {
    it(`${mode}: votes honestly until then, equivocates after, and the coordinator catches it; books exact, no violation`, async () => {
      const { events, result, laid } = await runCompromising(VOTE, mode, 'decided', 20, 'reviewer_004');
      expect(laid).toMatch(/^make reviewer_004 Byzantine \(conflicting_votes\) at t=/);
      const c = compromise(events, 'reviewer_004');
      expect(c.fault).toBeGreaterThan(0);
      expect(c.spawn).toBeGreaterThan(c.fault);
      expect(c.behaviour).toMatch(/adversary[/\\]byzantine-voter\.[jt]s#byzantineVoter$/);
      expect((events[c.fault] as { detail: string }).detail).toBe('reviewer_004 now lies: conflicting_votes');
      // Caught by the coordinator, for an equivocation it could only see after the compromise.
      expect(result.byzantineDetected.map((d) => d.agent)).toEqual(['reviewer_004']);
      const caught = events.findIndex((e) => e.type === 'emit' && e.event.type === 'byzantine-detected' && e.event.agent === 'reviewer_004');
      expect(caught).toBeGreaterThan(c.spawn);
      expect(result.decisions.attempted).toBe(120);
      expect(result.safetyViolations).toEqual([]);
      expect(books(result.messages)).toBe(true);
    }, 60_000);
  }
});

describe('a Raft node and a PBFT replica made Byzantine mid-run', () => {
  it('Raft (sim): a node turned silent is an adversary from then on; the others finish every command, 0 violations', async () => {
    const yaml = `
name: turned-raft
agents: [{ role: node, count: 5 }]
consensus: { algorithm: raft }
task: { question: q, options: [A, B], decisions: 300, in_flight: 8 }
`;
    const { events, result } = await runCompromising(yaml, 'sim', 'client-ok', 50, 'node_002', ['silent']);
    const c = compromise(events, 'node_002');
    expect(c.spawn).toBeGreaterThan(c.fault);
    expect(c.behaviour).toMatch(/adversary[/\\]byzantine-raft\.[jt]s#/);
    // Silent: nothing it sends after its spawn as the adversary.
    expect(events.slice(c.spawn + 1).some((e) => e.type === 'send' && e.from === 'node_002')).toBe(false);
    expect(result.decisions.decided).toBe(300);
    expect(result.safetyViolations).toEqual([]);
    expect(books(result.messages)).toBe(true);
  }, 60_000);

  it('PBFT (sim, n = 4): a backup turned equivocator is within f; every request accepted, counted as a liar, 0 violations', async () => {
    const yaml = `
name: turned-replica
agents: [{ role: replica, count: 4 }]
consensus: { algorithm: byzantine_tolerant, pbft: { signatures: token } }
task: { question: q, options: [A, B], decisions: 200, in_flight: 4 }
`;
    const { events, result } = await runCompromising(yaml, 'sim', 'pbft-accepted', 40, 'replica_003', ['conflicting_votes']);
    const c = compromise(events, 'replica_003');
    expect(c.behaviour).toMatch(/adversary[/\\]byzantine-replica\.[jt]s#/);
    expect(result.decisions.decided).toBe(200);
    expect(result.pbft?.byzantine).toEqual({ agents: ['replica_003'], kinds: ['conflicting_votes'] });
    expect(result.safetyViolations).toEqual([]);
    expect(books(result.messages)).toBe(true);
  }, 60_000);
});

describe('makeByzantine refuses what it cannot do, by name', () => {
  async function refusal(yaml: string, member: string, kinds?: string[]): Promise<unknown> {
    let error: unknown;
    let run: LiveRun | undefined;
    let tried = false;
    await runScenario(parseScenario(yaml), {
      seed: 1,
      onSystem: (_s, r) => (run = r),
      onEvent: (e) => {
        if (tried || e.type !== 'topology') return;
        tried = true;
        try {
          run!.makeByzantine(member, kinds);
        } catch (err) {
          error = err;
        }
      },
    });
    return error;
  }
  const vote = `
name: v
agents: [{ role: reviewer, count: 3 }]
task: { question: q, options: [A, B], decisions: 2 }
`;

  it('a member outside the swarm, the coordinator, a kind the adversary does not know', async () => {
    expect(await refusal(vote, 'reviewer_009')).toMatchObject({ message: expect.stringMatching(/byzantine\.member.*reviewer_001.*reviewer_009/) });
    expect(await refusal(vote, 'coordinator')).toBeInstanceOf(ConfigError);
    const kind = (await refusal(vote, 'reviewer_001', ['lying'])) as Error;
    expect(kind).toBeInstanceOf(ConfigError);
    expect(kind.message).toMatch(/byzantine\.kinds\[0\].*conflicting_votes.*"lying"/);
  });

  it('gossip has no adversary: refused, naming it', async () => {
    const gossip = `
name: g
agents: [{ role: node, count: 4 }]
consensus: { algorithm: gossip }
task: { question: q, options: [A, B], decisions: 2 }
`;
    const e = (await refusal(gossip, 'node_001')) as Error;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('gossip (it has none)');
  });
});

describe('the PBFT checker learns a liar from its spawn as an adversary', () => {
  const REPLICA = '/app/src/protocols/pbft/replica.ts#pbftReplica';
  const ADVERSARY = '/app/src/adversary/byzantine-replica.ts#byzantineReplica';
  /** p3 commits a different request at sequence 1 than p1 and p2: a violation unless p3 is a liar by then. */
  function findings(p3Behaviour: string): string[] {
    const m = new PbftSafetyMonitor();
    const events: TraceEvent[] = [
      { t: 0, type: 'spawn', actor: 'p1', behaviour: REPLICA, host: 0 },
      { t: 0, type: 'spawn', actor: 'p2', behaviour: REPLICA, host: 0 },
      { t: 0, type: 'spawn', actor: 'p3', behaviour: REPLICA, host: 0 },
      { t: 1, type: 'emit', actor: 'c', event: { type: 'pbft-request', client: 'c', ts: 1, op: 'A' } },
      { t: 1, type: 'emit', actor: 'c', event: { type: 'pbft-request', client: 'c', ts: 2, op: 'B' } },
      { t: 1, type: 'spawn', actor: 'p3', behaviour: p3Behaviour, host: 0 },
      { t: 2, type: 'emit', actor: 'p1', event: { type: 'pbft-committed', view: 0, seq: 1, digest: 'd-a', requests: ['c#1#A'] } },
      { t: 2, type: 'emit', actor: 'p2', event: { type: 'pbft-committed', view: 0, seq: 1, digest: 'd-a', requests: ['c#1#A'] } },
      { t: 3, type: 'emit', actor: 'p3', event: { type: 'pbft-committed', view: 0, seq: 1, digest: 'd-b', requests: ['c#2#B'] } },
    ];
    for (const e of events) m.observe(e);
    return m.finish().map((v) => v.property);
  }
  it('judges a compromised replica no more, and still judges an honest one', () => {
    expect(findings(REPLICA)).toEqual(['agreement']);
    expect(findings(ADVERSARY)).toEqual([]);
  });
});
