import { createHash, randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.ts';
import { CipherRing, type NonceSource } from './cipher-ring.ts';
import { DerivedKeys, remember } from './derived-keys.ts';
import type { ActorId } from './envelope.ts';

/**
 * How the runtime authenticates messages (`ctx.sign` / `ctx.verify`).
 *
 * - `ed25519`: real Ed25519 signatures (node:crypto) over the string's UTF-16 code units (UTF-8
 *   would map distinct strings with lone surrogates to the same bytes), base64, 88 characters.
 *   The default in threads mode.
 * - `token`: a modelled signature for simulation, the default in sim mode: a keyed 64-bit
 *   non-cryptographic hash, 16 hex digits. It is unforgeable only within the simulation, because
 *   only the runtime knows the per-actor keys and behaviours can reach them only through `ctx`.
 *   It is not a signature: anyone holding the secret can compute it, and nothing about it
 *   resists cryptanalysis. It exists so that protocols that need authentication (PBFT) can be
 *   simulated at scale: well under a microsecond to sign or verify a short string, against tens
 *   (sign) and hundreds (verify) of microseconds for Ed25519.
 *
 * @example
 * ```ts
 * const system = await createSystem({ mode: 'sim', seed: 1, signatures: 'ed25519' });
 * ```
 */
export type SignatureScheme = 'token' | 'ed25519';

/** The `signatures` option checked: `fallback` when absent, a ConfigError when not a scheme. */
export function signatureScheme(value: unknown, fallback: SignatureScheme): SignatureScheme {
  if (value === undefined) return fallback;
  if (value === 'token' || value === 'ed25519') return value;
  throw new ConfigError('signatures', "'token' or 'ed25519'", value);
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Length of a base64 Ed25519 signature (64 bytes, padded). */
const ED25519_SIG_CHARS = 88;

/** Length of a token (two 32-bit words in hex). */
const TOKEN_CHARS = 16;

/**
 * Ed25519 only: triples (signer, data, signature) that verified true, so that a certificate
 * forwarded and checked again (PBFT's prepared/commit certificates, view changes) costs a set
 * lookup (< 1 µs) instead of an Ed25519 verification (~190 µs on the reference machine). Only successful verifications are remembered, so
 * garbage cannot push genuine entries out faster than honest traffic puts them in.
 */
const VERIFIED_CACHE_SIZE = 16_384;

/** Per-actor token keys: four 32-bit words. */
type TokenKey = Int32Array;

/** Char codes of the hex digits. */
const HEX = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));

