import type { TraceEvent } from '../actors/trace-event.ts';

/**
 * What a run sends its store writer, in columns: the hot records (votes, decisions opening and
 * closing) as parallel arrays, cheap to fill and to post to the writer thread (a structured
 * clone of a few arrays costs a fifth of cloning the events), and the rare ones (topology,
 * faults, leaders, detections, weights, alerts) as small objects.
 */
export interface RecordBatch {
  readonly votes: { t: number[]; decision: string[]; agent: string[]; vote: (string | null)[]; reason: (string | null)[]; confidence: (number | null)[] };
  readonly opens: { t: number[]; decision: string[] };
  readonly closes: {
    t: number[];
    decision: string[];
    outcome: string[];
    value: (string | null)[];
    strength: (number | null)[];
    votes: (number | null)[];
    of: (number | null)[];
    algorithm: (string | null)[];
    latencyMs: (number | null)[];
    detail: (string | null)[];
  };
  readonly events: { t: number; kind: string; actor: string | null; detail: string }[];
  /** Trace time of the last event in the batch. */
  lastT: number;
  /** Votes past the detail limit: counted, not kept. */
  votesCounted: number;
  size: number;
}

/** An empty batch. */
export function emptyBatch(): RecordBatch {
  return {
    votes: { t: [], decision: [], agent: [], vote: [], reason: [], confidence: [] },
    opens: { t: [], decision: [] },
    closes: { t: [], decision: [], outcome: [], value: [], strength: [], votes: [], of: [], algorithm: [], latencyMs: [], detail: [] },
    events: [],
    lastT: 0,
    votesCounted: 0,
    size: 0,
  };
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Runtime events the timeline keeps, under the kind `show` groups them by. */
const RUNTIME_KINDS: Partial<Record<TraceEvent['type'], string>> = {
  topology: 'topology',
  fault: 'fault',
  'host-crash': 'crash',
  restart: 'restart',
  escalate: 'crash',
};

/** Protocol events (`ctx.emit`) the timeline keeps, under the kind `show` groups them by. */
const EMIT_KINDS: Readonly<Record<string, string>> = {
  'raft-leader': 'leader',
  'raft-step-down': 'leader',
  'raft-config': 'leader',
  'raft-transfer': 'leader',
  'raft-snapshot': 'leader',
  'raft-snapshot-send': 'leader',
  'raft-learner': 'leader',
  'pbft-view': 'view',
  'pbft-view-change': 'view',
  'pbft-detected': 'byzantine',
  'byzantine-detected': 'byzantine',
  collusion: 'byzantine',
  weights: 'weights',
  stage: 'stage',
  escalated: 'escalated',
  alert: 'alert',
  'oversight-requested': 'oversight',
  'oversight-answered': 'oversight',
  'client-fail': 'client',
  'client-info': 'client',
  'pbft-client-gave-up': 'client',
  'gossip-gave-up': 'client',
  'task-changed': 'adaptive',
};

/**
 * Adds one trace event to the batch if the store keeps it; returns whether it did (votes only
 * with `detailed`: past the run's detail limit a decision is counted, its votes and the rest of
 * its closing event are not). Each
 * protocol's decisions open and close on its own events: a proposal and its `decided` (voting),
 * a client's invocation and its acknowledgement (Raft), a request and the result the client
 * accepted (PBFT), a gossip round opened and decided.
 */
export function addEvent(b: RecordBatch, e: TraceEvent, detailed = true): boolean {
  if (e.type !== 'emit') {
    const kind = RUNTIME_KINDS[e.type];
    if (kind === undefined) return false;
    const { t, type, ...rest } = e as TraceEvent & Record<string, unknown>;
    b.events.push({ t, kind, actor: str((e as { actor?: unknown }).actor), detail: JSON.stringify({ type, ...rest }) });
    return took(b, t);
  }
  const ev = e.event as Record<string, unknown>;
  switch (ev.type) {
    case 'vote': {
      if (!detailed) {
        // Past the detail limit a vote is only counted (monitor shows votes arriving).
        b.votesCounted++;
        return false;
      }
      const v = b.votes;
      v.t.push(e.t);
      v.decision.push(String(ev.decision));
      v.agent.push(String(ev.agent));
      v.vote.push(str(ev.vote));
      v.reason.push(str(ev.reason));
      v.confidence.push(num(ev.confidence));
      return took(b, e.t);
    }
    case 'proposal':
    case 'gossip-open':
      return open(b, e.t, String(ev.decision));
    case 'client-invoke':
      return open(b, e.t, `${String(ev.client)}#${String(ev.seq)}`);
    case 'pbft-request':
      return open(b, e.t, `${String(ev.client)}#${String(ev.ts)}`);
    case 'decided': {
      const outcome = ev.consensus ? 'decided' : 'no-consensus';
      // Past the detail limit only the outcome and latency are counted: no rest to gather.
      if (!detailed) return close(b, e.t, String(ev.decision), outcome, null, null, null, null, null, num(ev.latencyMs), NOTHING);
      const { type: _t, decision, value, consensus: _c, strength, votes, of, algorithm, latencyMs, ...rest } = ev;
      return close(b, e.t, String(decision), outcome, str(value), num(strength), num(votes), num(of), str(algorithm), num(latencyMs), rest);
    }
    case 'client-ok': {
      if (!detailed) return close(b, e.t, `${String(ev.client)}#${String(ev.seq)}`, 'ok', null, null, null, null, 'raft', null, NOTHING);
      const { type: _t, client, seq, value, ...rest } = ev;
      return close(b, e.t, `${String(client)}#${String(seq)}`, 'ok', str(value), null, null, null, 'raft', null, rest);
    }
    case 'pbft-accepted': {
      const { type: _t, client, ts, result } = ev;
      return close(b, e.t, `${String(client)}#${String(ts)}`, 'accepted', str(result), null, null, null, 'pbft', null, {});
    }
    case 'gossip-decided': {
      const { type: _t, decision, value, nodes, ...rest } = ev;
      return close(b, e.t, String(decision), 'decided', str(value), null, null, num(nodes), 'gossip', null, rest);
    }
    default: {
      const kind = EMIT_KINDS[String(ev.type)];
      if (kind === undefined) return false;
      b.events.push({ t: e.t, kind, actor: e.actor, detail: JSON.stringify(ev) });
      return took(b, e.t);
    }
  }
}

/** The rest of a closing event when there is none to keep. */
const NOTHING: Readonly<Record<string, unknown>> = Object.freeze({});

function took(b: RecordBatch, t: number): true {
  b.size++;
  b.lastT = t;
  return true;
}

function open(b: RecordBatch, t: number, decision: string): true {
  b.opens.t.push(t);
  b.opens.decision.push(decision);
  return took(b, t);
}

function close(
  b: RecordBatch,
  t: number,
  decision: string,
  outcome: string,
  value: string | null,
  strength: number | null,
  votes: number | null,
  of: number | null,
  algorithm: string | null,
  latencyMs: number | null,
  rest: Readonly<Record<string, unknown>>,
): true {
  const c = b.closes;
  c.t.push(t);
  c.decision.push(decision);
  c.outcome.push(outcome);
  c.value.push(value);
  c.strength.push(strength);
  c.votes.push(votes);
  c.of.push(of);
  c.algorithm.push(algorithm);
  c.latencyMs.push(latencyMs);
  c.detail.push(rest !== NOTHING && Object.keys(rest).length > 0 ? JSON.stringify(rest) : null);
  return took(b, t);
}
