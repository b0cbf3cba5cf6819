/**
 * The dashboard's wire, typed in one place: what the server pushes to the page on a run's event
 * stream (one {@link FeedFrame} per SSE message, at most one every ~250 ms per run) and what the
 * page posts to control a run ({@link ControlAction}).
 */

/** One member as the page draws it. */
export interface MemberView {
  readonly id: string;
  /** `leader` (Raft), `primary` (PBFT) or `coordinator`/`queen`: marked on the graph. */
  readonly role?: string;
  /** Crashed (a `crash` fault not yet recovered). */
  readonly crashed?: boolean;
  /** Caught lying (a `byzantine-detected` / `pbft-detected` event names it). */
  readonly byzantine?: boolean;
  /** Made Byzantine during the run (a `byzantine` fault: from the page, say), caught or not. */
  readonly compromised?: boolean;
  /** Everything it sends is dropped (fault `isolated`). */
  readonly isolated?: boolean;
  /** Its partition group (0, 1, ...) while a partition is in force. */
  readonly group?: number;
}

/**
 * The graph in force. `links` lists each undirected link once, as member indices; a mesh lists
 * none (every member links to every other: `complete` says so) so a 1,000-member mesh costs no
 * bytes. Above the aggregation size members are drawn as teams: `teams` then holds each team's
 * size and members' state counts, and `links` joins team indices.
 */
export interface GraphView {
  readonly kind: string | null;
  readonly epoch: number;
  /** How many members the graph has (when drawn as teams, `members` is empty). */
  readonly size: number;
  readonly members: readonly MemberView[];
  readonly complete: boolean;
  readonly links: readonly (readonly [number, number])[];
  readonly teams?: readonly TeamView[];
}

/** Members drawn as one node above the aggregation size. */
export interface TeamView {
  readonly name: string;
  readonly size: number;
  readonly crashed: number;
  readonly byzantine: number;
  /** The team holds the leader, primary or coordinator. */
  readonly lead: boolean;
}

/** The books at one frame: sent = delivered + dropped + deadLettered + inFlight. */
export interface LedgerView {
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly deadLettered: number;
  readonly inFlight: number;
  readonly droppedBy: Readonly<Record<string, number>>;
}

/** One point of the time series: measured over the interval since the previous frame. */
export interface SeriesPoint {
  /** Wall clock (epoch ms) of the frame. */
  readonly at: number;
  /** Run time (virtual ms in sim mode). */
  readonly t: number;
  /** Decisions closed per wall-clock minute over the interval. */
  readonly perMin: number;
  /** Consensus time p50 and p99 of the decisions closed in the interval (ms, run clock); absent when none closed. */
  readonly p50?: number;
  readonly p99?: number;
  /** Messages sent per wall-clock second over the interval (absent without a ledger). */
  readonly msgsPerSec?: number;
}

/** A vote of one of the latest decisions. */
export interface VoteView {
  readonly decision: string;
  readonly agent: string;
  readonly vote: string;
  readonly reason?: string;
  readonly confidence?: number;
}

/** A timeline entry: a fault, a detection, an alert, a topology switch, a leader or view change, a control action. */
export interface TimelineEntry {
  readonly seq: number;
  readonly t: number;
  readonly kind: 'fault' | 'byzantine' | 'alert' | 'topology' | 'leader' | 'view' | 'control' | 'crash';
  readonly text: string;
}

/**
 * One message on a run's event stream. Series and timeline entries are those since the
 * previous frame (the page appends them); everything else is the state now.
 */
export interface FeedFrame {
  readonly run: string;
  readonly source: 'live' | 'store';
  readonly status: string;
  readonly mode: string | null;
  readonly protocol: string | null;
  /** Run time now (virtual ms in sim mode). */
  readonly t: number;
  /** The run is held by a dashboard pause. */
  readonly paused: boolean;
  readonly decided: number;
  readonly closed: number;
  readonly graph?: GraphView;
  readonly ledger?: LedgerView;
  readonly series: readonly SeriesPoint[];
  readonly votes: readonly VoteView[];
  readonly raftTerm?: number;
  readonly pbftView?: number;
  /** Dynamic weights (voting with `dynamic_weights`), as of the latest decision, beside each agent's first. */
  readonly weights?: WeightsView;
  readonly timeline: readonly TimelineEntry[];
  /** Which control actions this run takes (none for a run read from the store). */
  readonly controls: readonly ControlAction['action'][];
  /** The lies a member made Byzantine from the page can tell (this protocol's adversary), while it takes that action. */
  readonly byzantineKinds?: readonly string[];
  /** Said on the page: what is not shown and why (aggregated teams, a mesh's links not drawn, a store run without a graph). */
  readonly notes: readonly string[];
}

/**
 * How the voters' weights moved under dynamic weights: after which decision, and per agent the
 * weight it started with and the one it has now (the heaviest first, at most 20; `more` counts the rest).
 *
 * @example
 * ```ts
 * const w: WeightsView = { decision: 'd40', agents: [{ agent: 'coder_001', first: 1, now: 1.31 }], more: 0 };
 * ```
 */
export interface WeightsView {
  readonly decision: string;
  readonly agents: readonly { readonly agent: string; readonly first: number; readonly now: number }[];
  readonly more: number;
}

/**
 * A control action from the page, applied to a live run through the scheduler's API (as a
 * scenario's schedule would): on the run's clock, in its trace, books kept.
 */
export type ControlAction =
  | { readonly action: 'pause' }
  | { readonly action: 'resume' }
  | { readonly action: 'switch-topology'; readonly topology: string }
  | { readonly action: 'crash'; readonly member: string }
  | { readonly action: 'recover'; readonly member: string }
  | { readonly action: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly action: 'heal' }
  | { readonly action: 'isolate'; readonly member: string }
  | { readonly action: 'byzantine'; readonly member: string; readonly kinds?: readonly string[] };
