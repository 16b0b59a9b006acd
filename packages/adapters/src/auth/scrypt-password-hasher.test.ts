import { describe, expect, it } from 'vitest';
import { createScryptPasswordHasher } from './scrypt-password-hasher.js';

// Cheap parameters keep the suite fast; one test checks what the defaults record.
const fast = { logN: 10, r: 8, p: 1 };

describe('createScryptPasswordHasher', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const hasher = createScryptPasswordHasher(fast);
    const encoded = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify('correct horse battery staple', encoded)).toEqual({ isValid: true, needsRehash: false });
    expect(await hasher.verify('correct horse battery stapler', encoded)).toEqual({
      isValid: false,
      needsRehash: false,
    });
    expect(await hasher.verify('', encoded)).toEqual({ isValid: false, needsRehash: false });
  });

  it('records algorithm and parameters with a fresh salt in each hash', async () => {
    const hasher = createScryptPasswordHasher(fast);
    const first = await hasher.hash('same password');
    const second = await hasher.hash('same password');
    expect(first).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(second).not.toBe(first);
    expect(await createScryptPasswordHasher().hash('x')).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);
  });

  it('verifies a hash made with other parameters and asks for a rehash, only when the password is right', async () => {
    const old = await createScryptPasswordHasher({ logN: 11, r: 8, p: 1 }).hash('s3cret-pass');
    const hasher = createScryptPasswordHasher(fast);
    expect(await hasher.verify('s3cret-pass', old)).toEqual({ isValid: true, needsRehash: true });
    expect(await hasher.verify('wrong-pass', old)).toEqual({ isValid: false, needsRehash: false });
  });

  it('treats malformed, tampered and absent hashes as a mismatch, never an error', async () => {
    const hasher = createScryptPasswordHasher(fast);
    const encoded = await hasher.hash('password1');
    const parts = encoded.split('$');
    const hash = parts[5] ?? '';
    const tampered = [...parts.slice(0, 5), `${hash[0] === 'A' ? 'B' : 'A'}${hash.slice(1)}`].join('$');
    for (const bad of [
      '',
      'plain',
      '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo',
      encoded.replace('ln=10', 'ln=40'),
      encoded.replace('ln=10', 'ln=3'),
      tampered,
    ]) {
      expect(await hasher.verify('password1', bad)).toEqual({ isValid: false, needsRehash: false });
    }
    expect(await hasher.verify('password1', undefined)).toEqual({ isValid: false, needsRehash: false });
  });
});
