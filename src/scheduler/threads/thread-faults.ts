import type { ActorId } from '../../actors/envelope.ts';
import type { TraceEvent } from '../../actors/trace-event.ts';
import { ConfigError } from '../../errors.ts';
import type { FaultControl } from '../fault-control.ts';

/**
 * Threads mode's fault control, until the workers apply faults themselves: every fault is
 * refused by name (the swarm driver refuses a scenario's timed faults in threads mode before
 * anything is spawned, so this is only reached from code).
 */
export class ThreadFaults implements FaultControl {
  private readonly started = performance.now();
  constructor(private readonly sink: (event: TraceEvent) => void, private readonly alive: (id: ActorId) => boolean) {}
  now(): number {
    return performance.now() - this.started;
  }
  at(): () => void {
    throw refused('at');
  }
  running(id: ActorId): boolean {
    return this.alive(id);
  }
  note(fault: string, detail: string): void {
    this.sink({ t: performance.timeOrigin + performance.now(), type: 'fault', fault, detail });
  }
  crash(): boolean {
    throw refused('crash');
  }
  recover(): void {
    throw refused('recover');
  }
  partition(): void {
    throw refused('partition');
  }
  block(): void {
    throw refused('block');
  }
  heal(): void {
    throw refused('heal');
  }
  setNetwork(): void {
    throw refused('setNetwork');
  }
  pause(): void {
    throw refused('pause');
  }
  skewClock(): void {
    throw refused('skewClock');
  }
  isolate(): void {
    throw refused('isolate');
  }
}

const refused = (call: string) => new ConfigError(`faults.${call}`, 'a fault sim mode can lay (threads mode does not lay timed faults yet: use --mode sim)', call);
