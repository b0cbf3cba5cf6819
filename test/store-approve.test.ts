import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveCommand } from '../src/cli/approve-command.ts';
import { ConfigError } from '../src/errors.ts';
import { openStore } from '../src/store/open-store.ts';
import { storeOversightHook } from '../src/store/oversight-hook.ts';
import { insertRun } from '../src/store/run-row.ts';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A store with one run marked running (as a run holding a decision for oversight is). */
function storeWithRun(): { file: string; runId: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'conclave-approve-')), 'conclave.db');
  const db = openStore(file);
  const runId = insertRun(db, { kind: 'run', name: 'oversight', protocol: 'simple_majority', detailLimit: 100, signed: false });
  db.close();
  return { file, runId };
}

describe('conclave approve and the store oversight hook', () => {
  it('a hook waiting on a decision resolves with the answer another connection records', async () => {
    const { file, runId } = storeWithRun();
    let polls = 0;
    let waited: () => void = () => undefined;
    const twice = new Promise<void>((resolve) => {
      waited = resolve;
    });
    const hook = storeOversightHook(file, runId, {
      pollMs: 20,
      onPoll: () => {
        if (++polls === 2) waited();
      },
    });
    const answer = hook({ decision: 'd7' });
    let settled = false;
    void answer.then(() => {
      settled = true;
    });
    // It has read the table twice and found no answer: it is waiting.
    await twice;
    expect(settled).toBe(false);
    const lines: string[] = [];
    expect(approveCommand(runId.slice(0, 18), 'd7', { store: file, by: 'alice' }, (l) => lines.push(plain(l)))).toBe(0);
    expect(lines).toEqual([`approved: decision d7 of run ${runId}, by alice`]);
    await expect(answer).resolves.toBe('approve');
    approveCommand('last', 'd8', { store: file, reject: true, by: 'bob' }, () => undefined);
    await expect(hook({ decision: 'd8' })).resolves.toBe('reject');
    hook.close();
  });

  it('refuses a second answer, naming the first; an unknown run; an empty decision', () => {
    const { file, runId } = storeWithRun();
    approveCommand(runId, 'd1', { store: file, by: 'alice', now: () => Date.parse('2026-12-07T02:00:00Z') }, () => undefined);
    expect(() => approveCommand(runId, 'd1', { store: file, reject: true, by: 'bob' }, () => undefined)).toThrow(ConfigError);
    expect(() => approveCommand(runId, 'd1', { store: file, reject: true, by: 'bob' }, () => undefined)).toThrow(
      `Invalid configuration at "DECISION": expected a decision not answered yet (d1 of run ${runId} was already answered "approve" by alice at 2026-12-07T02:00:00.000Z; an answer is final), got "d1".`,
    );
    expect(() => approveCommand('nope', 'd1', { store: file }, () => undefined)).toThrow(/has no run "(nope|zzz)"/);
    expect(() => approveCommand(runId, ' ', { store: file }, () => undefined)).toThrow(/"DECISION"/);
  });

  it('refuses a run that has ended, or whose process is gone: nothing would read the answer', () => {
    const { file, runId } = storeWithRun();
    const db = openStore(file);
    db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE id = ?').run('completed', Date.now(), runId);
    const gone = insertRun(db, { kind: 'run', name: 'gone', protocol: 'simple_majority', detailLimit: 100, signed: false });
    // A pid no process has: the run shows as interrupted.
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, gone);
    db.close();
    expect(() => approveCommand(runId, 'd1', { store: file }, () => undefined)).toThrow(
      `Invalid configuration at "RUN": expected a run in progress (an ended run holds no decision for oversight), got "${runId} (completed)".`,
    );
    expect(() => approveCommand(gone, 'd1', { store: file }, () => undefined)).toThrow(`got "${gone} (interrupted)"`);
  });

  it('stops waiting when the request is aborted or the hook closed', async () => {
    const { file, runId } = storeWithRun();
    const hook = storeOversightHook(file, runId, { pollMs: 20 });
    const ctl = new AbortController();
    const aborted = hook({ decision: 'd1', signal: ctl.signal });
    ctl.abort(new Error('oversight timed out'));
    await expect(aborted).rejects.toThrow('oversight timed out');
    const pending = hook({ decision: 'd2' });
    hook.close();
    await expect(pending).rejects.toThrow(/closed before an answer/);
  });
});
