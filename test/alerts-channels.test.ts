import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChannel } from '../src/alerts/alert-channel.ts';
import { AlertDispatcher } from '../src/alerts/alert-dispatcher.ts';
import { emailChannel } from '../src/alerts/email-channel.ts';
import { fileChannel } from '../src/alerts/file-channel.ts';
import { webhookChannel } from '../src/alerts/webhook-channel.ts';
import { runCommand } from '../src/cli/run-command.ts';
import type { AlertRecord } from '../src/monitoring/alert-record.ts';
import { AlertWatcher } from '../src/monitoring/alert-watcher.ts';
import { parseScenario } from '../src/scenario/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const context = { run: 'r1', scenario: 'watched' };
const alert = (rule: AlertRecord['rule'] = 'slow-consensus', at = 10): AlertRecord => ({
  at,
  rule,
  value: 1200,
  threshold: 1000,
  message: `decision d${at} took 1,200 ms`,
});
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A local webhook receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; bodies: Record<string, unknown>[]; requests: () => number }> {
  const bodies: Record<string, unknown>[] = [];
  let n = 0;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const status = statuses[n++] ?? 200;
    if (status === 200) bodies.push(JSON.parse(body) as Record<string, unknown>);
    res.writeHead(status).end(status === 200 ? 'ok' : 'try again');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, requests: () => n };
}

/** No real waiting between attempts: the waits asked for are recorded. */
const recordWaits = (waits: number[]) => async (ms: number) => {
  waits.push(ms);
};

describe('alert channels', () => {
  it('webhook: a Slack-compatible body, retried with a doubling backoff until the receiver takes it', async () => {
    const hook = await receiver([503, 500]);
    const waits: number[] = [];
    const d = new AlertDispatcher([webhookChannel(hook.url)], context, { backoffMs: 100, attempts: 3, sleep: recordWaits(waits) });
    d.notify(alert());
    const report = await d.drain();
    expect(report).toEqual({ delivered: 1, failures: [], retried: 2, heldBack: 0 });
    expect(waits).toEqual([100, 200]);
    expect(hook.requests()).toBe(3);
    expect(hook.bodies[0].text).toBe('conclave alert [slow-consensus] watched (run r1) at 10 ms: decision d10 took 1,200 ms');
    expect(hook.bodies[0].alert).toEqual(alert());
  });

  it('a channel that keeps failing is reported and never stops the others or throws', async () => {
    const hook = await receiver([500, 500, 500, 500]);
    const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const told: string[] = [];
    const broken: AlertChannel = {
      name: 'broken',
      send: () => {
        throw new Error('synchronous failure');
      },
      close: async () => undefined,
    };
    const d = new AlertDispatcher([webhookChannel(hook.url), broken, fileChannel(join(dir, 'alerts.jsonl'))], context, {
      attempts: 2,
      sleep: recordWaits([]),
      onFailure: (t) => told.push(t),
    });
    expect(() => d.notify(alert())).not.toThrow();
    const report = await d.drain();
    expect(report.delivered).toBe(1);
    expect(report.failures).toHaveLength(2);
    expect(told).toEqual(report.failures);
    expect(told.find((t) => t.startsWith('alert channel webhook'))).toMatch(/failed 2 times .*answered 500: try again\); the run goes on/);
    expect(told.find((t) => t.startsWith('alert channel broken'))).toMatch(/synchronous failure/);
    expect(JSON.parse(readFileSync(join(dir, 'alerts.jsonl'), 'utf8'))).toEqual({ ...context, ...alert() });
  });

  it('cooldown per rule: a storm of one rule sends one alert; the next after the cooldown counts the ones held back; other rules are not held', async () => {
    let now = 0;
    const sent: AlertRecord[] = [];
    const channel: AlertChannel = { name: 'memory', send: async (a) => void sent.push(a), close: async () => undefined };
    const d = new AlertDispatcher([channel], context, { cooldownMs: 30_000, now: () => now });
    for (let i = 0; i < 1000; i++) d.notify(alert('slow-consensus', i));
    d.notify(alert('byzantine-detected'));
    now = 30_000;
    d.notify(alert('slow-consensus', 5000));
    const report = await d.drain();
    expect(sent.map((a) => [a.rule, a.at, a.suppressed])).toEqual([
      ['slow-consensus', 0, undefined],
      ['byzantine-detected', 10, undefined],
      ['slow-consensus', 5000, 999],
    ]);
    expect(report.heldBack).toBe(999);
  });

  it('e-mail through SMTP (nodemailer), received by a local SMTP server', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += String(c)));
        stream.on('end', () => {
          received.push(text);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => smtp.close(() => resolve(undefined))));
    const port = (smtp.server.address() as AddressInfo).port;
    const d = new AlertDispatcher(
      [emailChannel({ type: 'email', host: '127.0.0.1', port, from: 'conclave@example.test', to: ['oncall@example.test'], secure: false })],
      context,
    );
    d.notify(alert('byzantine-detected'));
    expect(await d.close()).toMatchObject({ delivered: 1, failures: [] });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/Subject: \[conclave\] byzantine-detected: watched/);
    expect(received[0]).toContain('conclave alert [byzantine-detected] watched (run r1) at 10 ms');
    expect(received[0]).toMatch(/To: oncall@example.test/);
  });
});

