/**
 * The dashboard's server thread for a live run (`conclave run --dashboard`): serves the pages,
 * merges the frames the run's thread posts, and hands control requests back to it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BridgeInit, ControlReply, ControlRequest, FromServer, ToServer } from './bridge-protocol.ts';
import { DashboardServer } from './dashboard-server.ts';
import type { ControlAction, FeedFrame } from './feed-frame.ts';
import { mergeFrames } from './merge-frames.ts';

const init = workerData as BridgeInit;
const signal = new Int32Array(init.signal);
const post = (m: FromServer) => parentPort!.postMessage(m);
let pending: FeedFrame | undefined;
let latest: FeedFrame | undefined;
let nextId = 0;
const waiting = new Map<number, (reply: ControlReply) => void>();

init.control.on('message', (reply: ControlReply) => {
  waiting.get(reply.id)?.(reply);
  waiting.delete(reply.id);
});

const server = new DashboardServer(init.server);
server.addRun({
  id: init.runId,
  label: init.label,
  frame: () => {
    const out = pending ?? (latest ? { ...latest, series: [], timeline: [] } : emptyFrame());
    pending = undefined;
    return out;
  },
  control: (action: ControlAction) =>
    new Promise<string>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (r) => (r.ok ? resolve(r.text) : reject(new Error(r.text))));
      init.control.postMessage({ id, action } satisfies ControlRequest);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    }),
});

parentPort!.on('message', (m: ToServer) => {
  pending = pending ? mergeFrames(pending, m.frame) : m.frame;
  latest = m.frame;
  if (m.type === 'end') {
    server.flush(init.runId);
    // The thread is terminated next: end the pages' streams first, so none is cut mid-chunk.
    server.endStreams().then(
      () => post({ type: 'flushed' }),
      () => post({ type: 'flushed' }),
    );
  }
});

server.start().then(
  ({ url, port }) => post({ type: 'ready', url, port, token: server.token, generatedToken: server.generatedToken }),
  (e: Error) => post({ type: 'failed', message: e.message, name: e.name }),
);

/** Before the run's first frame: a run starting. */
function emptyFrame(): FeedFrame {
  return {
    run: init.runId,
    source: 'live',
    status: 'running',
    mode: null,
    protocol: null,
    t: 0,
    paused: false,
    decided: 0,
    closed: 0,
    series: [],
    votes: [],
    timeline: [],
    controls: [],
    notes: ['the run is starting'],
  };
}
