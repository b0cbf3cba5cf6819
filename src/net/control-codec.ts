import { deserialize, serialize } from 'node:v8';

/** A control-plane request: a method of the host's or node's API and its arguments. */
export interface ControlRequest {
  readonly op: string;
  readonly args: readonly unknown[];
}

/** A control-plane reply: the value, or the error as data (name, message, code) to be revived. */
export type ControlReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly code?: string };

/**
 * Control messages in V8's structured-clone format: the same values a worker's comlink calls
 * carry (message bodies, specs, supervision policies), so a node's API takes what a worker's does.
 *
 * @example
 * ```ts
 * const reply = decodeReply(await nc.request(subject, encodeRequest('stop', ['a'])));
 * ```
 */
export function encodeRequest(op: string, args: readonly unknown[]): Uint8Array {
  return serialize({ op, args } satisfies ControlRequest);
}

/** Reads a request (see encodeRequest). */
export function decodeRequest(data: Uint8Array): ControlRequest {
  return deserialize(data) as ControlRequest;
}

/** Encodes a reply; an error travels as its name, message and code. */
export function encodeReply(result: { value: unknown } | { error: unknown }): Uint8Array {
  if ('value' in result) return serialize({ ok: true, value: result.value } satisfies ControlReply);
  const e = result.error instanceof Error ? result.error : new Error(String(result.error));
  return serialize({ ok: false, name: e.name, message: e.message, code: (e as { code?: string }).code } satisfies ControlReply);
}

/**
 * Reads a reply: its value, or throws an Error carrying the remote error's name and code (the
 * coordinator gives Conclave's own errors their class back, as for a worker's).
 */
export function decodeReply(data: Uint8Array): unknown {
  const r = deserialize(data) as ControlReply;
  if (r.ok) return r.value;
  const e = new Error(r.message);
  e.name = r.name;
  if (r.code !== undefined) (e as { code?: string }).code = r.code;
  throw e;
}
