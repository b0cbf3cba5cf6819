import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_PORT, dashboardLine, dashboardServing } from '../src/cli/dashboard-serving.ts';
import { stressCommand } from '../src/cli/stress-command.ts';
import { refusal } from './fixtures/refusal.ts';

const bin = fileURLToPath(new URL('../bin/conclave.js', import.meta.url));
const TOKEN = 'abcdefghijklmnop';

/** `run`, `stress`, `bench` and `hive-mind spawn` serve their live dashboard the same way. */
describe('dashboardServing: what --dashboard, --dashboard-host and --dashboard-token ask for', () => {
  it('nothing without --dashboard; the default port with it alone; host and token passed on', () => {
    expect(dashboardServing({}, 'the run')).toBeUndefined();
    expect(dashboardServing({ dashboard: true }, 'the run')).toStrictEqual({ port: DASHBOARD_PORT });
    expect(DASHBOARD_PORT).toBe(3002);
    expect(dashboardServing({ dashboard: 0, dashboardHost: '0.0.0.0', dashboardToken: TOKEN }, 'the run')).toStrictEqual({
      port: 0,
      host: '0.0.0.0',
      token: TOKEN,
    });
  });

  it('a host or a token without --dashboard is refused by name, saying what it would serve', () => {
    expect(refusal(() => dashboardServing({ dashboardHost: '0.0.0.0' }, 'the campaign'))).toMatchObject({
      path: '--dashboard-host',
      message: expect.stringContaining('to be given with --dashboard (it says how the campaign is served on the dashboard; add --dashboard, or drop it)'),
    });
    expect(refusal(() => dashboardServing({ dashboardToken: TOKEN }, 'the bench'))).toMatchObject({ path: '--dashboard-token' });
  });

  it('the line names the URL, and the token when the server made one up', () => {
    expect(dashboardLine({ url: 'http://127.0.0.1:3002/', token: undefined, generatedToken: false }, 'this run')).toBe(
      'conclave: dashboard for this run: http://127.0.0.1:3002/',
    );
    expect(dashboardLine({ url: 'http://0.0.0.0:3002/', token: 'k3y', generatedToken: true }, 'this campaign')).toBe(
      'conclave: dashboard for this campaign: http://0.0.0.0:3002/ (token generated for a host other than loopback: k3y)',
    );
  });

  it('stress and bench take --dashboard-host and --dashboard-token, and refuse them alone (exit 2, one line)', () => {
    for (const [command, flag] of [
      ['stress', '--dashboard-host'],
      ['bench', '--dashboard-token'],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, command, flag, flag === '--dashboard-host' ? '0.0.0.0' : TOKEN], {
        encoding: 'utf8',
        env: { ...process.env, CONCLAVE_FROM_SOURCE: '1' },
      });
      expect([r.status, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(r.stderr).toContain(`"${flag}": expected to be given with --dashboard`);
    }
  });

  it('a watched campaign on another host makes up a token and prints it: the page cannot be opened without it', async () => {
    const written: string[] = [];
    const code = await stressCommand(
      { protocol: 'raft', agents: 3, runs: 1, seed: 1, decisions: 3, dashboard: { port: 0, host: '0.0.0.0' }, store: false },
      () => undefined,
      {
        write: (s: string) => written.push(s),
      },
    );
    expect(code).toBe(0);
    const line = written.find((l) => l.startsWith('conclave: dashboard for this campaign:'));
    expect(line).toMatch(/^conclave: dashboard for this campaign: http:\/\/\S+ \(token generated for a host other than loopback: \S{16,}\)\n$/);
  }, 60_000);
});
