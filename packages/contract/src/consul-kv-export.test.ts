import { describe, expect, it } from 'vitest';
import { catalogKeyIssue, decodeConsulKvExport, encodeConsulKvExport } from './consul-kv-export.js';
import type { SlipwayError } from './slipway-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);

const refusal = (json: string): SlipwayError => {
  try {
    decodeConsulKvExport(json);
  } catch (error) {
    return error as SlipwayError;
  }
  throw new Error('the export was accepted');
};
const issuesOf = (json: string) => (refusal(json).details?.issues ?? []) as { path: string; message: string }[];

describe('Consul KV export', () => {
  it('writes what `consul kv export` writes: tab-indented key, flags, value in base64, an empty value as ""', () => {
    expect(
      encodeConsulKvExport([
        { key: 'user1', flags: 0, value: bytes('test') },
        { key: 'empty', flags: 42, value: null },
      ]),
    ).toBe(
      '[\n\t{\n\t\t"key": "user1",\n\t\t"flags": 0,\n\t\t"value": "dGVzdA=="\n\t},\n' +
        '\t{\n\t\t"key": "empty",\n\t\t"flags": 42,\n\t\t"value": ""\n\t}\n]\n',
    );
  });

  it('reads what Consul writes, and its own output back', () => {
    const consul = '[\n\t{\n\t\t"key": "user1",\n\t\t"flags": 0,\n\t\t"value": "dGVzdA=="\n\t}\n]';
    expect(decodeConsulKvExport(consul)).toEqual([{ key: 'user1', flags: 0, value: bytes('test') }]);
    const entries = [
      { key: 'a/b', flags: 2 ** 53 - 1, value: Uint8Array.from({ length: 256 }, (_, i) => i) },
      { key: 'empty', flags: 0, value: new Uint8Array(0) },
    ];
    expect(decodeConsulKvExport(encodeConsulKvExport(entries))).toEqual(entries);
  });

  it('reads an entry without flags as flags 0, as Consul does', () => {
    expect(decodeConsulKvExport('[{"key":"k","value":""}]')).toEqual([
      { key: 'k', flags: 0, value: new Uint8Array(0) },
    ]);
  });

  it('refuses what is not JSON, or not an array', () => {
    const error = refusal('[{"key":');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/^KV export is invalid: \(root\): is not JSON/);
    expect(refusal('{"key":"k","value":""}').message).toMatch(/^KV export is invalid: \(root\): must be /);
  });

  it('names every wrong entry by its place: keys, base64, flags, duplicates, typos', () => {
    const issues = issuesOf(
      JSON.stringify([
        { key: '', flags: 0, value: '' },
        { key: '/abs', flags: 0, value: '' },
        { key: 'a/../b', flags: 0, value: '' },
        { key: 'ok', flags: -1, value: 'dGVzdA=' },
        { key: 'ok', flags: 1.5, value: '' },
        { key: 'typo', falgs: 0, value: '' },
      ]),
    );
    expect(issues).toEqual([
      { path: '0.key', message: 'must not be empty' },
      { path: '1.key', message: 'must not start with "/"' },
      { path: '2.key', message: 'must not have a ".." segment' },
      { path: '3.flags', message: 'must be at least 0, not -1' },
      { path: '3.value', message: 'must be standard base64 (A–Z, a–z, 0–9, +, /, padded with =)' },
      { path: '4.flags', message: 'must be a whole number, not 1.5' },
      { path: '5.falgs', message: 'unknown key "falgs"' },
      { path: '4.key', message: '"ok" appears twice' },
    ]);
  });

  it('refuses a value over 512 KiB', () => {
    const large = Buffer.alloc(512 * 1024 + 3).toString('base64');
    expect(issuesOf(JSON.stringify([{ key: 'big', flags: 0, value: large }]))).toEqual([
      { path: '0.value', message: 'is 524291 bytes once decoded, over the 524288 a value may have' },
    ]);
    const largest = Buffer.alloc(512 * 1024, 7).toString('base64');
    expect(decodeConsulKvExport(JSON.stringify([{ key: 'big', flags: 0, value: largest }]))[0]?.value).toHaveLength(
      512 * 1024,
    );
  });

  it('applies the catalog key rule: any non-empty key but a leading "/" or a ".." segment', () => {
    expect(catalogKeyIssue('a..b/c.d/ünï code/%2F')).toBeUndefined();
    expect(catalogKeyIssue('..')).toBe('must not have a ".." segment');
  });
});
