/**
 * The asker of the request/reply benchmark, registered as 'windowed-asker' in every thread that
 * imports this module (threads mode: pass this file's absolute path in `preload`).
 *
 * On `start` (body: n) it sends asks to `props.target` until `props.window` are in flight, and on
 * every reply (an envelope with `re` set) sends the next ask, until n more requests were answered.
 * `get` replies with its counters, so the benchmark can check that every request was answered
 * and none timed out.
 */
import { ASK_TIMEOUT_KIND, registerBehaviour, type Behaviour } from '../../src/index.ts';

export interface AskerProps {
  readonly target: string;
  readonly window: number;
  readonly timeoutMs: number;
}

export interface AskerState {
  /** Requests this run should still send. */
  toSend: number;
  inFlight: number;
  answered: number;
  timeouts: number;
}

export const windowedAsker: Behaviour<AskerState, AskerProps> = {
  init: () => ({ toSend: 0, inFlight: 0, answered: 0, timeouts: 0 }),
  receive(state, env, ctx) {
    // The state is an immer draft (one per turn): every property read or write goes through a
    // proxy trap, so read it once into locals and write it back once per message.
    let answered = 0;
    let timedOut = 0;
    let more = 0;
    if (env.re !== undefined) answered = 1;
    else if (env.kind === 'start') more = env.body as number;
    else if (env.kind === ASK_TIMEOUT_KIND) timedOut = 1;
    else if (env.kind === 'get') {
      ctx.reply(env, { kind: 'stats', body: { answered: state.answered, timeouts: state.timeouts, inFlight: state.inFlight } });
      return;
    } else return;
    const { target, window, timeoutMs } = ctx.props;
    let toSend = state.toSend + more;
    let inFlight = state.inFlight - answered - timedOut;
    while (toSend > 0 && inFlight < window) {
      ctx.ask(target, { kind: 'req', body: toSend }, { timeoutMs });
      toSend--;
      inFlight++;
    }
    state.toSend = toSend;
    state.inFlight = inFlight;
    if (answered) state.answered += 1;
    if (timedOut) state.timeouts += 1;
  },
};

registerBehaviour('windowed-asker', windowedAsker);
