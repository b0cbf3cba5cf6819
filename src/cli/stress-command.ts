import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { checkAlgorithm } from '../protocols/voting/algorithms.ts';
import { family, faultsFor, runStress, type StressPlan, type StressReport } from '../stress/index.ts';
import { bold, dim, green, heading, int, red, yellow } from './format.ts';

/**
 * Options of `conclave stress`, as commander parses them.
 *
 * @example
 * ```ts
 * await stressCommand({ protocol: 'pbft', agents: 7, runs: 100, seed: 1, decisions: 100 }, console.log, process.stderr);
 * ```
 */
export interface StressCommandOptions {
  readonly protocol: string;
  readonly agents: number;
  readonly byzantine?: number;
  readonly faults?: string;
  readonly runs: number;
  readonly seed: number;
  readonly decisions: number;
  readonly workers?: number;
  readonly json?: boolean;
  readonly save?: string;
}

/**
 * `conclave stress`: many seeded runs, each with a fault schedule drawn from its seed, on a
 * piscina pool; prints what the checkers found and, for every failing run, the command and
 * the scenario file that reproduce it. Returns the exit code: 1 when a run broke safety (or
 * failed outright), else 0.
 */
export async function stressCommand(o: StressCommandOptions, out: (line: string) => void, progress?: { isTTY?: boolean; write(s: string): unknown }): Promise<number> {
  if (family(o.protocol) === 'voting') checkAlgorithm(o.protocol, '--protocol');
  const plan: StressPlan = { protocol: o.protocol, agents: o.agents, byzantine: o.byzantine, faults: faultsFor(o.protocol, o.faults?.split(',').map((f) => f.trim()).filter(Boolean)), decisions: o.decisions };
  if (o.byzantine !== undefined && !plan.faults.includes('byzantine')) throw new ConfigError('--byzantine', `a protocol that takes Byzantine faults (${o.protocol} does not)`, o.byzantine);
  if (o.byzantine !== undefined && o.byzantine >= o.agents) throw new ConfigError('--byzantine', `fewer than --agents (${o.agents})`, o.byzantine);
  let last = -1;
  const report = await runStress(plan, {
    runs: o.runs, seed: o.seed, workers: o.workers,
    onProgress: (done, runs) => {
      if (!progress || o.json) return;
      const pct = Math.floor((done / runs) * 100);
      if (progress.isTTY) progress.write(`\r  ${'█'.repeat(Math.floor(pct / 4)).padEnd(25, '░')} ${done}/${runs} runs`);
      else if (pct >= last + 10 || done === runs) progress.write(`  ${done}/${runs} runs\n`);
      last = pct;
    },
  });
  if (progress?.isTTY && !o.json) progress.write('\n');
  const saved = o.save ? saveFailing(report, o.save) : [];
  if (o.json) out(JSON.stringify({ ...report, saved }, null, 2));
  else printReport(report, o, saved, out);
  return report.failing.length > 0 ? 1 : 0;
}

function saveFailing(report: StressReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return report.failing.map((f) => {
    const file = join(dir, `stress-${report.plan.protocol}-${f.seed}.yml`);
    writeFileSync(file, f.scenario);
    return file;
  });
}

function replayCommand(o: StressCommandOptions, seed: number): string {
  return `conclave stress --protocol ${o.protocol} --agents ${o.agents}${o.byzantine !== undefined ? ` --byzantine ${o.byzantine}` : ''}${o.faults ? ` --faults ${o.faults}` : ''} --decisions ${o.decisions} --runs 1 --seed ${seed}`;
}

function printReport(r: StressReport, o: StressCommandOptions, saved: string[], out: (line: string) => void): void {
  out(bold(`stress · ${r.plan.protocol} · ${r.plan.agents} agents · faults ${r.plan.faults.join(', ')} · ${int(r.runs)} runs from seed ${r.seed}`) + dim(` · ${r.workers} workers · sim mode`));
  out(heading('Summary'));
  out(`  runs         ${int(r.runs)} in ${(r.wallMs / 1000).toFixed(1)} s (${int(Math.round((r.runs / r.wallMs) * 60_000))} runs/min) · slowest seed ${r.slowest.seed} (${r.slowest.wallMs} ms)`);
  out(`  decisions    ${int(r.decisions.decided)} of ${int(r.decisions.attempted)} reached`);
  const safety = Object.entries(r.violations);
  out(`  safety       ${safety.length === 0 ? green('0 violations') : red(safety.map(([p, n]) => `${n} ${p}`).join(' · '))}`);
  out(`  liveness     ${r.unfinished.length === 0 ? green('every run finished its work') : yellow(`${r.unfinished.length} runs did not finish (seeds ${r.unfinished.slice(0, 8).join(', ')}${r.unfinished.length > 8 ? ', ...' : ''})`)}`);
  if (r.detected > 0) out(`  byzantine    ${int(r.detected)} liars caught over all runs`);
  if (r.failing.length === 0) return;
  out(heading('Failing runs'));
  r.failing.slice(0, 20).forEach((f, i) => {
    out(`  ${red(`seed ${f.seed}`)}: ${f.error ?? f.violations.slice(0, 3).map((v) => `${v.property}: ${v.detail}`).join('; ')}`);
    out(dim(`    replay: ${replayCommand(o, f.seed)}${saved[i] ? `   or   conclave run ${saved[i]}` : ''}`));
  });
  if (r.failing.length > 20) out(dim(`  ... and ${r.failing.length - 20} more`));
  if (saved.length === 0) out(dim('  (--save DIR writes each failing run as a scenario file)'));
}
