/**
 * `conclave/system`: the runtime that hosts actors — createSystem and both execution modes (sim,
 * threads), link models, the seeded PRNG, the trace recorder, topology routing and switching.
 * It lives in src/system, above src/scheduler and src/scheduler/threads: a barrel in src/scheduler
 * naming ThreadSystem would make those two folders import each other.
 */
export { createSystem } from './create-system.ts';
export { SimSystem } from '../scheduler/sim-system.ts';
export { ThreadSystem } from '../scheduler/threads/thread-system.ts';
export { DEFAULT_LINK, sampleLatency } from '../scheduler/link-model.ts';
export { createPrng } from '../scheduler/prng.ts';
export { TraceRecorder } from '../scheduler/trace-recorder.ts';
export { TopologyRouter } from '../scheduler/topology-router.ts';
export { AdaptiveTopology } from '../scheduler/adaptive-topology.ts';
export type { ActorSystem, ExecutionMode, RunResult, HostCrash, SystemStatus } from '../scheduler/actor-system.ts';
export type { SystemOptions } from './create-system.ts';
export type { SimOptions } from '../scheduler/sim-system.ts';
export type { ThreadOptions } from '../scheduler/threads/thread-system.ts';
export type { LinkModel, LatencyDistribution } from '../scheduler/link-model.ts';
export type { Transport } from '../scheduler/transport.ts';
export type { TopologySwitch, EpochStats, SwitchOptions } from '../scheduler/topology-control.ts';
