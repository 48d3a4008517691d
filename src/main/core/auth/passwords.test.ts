import { describe, expect, it } from 'vitest';
import { createPasswordHasher, DEFAULT_COST } from './passwords';

describe('password hashing (scrypt)', () => {
  it('hashes with OWASP’s parameters by default (N = 2^17, r = 8, p = 1), a random salt and a 64-byte key', async () => {
    const hasher = createPasswordHasher();
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(DEFAULT_COST).toEqual({ ln: 17, r: 8, p: 1 });
    expect(a).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{86}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify('correct horse battery staple', a)).toEqual({ ok: true, stale: false });
    expect(await hasher.verify('correct horse battery stapl', a)).toEqual({ ok: false, stale: false });
  });

  it('verifies hashes of other parameters (and says they are stale), and refuses garbage without throwing', async () => {
    const cheap = createPasswordHasher({ ln: 10, r: 8, p: 1 });
    const old = await cheap.hash('pässword pässword');
    const current = createPasswordHasher({ ln: 11, r: 8, p: 1 });
    // NFC and NFD spellings of the same text are the same password.
    expect(await current.verify('pa\u0308ssword pa\u0308ssword', old)).toEqual({ ok: true, stale: true });
    for (const garbage of ['', 'plain', '$scrypt$ln=30,r=8,p=1$AAAA$AAAA', old.replace(/.$/, '')]) {
      expect(await current.verify('pässword pässword', garbage)).toEqual({ ok: false, stale: false });
    }
  });
});
