import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/actors/key-ring.ts';

describe('the runtime encrypts between actors (KeyRing.encrypt / decrypt)', () => {
  const text = '{"decision":"d1","vote":{"decision":"PostgreSQL"}}';

  it('only the recipient, with the sender named, reads it; another ring with the same secret agrees', () => {
    const ring = new KeyRing('token', 'secret');
    const box = ring.encrypt('voter_001', 'coordinator', text);
    expect(box).not.toContain('PostgreSQL');
    expect(ring.decrypt('coordinator', 'voter_001', box)).toBe(text);
    expect(new KeyRing('ed25519', 'secret').decrypt('coordinator', 'voter_001', box)).toBe(text);
    // Another recipient, another claimed sender, the other direction, another secret: nothing.
    expect(ring.decrypt('voter_002', 'voter_001', box)).toBeUndefined();
    expect(ring.decrypt('coordinator', 'voter_002', box)).toBeUndefined();
    expect(ring.decrypt('voter_001', 'coordinator', box)).toBeUndefined();
    expect(new KeyRing('token', 'other').decrypt('coordinator', 'voter_001', box)).toBeUndefined();
  });

  it('refuses any change: a flipped byte, a cut, a non-canonical encoding, a non-string', () => {
    const ring = new KeyRing('token', 'secret');
    const box = ring.encrypt('a', 'b', text);
    const raw = Buffer.from(box, 'base64');
    for (let i = 0; i < raw.length; i += 7) {
      const t = Buffer.from(raw);
      t[i] ^= 1;
      expect(ring.decrypt('b', 'a', t.toString('base64'))).toBeUndefined();
    }
    expect(ring.decrypt('b', 'a', raw.subarray(0, raw.length - 1).toString('base64'))).toBeUndefined();
    expect(ring.decrypt('b', 'a', `${box}\n`)).toBeUndefined();
    expect(ring.decrypt('b', 'a', 42)).toBeUndefined();
    expect(ring.decrypt('b', 'a', '')).toBeUndefined();
  });

  it('uses a fresh nonce per message: counter nonces in sim rings are reproducible, random ones are not', () => {
    const sim = () => new KeyRing('token', KeyRing.secretForSeed(7), 'counter');
    const a = sim();
    const first = [a.encrypt('x', 'y', text), a.encrypt('x', 'y', text)];
    expect(first[0]).not.toBe(first[1]);
    const b = sim();
    expect([b.encrypt('x', 'y', text), b.encrypt('x', 'y', text)]).toEqual(first);
    const r = new KeyRing('token', 'secret');
    expect(r.encrypt('x', 'y', text)).not.toBe(r.encrypt('x', 'y', text));
  });
});