/** `h1` and `h2` as 16 hex digits (one flat string: ~5x faster than concatenating pieces). */
function hex64(h1: number, h2: number): string {
  return String.fromCharCode(
    HEX[(h1 >>> 28) & 15],
    HEX[(h1 >>> 24) & 15],
    HEX[(h1 >>> 20) & 15],
    HEX[(h1 >>> 16) & 15],
    HEX[(h1 >>> 12) & 15],
    HEX[(h1 >>> 8) & 15],
    HEX[(h1 >>> 4) & 15],
    HEX[h1 & 15],
    HEX[(h2 >>> 28) & 15],
    HEX[(h2 >>> 24) & 15],
    HEX[(h2 >>> 20) & 15],
    HEX[(h2 >>> 16) & 15],
    HEX[(h2 >>> 12) & 15],
    HEX[(h2 >>> 8) & 15],
    HEX[(h2 >>> 4) & 15],
    HEX[h2 & 15],
  );
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The token of `data` under `key`: murmur3-style mixing of the UTF-16 code units, two at a time,
 * into two 32-bit lanes seeded by the key, with the length and the rest of the key folded in at
 * the end. 64 bits, hex.
 */
function tokenOf(data: string, key: TokenKey): string {
  let h1 = key[0];
  let h2 = key[1];
  const n = data.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = data.charCodeAt(i) | (data.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= k;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0;
  }
  if (i < n) {
    let k = Math.imul(data.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h2 ^= Math.imul(k, 0x27d4eb2f);
  }
  h1 ^= n ^ key[2];
  h2 ^= n ^ key[3];
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  return hex64(h1, h2);
}

/**
 * Every actor's signing key, held by the runtime on behalf of its actors: `ctx.sign` signs as
 * `ctx.self` and nobody else, so a Byzantine behaviour can lie in what it signs but cannot sign
 * as another actor. Keys follow from (secret, actor id) alone, so every host given the same
 * secret (every worker of a threads-mode run) agrees on them without exchanging any.
 *
 * The guarantee holds at the level of the `ActorContext` API: the runtime shares a thread with
 * its behaviours and does not defend itself against code that reaches past `ctx` into its
 * internals (such code could as well forge an envelope's `from`).
 *
 * @example
 * ```ts
 * const keys = new KeyRing('ed25519', KeyRing.randomSecret());
 * const sig = keys.sign('r1', 'prepare:0:7:digest');
 * keys.verify('r1', 'prepare:0:7:digest', sig); // true
 * keys.verify('r2', 'prepare:0:7:digest', sig); // false
 * ```
 */
export class KeyRing {
  private readonly tokenKeys = new Map<ActorId, TokenKey>();
  private readonly keys: DerivedKeys;
  private readonly verified = new Set<string>();
  private cipherRing: CipherRing | undefined;

  /**
   * `nonces`: how `encrypt` picks nonces (see NonceSource); `random` unless said. Sim mode
   * passes `counter` (one host, reproducible); threads mode keeps `random` (many hosts).
   */
  constructor(
    readonly scheme: SignatureScheme,
    private readonly secret: string,
    private readonly nonces: NonceSource = 'random',
  ) {
    this.keys = new DerivedKeys(ED25519_PKCS8_PREFIX, (actor) => createHash('sha256').update(`${secret}\0${actor}`).digest());
  }

  /**
   * `plaintext` encrypted by `from` for `to` (X25519 + HKDF + AES-256-GCM, see CipherRing),
   * with keys that follow from this ring's secret. The caller (the runtime) vouches for `from`.
   */
  encrypt(from: ActorId, to: ActorId, plaintext: string): string {
    return this.cipher().encrypt(from, to, plaintext);
  }

  /** What `from` encrypted for `to`, or undefined for anything else (never a throw). */
  decrypt(to: ActorId, from: unknown, box: unknown): string | undefined {
    return this.cipher().decrypt(to, from, box);
  }

  private cipher(): CipherRing {
    return (this.cipherRing ??= new CipherRing(this.secret, this.nonces));
  }

  /** A fresh random secret (32 bytes, hex) for a run whose signatures need not be reproducible. */
  static randomSecret(): string {
    return randomBytes(32).toString('hex');
  }

  /** The secret of a sim run: a function of its seed, so the same seed signs the same way. */
  static secretForSeed(seed: number): string {
    return createHash('sha256').update(`conclave-sim-signatures\0${seed}`).digest('hex');
  }

  /** Signs `data` as `actor`. The caller (the runtime) vouches that `actor` is the one signing. */
  sign(actor: ActorId, data: string): string {
    if (this.scheme === 'token') return tokenOf(data, this.tokenKey(actor));
    return edSign(null, Buffer.from(data, 'utf16le'), this.privateKey(actor)).toString('base64');
  }

  /** Whether `signature` is `signer`'s over `data`; false (never a throw) for any malformed input. */
  verify(signer: unknown, data: unknown, signature: unknown): boolean {
    if (typeof signer !== 'string' || signer.length === 0 || typeof data !== 'string' || typeof signature !== 'string') return false;
    try {
      if (this.scheme === 'token') return signature.length === TOKEN_CHARS && tokenOf(data, this.tokenKey(signer)) === signature;
      return this.verifyEd25519(signer, data, signature);
    } catch {
      return false;
    }
  }

  private verifyEd25519(signer: string, data: string, signature: string): boolean {
    if (signature.length !== ED25519_SIG_CHARS) return false;
    // Unambiguous: the signer's length is given and the signature's is fixed.
    const memo = `${signer.length}:${signer}${signature}${data}`;
    const verified = this.verified;
    if (verified.has(memo)) return true;
    const sig = Buffer.from(signature, 'base64');
    // Node's base64 decoder skips what it does not understand: only the canonical encoding of
    // 64 bytes is a signature (or a tampered string could decode to a valid one).
    if (sig.length !== 64 || sig.toString('base64') !== signature) return false;
    if (!edVerify(null, Buffer.from(data, 'utf16le'), this.publicKey(signer), sig)) return false;
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.values().next().value!);
    verified.add(memo);
    return true;
  }

  private tokenKey(actor: ActorId): TokenKey {
    let key = this.tokenKeys.get(actor);
    if (key === undefined) {
      const d = createHash('sha256').update(`token\0${this.secret}\0${actor}`).digest();
      key = new Int32Array(d.buffer.slice(d.byteOffset, d.byteOffset + 16));
      remember(this.tokenKeys, actor, key);
    }
    return key;
  }

  private privateKey(actor: ActorId): KeyObject {
    return this.keys.privateKey(actor);
  }

  private publicKey(actor: ActorId): KeyObject {
    return this.keys.publicKey(actor);
  }
}
