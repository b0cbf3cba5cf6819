import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { ActorId } from './envelope.ts';

/** Actors whose keys a ring keeps at most (a swarm of 100,000 must not hold 200,000 key objects). */
export const MAX_CACHED_ACTORS = 8_192;

/**
 * Per-actor key pairs derived from a run's secret (Ed25519 for signatures, X25519 for
 * encryption: the same shape, another PKCS#8 prefix and seed), made on first use and cached,
 * the oldest forgotten past {@link MAX_CACHED_ACTORS}. Only the runtime holds one: an actor asks
 * it to sign or encrypt as itself and never sees a key.
 *
 * @example
 * ```ts
 * const keys = new DerivedKeys(ED25519_PKCS8_PREFIX, (actor) => createHash('sha256').update(`${secret}\0${actor}`).digest());
 * sign(null, data, keys.privateKey('r1'));
 * ```
 */
export class DerivedKeys {
  private readonly privateKeys = new Map<ActorId, KeyObject>();
  private readonly publicKeys = new Map<ActorId, KeyObject>();

  constructor(
    private readonly pkcs8Prefix: Buffer,
    private readonly seedOf: (actor: ActorId) => Buffer,
  ) {}

  privateKey(actor: ActorId): KeyObject {
    let key = this.privateKeys.get(actor);
    if (key === undefined) {
      key = createPrivateKey({ key: Buffer.concat([this.pkcs8Prefix, this.seedOf(actor)]), format: 'der', type: 'pkcs8' });
      remember(this.privateKeys, actor, key);
    }
    return key;
  }

  publicKey(actor: ActorId): KeyObject {
    let key = this.publicKeys.get(actor);
    if (key === undefined) {
      key = createPublicKey(this.privateKey(actor));
      remember(this.publicKeys, actor, key);
    }
    return key;
  }
}

/** Caches `value` under `id`, forgetting the oldest entry when the cache is full. */
export function remember<V>(cache: Map<string, V>, id: string, value: V): void {
  if (cache.size >= MAX_CACHED_ACTORS) cache.delete(cache.keys().next().value!);
  cache.set(id, value);
}
