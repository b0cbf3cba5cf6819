import { describe, expect, it } from 'vitest';
import type { PbftByzantineKind } from '../src/adversary/byzantine-replica.ts';
import { runPbft } from './fixtures/pbft-run.ts';

/**
 * Each Byzantine behaviour, within the bound (f liars among n = 3f + 1), played by the primary
 * and by backups: the honest replicas agree, every request commits, and the liars whose lies
 * are signed are caught with the evidence.
 */
const cases: { kind: PbftByzantineKind; detected: boolean }[] = [
  { kind: 'conflicting_votes', detected: true },
  { kind: 'false_information', detected: true },
  { kind: 'split_brain', detected: true },
  { kind: 'delayed_responses', detected: false },
  { kind: 'silent', detected: false },
  { kind: 'forged_signatures', detected: false },
  { kind: 'replay', detected: false },
  { kind: 'random', detected: false },
];

for (const n of [4, 7]) {
  const f = Math.floor((n - 1) / 3);
  describe(`PBFT n = ${n} with f = ${f} Byzantine replicas`, () => {
    for (const { kind, detected } of cases) {
      for (const who of ['primary', 'backups'] as const) {
        it(`${kind}, played by ${who === 'primary' ? `the primary${f > 1 ? ' and a backup' : ''}` : `${f} backup${f > 1 ? 's' : ''}`}`, async () => {
          const at = who === 'primary' ? [0, ...Array.from({ length: f - 1 }, (_, i) => n - 1 - i)] : Array.from({ length: f }, (_, i) => n - 1 - i);
          const run = await runPbft({ n, seed: 7, requests: 150, window: 8, byzantine: { at, kinds: [kind] } });
          expect(run.summary).toMatchObject({ accepted: 150, gaveUp: false });
          expect(run.monitor.finish({ expectLiveness: true })).toEqual([]);
          const caught = new Set(run.monitor.detections.map((d) => d.suspect));
          // Only liars are ever accused.
          for (const s of caught) expect(run.liars).toContain(s);
          if (detected) {
            expect(caught.size).toBeGreaterThan(0);
            const d = run.emitted('pbft-detected').find((e) => !run.liars.includes(e.actor))!;
            expect(d.event.evidence).toBeInstanceOf(Array);
            expect((d.event.evidence as unknown[]).length).toBeGreaterThan(0);
          }
          if (who === 'primary' && !['replay', 'random', 'delayed_responses'].includes(kind)) {
            // A lying or silent primary is replaced (replayed or random extras, or a delay shorter
            // than the view-change timeout, do not stop it leading).
            expect(run.emitted('pbft-view').length).toBeGreaterThan(0);
          }
        });
      }
    }
  });
}
