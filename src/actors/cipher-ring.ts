import { createCipheriv, createDecipheriv, createHash, diffieHellman, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { DerivedKeys, remember } from './derived-keys.ts';
import type { ActorId } from './envelope.ts';

/**
 * How a CipherRing picks its AES-GCM nonces: `random` (12 random bytes per message, threads
 * mode: several hosts encrypt under the same pair key, so no shared counter exists) or `counter`
 * (a per-ring counter, sim mode: one host, and a run stays a function of its seed).
 *
 * @example
 * ```ts
 * const ring = new CipherRing(secret, 'counter');
 * ```
 */
export type NonceSource = 'random' | 'counter';

/** PKCS#8 DER prefix of an X25519 private key; the 32-byte scalar follows it. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = Buffer.from('conclave-box-v1');

/**
 * Encryption between actors, held by the runtime like the signing keys (KeyRing): every actor
 * has an X25519 key pair that follows from (secret, actor id), so every host of a run agrees on
 * them without exchanging any, and no behaviour ever sees a private key. A message from A to B is
 * encrypted with AES-256-GCM under a key derived with HKDF-SHA256 from the X25519 agreement of
 * A's and B's keys, with the direction (A, B) as HKDF info and as additional data: only A and B
 * can read it, it cannot be passed off as going the other way or between another pair, and any
 * change to it fails authentication. A fresh nonce per message (see NonceSource).
 *
 * Text format: base64 of nonce (12 bytes) | tag (16 bytes) | ciphertext.
 *
 * In sim mode the secret follows from the seed (as the signing secret does): the encryption is
 * real, and what it hides is hidden from the other actors of the run, not from whoever knows the
 * seed.
 *
 * @example
 * ```ts
 * const ring = new CipherRing(KeyRing.randomSecret(), 'random');
 * const box = ring.encrypt('voter_001', 'coordinator', '{"vote":"A"}');
 * ring.decrypt('coordinator', 'voter_001', box); // '{"vote":"A"}'
 * ring.decrypt('coordinator', 'voter_002', box); // undefined
 * ```
 */
export class CipherRing {
  private readonly keys: DerivedKeys;
  /** Per direction: the AES key and the additional data (the direction itself). */
  private readonly pairKeys = new Map<string, { readonly key: Buffer; readonly aad: Buffer }>();
  private counter = 0n;

  constructor(
    secret: string,
    private readonly nonces: NonceSource,
  ) {
    this.keys = new DerivedKeys(X25519_PKCS8_PREFIX, (actor) => createHash('sha256').update(`x25519\0${secret}\0${actor}`).digest());
  }

  /** `plaintext` encrypted from `from` to `to`. The caller (the runtime) vouches that `from` is the one encrypting. */
  encrypt(from: ActorId, to: ActorId, plaintext: string): string {
    const nonce = this.nonce();
    const pair = this.pair(from, to);
    const cipher = createCipheriv('aes-256-gcm', pair.key, nonce);
    cipher.setAAD(pair.aad);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
  }

  /**
   * What `from` encrypted for `to`, or undefined when `box` is not that (tampered, truncated, for
   * another pair, not base64): never a throw.
   */
  decrypt(to: ActorId, from: unknown, box: unknown): string | undefined {
    if (typeof from !== 'string' || from.length === 0 || typeof box !== 'string') return undefined;
    try {
      const raw = Buffer.from(box, 'base64');
      // Node's decoder skips what it does not understand: only the canonical encoding is taken.
      if (raw.length < NONCE_BYTES + TAG_BYTES || raw.toString('base64') !== box) return undefined;
      const pair = this.pair(from, to);
      const decipher = createDecipheriv('aes-256-gcm', pair.key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(pair.aad);
      decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  private nonce(): Buffer {
    if (this.nonces === 'random') return randomBytes(NONCE_BYTES);
    const n = Buffer.alloc(NONCE_BYTES);
    n.writeBigUInt64BE(++this.counter, 4);
    return n;
  }

  /** The AES key of messages from `from` to `to` (each direction its own), and their additional data. */
  private pair(from: ActorId, to: ActorId): { readonly key: Buffer; readonly aad: Buffer } {
    const id = `${from.length}:${from}${to}`;
    let pair = this.pairKeys.get(id);
    if (pair === undefined) {
      const shared = diffieHellman({ privateKey: this.privateKey(from), publicKey: this.publicKey(to) });
      const aad = direction(from, to);
      pair = { key: Buffer.from(hkdfSync('sha256', shared, HKDF_SALT, aad, 32)), aad };
      remember(this.pairKeys, id, pair);
    }
    return pair;
  }

  private privateKey(actor: ActorId): KeyObject {
    return this.keys.privateKey(actor);
  }

  private publicKey(actor: ActorId): KeyObject {
    return this.keys.publicKey(actor);
  }
}

/** The direction of a message, unambiguously (the sender's length is given). */
function direction(from: ActorId, to: ActorId): Buffer {
  return Buffer.from(`conclave-box\0${from.length}:${from}\0${to}`, 'utf8');
}
