import { describe, expect, it } from 'vitest';
import { maxManifestBytes } from '@slipway/contract';
import { parseManifestYaml } from './manifest-yaml.js';

/** Nine levels of nine aliases each: 9^9 nodes once expanded ("billion laughs"). */
function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level <= 9; level += 1) {
    const previous = `*a${level - 1}`;
    lines.push(`a${level}: &a${level} [${Array.from({ length: 9 }, () => previous).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('parseManifestYaml', () => {
  it('parses a manifest, with a few aliases for shared blocks', () => {
    expect(parseManifestYaml('env: &shared\n  A: "1"\nbuild:\n  args: *shared\n')).toEqual({
      env: { A: '1' },
      build: { args: { A: '1' } },
    });
  });

  it('refuses an alias expansion bomb as an invalid manifest, at once', () => {
    expect(() => parseManifestYaml(aliasBomb())).toThrow(
      expect.objectContaining({ code: 'MANIFEST_INVALID', message: 'slipway.yaml expands more than 100 aliases' }),
    );
  });

  it('refuses a manifest over the size limit before parsing it', () => {
    const text = `env:\n${'  # padding\n'.repeat(maxManifestBytes / 10)}`;
    expect(() => parseManifestYaml(text)).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_TOO_LARGE',
        details: { file: 'slipway.yaml', maxBytes: maxManifestBytes },
      }),
    );
  });

  it('reports a syntax error with its line and column', () => {
    expect(() => parseManifestYaml('build:\n  builder: node\n    command: x\n')).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_INVALID',
        details: {
          issues: [{ path: 'line 2, column 12', message: 'Nested mappings are not allowed in compact mappings' }],
        },
      }),
    );
  });
});
