import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_CRASH_RETRY, HostCrashedError } from '../src/errors.ts';
import { ThreadSystem } from '../src/scheduler/threads/thread-system.ts';

const preload = [fileURLToPath(new URL('./fixtures/thread-behaviours.ts', import.meta.url))];

/** What a HostCrashedError tells the caller to do depends on the call it cut short. */
describe('threads mode: the advice of a HostCrashedError', () => {
  let sys: ThreadSystem | undefined;
  afterEach(async () => {
    await sys?.shutdown();
    sys = undefined;
  });

  it('an ask whose worker died: the request is gone with the actor\'s state, so it does not say "retry"', async () => {
    sys = await ThreadSystem.start({ workers: 2, preload });
    await sys.spawn('doomed', 'test-doomed', { worker: 1 });
    // The worker exits while handling this very ask.
    const e = await sys.ask('doomed', { kind: 'die' }, { timeoutMs: 30_000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HostCrashedError);
    const crashed = e as HostCrashedError;
    expect(crashed.worker).toBe(1);
    expect(crashed.call).toBe('ask "doomed"');
    expect(crashed.message).not.toMatch(/retry/i);
    expect(crashed.message).toMatch(/no reply will come: asking again starts over/);
    // Recovery restarted the actor elsewhere: a crash, not bad input, and the system goes on.
    const [crash] = await sys.recovered();
    expect(crash.restarted).toEqual(['doomed']);
  });

  it('a control call to a dead worker can be made again once the actor was restarted', async () => {
    sys = await ThreadSystem.start({ workers: 2 });
    await sys.spawn('a', 'echo', { worker: 1 });
    await sys.killWorker(1);
    const e = await sys.spawn('b', 'echo', { worker: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HostCrashedError);
    expect((e as HostCrashedError).advice).toBe(HOST_CRASH_RETRY);
  });
});
