import { NatsSwarmError } from './nats-error.ts';

/**
 * The wire version every node and coordinator speaks. A node announces it; a coordinator
 * refuses a node whose version differs (a batch or control message it would misread).
 */
export const WIRE_VERSION = 1;

/** A swarm id or node name: one NATS subject token. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a swarm id or node name can be a NATS subject token.
 *
 * @example
 * ```ts
 * checkToken('--swarm', 'demo-1'); // ok; 'a.b' or 'a b' throws
 * ```
 */
export function checkToken(what: string, value: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new NatsSwarmError(
      `${what} ${JSON.stringify(value)} is not usable as a NATS subject token: use 1 to 64 letters, digits, '-' or '_' (no dots, spaces or wildcards).`,
    );
  }
  return value;
}

/**
 * Every subject a swarm uses, in one place. Nodes are addressed by name; during a run, hosts
 * by their index under the run's id (a node hosts one run at a time).
 *
 * @example
 * ```ts
 * const s = swarmSubjects('demo');
 * s.node('n1'); // 'conclave.demo.node.n1'
 * s.envelopes('r1', 2); // 'conclave.demo.run.r1.h2.env'
 * ```
 */
export function swarmSubjects(swarm: string) {
  const base = `conclave.${swarm}`;
  return {
    /** Nodes announce joining and leaving here. */
    announce: `${base}.announce`,
    /** A coordinator asks who is here; every idle or busy node answers. */
    who: `${base}.who`,
    /** Heartbeats of node `name`. */
    heartbeat: (name: string) => `${base}.hb.${name}`,
    /** Heartbeats of every node. */
    heartbeats: `${base}.hb.*`,
    /** Node control (ping, claim for a run, release, die). */
    node: (name: string) => `${base}.node.${name}`,
    /** The control plane of host `index` in run `run` (the WorkerApi, request/reply). */
    control: (run: string, index: number) => `${base}.run.${run}.h${index}.ctl`,
    /** Envelope batches for host `index`. */
    envelopes: (run: string, index: number) => `${base}.run.${run}.h${index}.env`,
    /** Host `index` → coordinator: cuts and events. */
    out: (run: string, index: number) => `${base}.run.${run}.h${index}.out`,
    /** Coordinator → host `index`: trace acknowledgements. */
    ack: (run: string, index: number) => `${base}.run.${run}.h${index}.ack`,
  };
}

/** The subjects of one swarm. */
export type SwarmSubjects = ReturnType<typeof swarmSubjects>;
