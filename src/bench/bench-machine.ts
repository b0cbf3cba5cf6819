import { availableParallelism, cpus, loadavg } from 'node:os';
import type { BenchMachine } from './bench-report.ts';

/**
 * The machine this process runs on, as a bench report states it: CPU model, usable cores, Node
 * version, platform, and the load averages now (read at the start: a busy shared machine makes
 * slower figures).
 *
 * @example
 * ```ts
 * benchMachine(); // { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', platform: 'linux x64', loadAverage: [0.82, 2.12, 2.79] }
 * ```
 */
export function benchMachine(): BenchMachine {
  const [one, five, fifteen] = loadavg().map((x) => Math.round(x * 100) / 100);
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: [one, five, fifteen],
  };
}
