/**
 * The process one learning session runs in: `node --import tsx learning-session-main.ts '<spec
 * JSON>'` runs `runSession` and prints its log as one JSON line. A new process per session is
 * the point: all that carries over from one session to the next is what the stores hold.
 */
import { runSession, type SessionSpec } from './learning-session.ts';

const spec = JSON.parse(process.argv[2] ?? 'null') as SessionSpec[] | null;
if (!Array.isArray(spec)) {
  console.error('usage: learning-session-main.ts \'[{"session":1,"objectives":120,"seed":1,"phase":0,"dir":"/tmp/x"}, ...]\' (one spec per variant)');
  process.exit(2);
}
const logs = [];
for (const s of spec) logs.push(await runSession(s));
process.stdout.write(`${JSON.stringify(logs)}\n`);