describe('alert rules from configuration', () => {
  it('reads leader_change_storm, dead_letters_threshold, alert_cooldown, channels and retries, and refuses a bad channel by its path', () => {
    const s = parseScenario(`
name: rules
agents: [{ role: node, count: 3 }]
consensus: { algorithm: raft }
task: { question: q, options: [a, b], decisions: 5 }
monitoring:
  leader_change_storm: { changes: 3, within: 10s }
  dead_letters_threshold: 100
  alert_cooldown: 30s
  retries: 4
  retry_backoff: 250ms
  channels: [terminal, { type: file, path: alerts.jsonl }, { type: webhook, url: "https://hooks.slack.com/services/T/B/X" }, { type: email, host: smtp.example.com, from: a@example.com, to: b@example.com }]
`);
    expect(s.monitoring).toEqual({
      leaderStorm: { changes: 3, withinMs: 10_000 },
      deadLetters: 100,
      cooldownMs: 30_000,
      retries: 4,
      retryBackoffMs: 250,
      channels: [
        { type: 'terminal' },
        { type: 'file', path: 'alerts.jsonl' },
        { type: 'webhook', url: 'https://hooks.slack.com/services/T/B/X' },
        { type: 'email', host: 'smtp.example.com', port: 25, from: 'a@example.com', to: ['b@example.com'], secure: false },
      ],
    });
    expect(() =>
      parseScenario(`
name: rules
agents: [{ role: node, count: 3 }]
task: { question: q, options: [a, b] }
monitoring: { channels: [{ type: slack, url: x }] }
`),
    ).toThrow(/monitoring\.channels\[0\]/);
  });

  it('leader-change storm: raised when the elections within the window reach the count, once per storm', () => {
    const w = new AlertWatcher({ leaderStorm: { changes: 3, withinMs: 1000 } });
    const leader = (t: number, term: number) => w.observe({ t, type: 'emit', actor: `n${term % 3}`, event: { type: 'raft-leader', term } });
    leader(0, 1);
    leader(400, 2);
    leader(800, 3);
    leader(900, 4); // a storm: 3 within 1 s at 800 ms
    leader(5000, 5);
    leader(5100, 6);
    leader(5200, 7); // calm in between, then a second storm
    expect(w.alerts.map((a) => [a.rule, a.at, a.value])).toEqual([
      ['leader-storm', 800, 3],
      ['leader-storm', 5200, 3],
    ]);
  });

  it('dead letters: raised once when the count (traced one by one or summarised) goes over the threshold', () => {
    const w = new AlertWatcher({ deadLetters: 10 });
    for (let i = 0; i < 5; i++) w.observe({ t: i, type: 'dead-letter', id: i, from: 'a', to: 'b', kind: 'x', reason: 'actor-stopped' });
    w.observe({ t: 6, type: 'dead-letters-summarised', count: 6, byReason: { 'actor-stopped': 6 }, host: 0 });
    w.observe({ t: 7, type: 'dead-letters-summarised', count: 50, byReason: { 'actor-stopped': 50 }, host: 0 });
    expect(w.alerts.map((a) => [a.rule, a.at, a.value, a.threshold])).toEqual([['dead-letters', 6, 11, 10]]);
  });

  it('a run: its alerts reach a file and a webhook; a safety violation is always an alert, sent, stored in the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alerts-run-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const hook = await receiver();
    writeFileSync(
      join(dir, 'broken.yml'),
      `
name: double-counting
agents: [{ role: analyst, count: 5, accuracy: 0.6 }]
consensus: { algorithm: simple_majority, implementation: { module: ${join(ROOT, 'test/fixtures/broken-voting.ts')}, export: doubleCountingCoordinator } }
task: { question: q, options: [a, b], truth: a, decisions: 30 }
monitoring:
  channels: [{ type: file, path: ${join(dir, 'alerts.jsonl')} }, { type: webhook, url: "${hook.url}" }]
`,
    );
    const lines: string[] = [];
    const code = await runCommand(join(dir, 'broken.yml'), { json: true, store: false, progress: { write: (l) => lines.push(l) } }, (l) => lines.push(l));
    expect(code).toBe(1);
    const result = JSON.parse(lines.find((l) => l.startsWith('{'))!) as { alerts: AlertRecord[]; safetyViolations: unknown[] };
    expect(result.safetyViolations.length).toBeGreaterThan(0);
    const safety = result.alerts.filter((a) => a.rule === 'safety-violation');
    expect(safety).toHaveLength(1);
    expect(safety[0].value).toBe(result.safetyViolations.length);
    const filed = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AlertRecord);
    expect(filed.map((a) => a.rule)).toEqual(['safety-violation']);
    expect(hook.bodies.map((b) => (b.alert as AlertRecord).rule)).toEqual(['safety-violation']);
  });
});
