import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from '../errors.ts';

/** The store's signing key: the private half signs checkpoints, the public half verifies them. */
export interface AuditKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The first 16 hex digits of the SHA-256 of the public key: which key signed a checkpoint. */
  readonly id: string;
}

/** Where a store's keys live: `keys/` beside the store file (`.conclave/keys/` by default). */
export function keyDir(storeFile: string): string {
  return join(dirname(storeFile), 'keys');
}

const PRIVATE = 'audit-ed25519.pem';

/**
 * The store's Ed25519 audit key, created on first use (`keys/audit-ed25519.pem`, mode 0600, in
 * a directory of mode 0700). Only this machine's user can sign; anyone with the file can verify.
 *
 * @example
 * ```ts
 * const key = auditKey('.conclave/conclave.db');
 * ```
 */
export function auditKey(storeFile: string, o: { create: boolean } = { create: true }): AuditKey | undefined {
  const dir = keyDir(storeFile);
  const file = join(dir, PRIVATE);
  if (!existsSync(file)) {
    if (!o.create) return undefined;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // Two runs starting at once must not both make a key, nor may one read the other's half
    // written: the key is written whole to a file of this process's own, then linked into place
    // (atomic, and refused when the name exists: the loser then reads the winner's whole key).
    const own = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      writeFileSync(own, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      linkSync(own, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new StoreError(file, `the audit key cannot be written (${(e as Error).message})`, 'Check the permissions of the store directory.', { cause: e });
    } finally {
      rmSync(own, { force: true });
    }
    chmodSync(dirname(file), 0o700);
  }
  try {
    const privateKey = createPrivateKey(readFileSync(file));
    const publicKey = createPublicKey(privateKey);
    const id = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
    return { privateKey, publicKey, id };
  } catch (e) {
    throw new StoreError(
      file,
      `the audit key cannot be read (${(e as Error).message})`,
      'Restore the key file, or move it aside to start a new key (runs signed with the old key then fail verification).',
      { cause: e },
    );
  }
}
