import { describe, expect, it } from 'vitest';
import { createSecretMasker } from './secret-masker.js';

describe('secret masker', () => {
  it('replaces every occurrence of each value with ***', () => {
    const mask = createSecretMasker(['s3cr3t-token', 'hunter22']);
    expect(mask('token=s3cr3t-token pass=hunter22 again s3cr3t-token')).toBe('token=*** pass=*** again ***');
  });

  it('masks a value containing another value whole', () => {
    const mask = createSecretMasker(['abcd', 'xxabcdxx']);
    expect(mask('[xxabcdxx] [abcd]')).toBe('[***] [***]');
  });

  it('masks each line of a multi-line value, since output is read line by line', () => {
    const mask = createSecretMasker(['-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----']);
    expect(mask('line: MIIEvQIBADANBg')).toBe('line: ***');
    expect(mask('-----END KEY-----')).toBe('***');
  });

  it('leaves values shorter than 4 characters alone, and text without values unchanged', () => {
    const mask = createSecretMasker(['abc', '', 'x']);
    expect(mask('abc x')).toBe('abc x');
    expect(createSecretMasker([])('nothing to hide')).toBe('nothing to hide');
  });
});
