import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Envelope } from '../actors/envelope.ts';
import { decodeBatch, encodeBatch, type EncodedBatch } from '../scheduler/threads/batch-codec.ts';
import { WIRE_VERSION } from './subjects.ts';

/** Header: version (u8), reserved (u8), sender host index (u16), payload length (u32). */
const HEADER = 8;
/** An Ed25519 signature. */
const SIGNATURE = 64;

/**
 * A node's signing identity: an Ed25519 key pair drawn when it is claimed for a run. Only the
 * public half leaves the node (the coordinator hands every host the others' public keys).
 *
 * @example
 * ```ts
 * const id = NodeIdentity.generate();
 * const frame = encodeFrame(0, batch, id);
 * ```
 */
export class NodeIdentity {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: string,
  ) {}

  static generate(): NodeIdentity {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return new NodeIdentity(privateKey, publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
  }

  sign(data: Uint8Array): Buffer {
    return sign(null, data, this.privateKey);
  }
}

/**
 * Parses a base64 SPKI Ed25519 public key (as NodeIdentity.publicKey gives it).
 *
 * @example
 * ```ts
 * const key = publicKeyOf(NodeIdentity.generate().publicKey);
 * ```
 */
export function publicKeyOf(spki: string): KeyObject {
  return createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
}

/**
 * Encodes a batch from host `from` as one NATS message: the columnar batch (batch-codec.ts) in
 * V8's structured-clone format (the same bodies threads mode can carry), behind a header naming
 * the sender, and signed with the sender's key over header and payload. Throws like structured
 * clone on a body that cannot be copied (the host then dead-letters it `not-serializable`).
 *
 * @example
 * ```ts
 * nc.publish(subject, encodeFrame(0, batch, identity));
 * ```
 */
export function encodeFrame(from: number, batch: readonly Envelope[], identity: NodeIdentity): Uint8Array {
  const payload = serialize(encodeBatch(batch));
  const frame = Buffer.allocUnsafe(HEADER + payload.length + SIGNATURE);
  frame.writeUInt8(WIRE_VERSION, 0);
  frame.writeUInt8(0, 1);
  frame.writeUInt16BE(from, 2);
  frame.writeUInt32BE(payload.length, 4);
  payload.copy(frame, HEADER);
  const signed = frame.subarray(0, HEADER + payload.length);
  identity.sign(signed).copy(frame, HEADER + payload.length);
  return frame;
}

/** A frame as read: its sender and envelopes, or why it was refused. */
export type FrameResult =
  | { readonly ok: true; readonly from: number; readonly batch: Envelope[] }
  | { readonly ok: false; readonly from: number | undefined; readonly reason: string };

/**
 * Reads and checks a frame: wire version, sender index, length, and the signature against the
 * sender's public key (`keys[from]`). A frame that fails any check is refused, never decoded.
 *
 * @example
 * ```ts
 * const r = decodeFrame(msg.data, keys);
 * if (r.ok) handler(r.from, r.batch); else refused++;
 * ```
 */
export function decodeFrame(data: Uint8Array, keys: readonly (KeyObject | undefined)[]): FrameResult {
  if (data.length < HEADER + SIGNATURE) return { ok: false, from: undefined, reason: `frame of ${data.length} bytes is shorter than a header and a signature` };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const version = buf.readUInt8(0);
  const from = buf.readUInt16BE(2);
  if (version !== WIRE_VERSION) return { ok: false, from, reason: `wire version ${version}, expected ${WIRE_VERSION}` };
  const length = buf.readUInt32BE(4);
  if (HEADER + length + SIGNATURE !== buf.length) return { ok: false, from, reason: `length ${length} does not match a frame of ${buf.length} bytes` };
  const key = keys[from];
  if (key === undefined) return { ok: false, from, reason: `no key for host ${from}` };
  const signed = buf.subarray(0, HEADER + length);
  if (!verify(null, signed, key, buf.subarray(HEADER + length))) return { ok: false, from, reason: `signature does not verify with host ${from}'s key` };
  return { ok: true, from, batch: decodeBatch(deserialize(buf.subarray(HEADER, HEADER + length)) as EncodedBatch) };
}
