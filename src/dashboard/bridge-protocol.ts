/**
 * The wire between a run's thread and the dashboard's server thread (`conclave run --dashboard`),
 * one interface per message kind. The server runs in a worker so that it answers while a sim
 * run holds the main thread: frames travel to it by postMessage; control actions travel back on
 * a port the run's thread reads synchronously between events (`receiveMessageOnPort`), and a
 * shared counter wakes it from a pause.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ControlAction, FeedFrame } from './feed-frame.ts';
import type { DashboardServerOptions } from './dashboard-server.ts';

/** What the server worker starts with. */
export interface BridgeInit {
  readonly server: DashboardServerOptions;
  readonly runId: string;
  readonly label: string;
  /** Control requests go to the run's thread on this port. */
  readonly control: MessagePort;
  /** Int32[1]: bumped and notified after each control request (wakes a paused run). */
  readonly signal: SharedArrayBuffer;
}

/** Worker -> run: the server listens. */
export interface BridgeReady {
  readonly type: 'ready';
  readonly url: string;
  readonly port: number;
  readonly token?: string;
  readonly generatedToken: boolean;
}
/** Worker -> run: it could not start (a port in use, a bad token). */
export interface BridgeFailed {
  readonly type: 'failed';
  readonly message: string;
  readonly name: string;
}
/** Worker -> run: the final frame went out to every page. */
export interface BridgeFlushed {
  readonly type: 'flushed';
}
/** Run -> worker: the latest frame. */
export interface BridgeFrame {
  readonly type: 'frame';
  readonly frame: FeedFrame;
}
/** Run -> worker: the run ended; send its last frame and say so. */
export interface BridgeEnd {
  readonly type: 'end';
  readonly frame: FeedFrame;
}

/** Worker -> run (control port): a request from a page. */
export interface ControlRequest {
  readonly id: number;
  readonly action: ControlAction;
}
/** Run -> worker (control port): what became of it. */
export interface ControlReply {
  readonly id: number;
  readonly ok: boolean;
  readonly text: string;
}

/** Messages the worker posts to the run's thread. */
export type FromServer = BridgeReady | BridgeFailed | BridgeFlushed;
/** Messages the run's thread posts to the worker. */
export type ToServer = BridgeFrame | BridgeEnd;
