/**
 * What `npm start` installs and on which Node it runs: every package of the lockfile accepts the oldest Node the root
 * manifest promises (no `EBADENGINE` warning on install), and the packages running needs — installed alone by
 * `npm start` (`npm ci --omit=dev`) — include the build tool and leave out the test and lint toolchain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  engines?: Record<string, string> | string[];
}

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
};

type Version = [number, number, number];

const parseVersion = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
};

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The range forms npm packages use for `engines.node`: `>=x`, `^x`, `~x`, `x` (a major or a version), `a || b`, `>=a <b`. */
export function satisfies(version: Version, range: string): boolean {
  return range
    .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
    .split('||')
    .some((alternative) =>
      alternative
        .trim()
        .split(/\s+/)
        .filter((comparator) => comparator !== '' && comparator !== '*')
        .every((comparator) => {
          const match = /^(>=|<=|>|<|\^|~|=)?\s*v?([\d.xX*]+)$/.exec(comparator);
          if (match === null) throw new Error(`unsupported engines range "${range}"`);
          const operator = match[1] ?? '';
          const bound = parseVersion(match[2] ?? '0');
          const parts = (match[2] ?? '').split('.').filter((p) => !/^[xX*]$/.test(p)).length;
          const order = compare(version, bound);
          switch (operator) {
            case '>=':
              return order >= 0;
            case '>':
              return order > 0;
            case '<=':
              return order <= 0;
            case '<':
              return order < 0;
            case '^':
              return order >= 0 && version[0] === bound[0];
            case '~':
              return order >= 0 && version[0] === bound[0] && version[1] === bound[1];
            default:
              // A bare `20` or `20.19` is every version that starts so.
              return version.slice(0, parts).every((n, i) => n === bound[i]);
          }
        }),
    );
}

const packageName = (path: string): string => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('what npm start installs', () => {
  it('reads the engine ranges the lockfile holds', () => {
    expect(satisfies([20, 19, 0], '>=22')).toBe(false);
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies([20, 18, 0], '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies([20, 19, 0], '18 || 20 || >=22')).toBe(true);
  });

  it('installs no package that refuses the oldest Node the README and package.json promise', () => {
    const oldest = parseVersion(rootManifest.engines.node.replace(/^>=\s*/, ''));
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !Array.isArray(p.engines) && p.engines?.['node'] !== undefined)
      .filter(([, p]) => !satisfies(oldest, (p.engines as Record<string, string>)['node'] ?? '*'))
      .map(([path, p]) => `${packageName(path)}@${p.version ?? '?'} (node ${JSON.stringify(p.engines)})`);
    expect(refusing).toEqual([]);
  });

  it('installs for running the build tool and the native addon, and no test, lint or type tooling', () => {
    const forRunning = new Set(
      Object.entries(lock.packages)
        .filter(([path, p]) => path.includes('node_modules/') && p.dev !== true)
        .map(([path]) => packageName(path)),
    );
    for (const needed of ['esbuild', 'better-sqlite3', 'fastify', 'pino']) expect(forRunning).toContain(needed);
    for (const tooling of ['vitest', 'typescript', 'eslint', 'prettier', 'fast-check'])
      expect(forRunning).not.toContain(tooling);
  });
});
