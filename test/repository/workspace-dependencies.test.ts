/**
 * The workspace packages' declared dependencies are the true ones: what a package imports it declares (tests may use
 * dev dependencies), what it declares it imports, no import reaches into another package's files by a relative path,
 * and the packages form no cycle — so the direction contract ← core ← adapters ← apps holds for npm as for ESLint.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

const workspaces: Workspace[] = (readManifest(join(repoRoot, 'package.json')).workspaces ?? []).map((dir) => {
  const manifest = readManifest(join(repoRoot, dir, 'package.json'));
  return {
    dir,
    name: manifest.name,
    dependencies: Object.keys(manifest.dependencies ?? {}),
    devDependencies: Object.keys(manifest.devDependencies ?? {}),
  };
});
const isWorkspaceName = (name: string): boolean => workspaces.some((w) => w.name === name);

/** Source files of a package: its TypeScript and the `.mjs` it ships (bin, assets), never node_modules or dist. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)))
    .filter((file) => !file.split(sep).some((part) => part === 'node_modules' || part === 'dist'));
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) {
    found.push(match[1] ?? '');
  }
  return found;
}

const packageOf = (specifier: string): string => specifier.split('/').slice(0, 2).join('/');
const isTestFile = (file: string): boolean => /\.test\.ts$/.test(file);

interface Use {
  readonly file: string;
  readonly target: string;
}

function workspaceUses(workspace: Workspace): Use[] {
  return sourceFiles(workspace.dir).flatMap((file) =>
    specifiersOf(file)
      .filter((s) => s.startsWith('@slipway/'))
      .map((s) => ({ file, target: packageOf(s) })),
  );
}

describe('workspace dependencies', () => {
  it('declares every workspace package a package imports (tests may use dev dependencies)', () => {
    const undeclared = workspaces.flatMap((w) =>
      workspaceUses(w)
        .filter(({ target }) => target !== w.name && isWorkspaceName(target))
        .filter(
          ({ file, target }) =>
            !w.dependencies.includes(target) && !(isTestFile(file) && w.devDependencies.includes(target)),
        )
        .map(({ file, target }) => `${file} imports ${target}, which ${w.name} does not declare`),
    );
    expect(undeclared).toEqual([]);
  });

  it('imports every workspace package it declares', () => {
    const unused = workspaces.flatMap((w) => {
      const uses = workspaceUses(w);
      return [
        ...w.dependencies
          .filter(isWorkspaceName)
          .filter((d) => !uses.some((u) => u.target === d && !isTestFile(u.file)))
          .map((d) => `${w.name} declares ${d} but no source file of it imports it`),
        ...w.devDependencies
          .filter(isWorkspaceName)
          .filter((d) => !uses.some((u) => u.target === d))
          .map((d) => `${w.name} declares the dev dependency ${d} but no file of it imports it`),
      ];
    });
    expect(unused).toEqual([]);
  });

  it('never reaches into another package by a relative path (a package exports what others use)', () => {
    const deep = workspaces.flatMap((w) =>
      sourceFiles(w.dir).flatMap((file) =>
        specifiersOf(file)
          .filter((s) => s.startsWith('.'))
          .map((s) => relative(repoRoot, resolve(repoRoot, dirname(file), s)))
          .filter((target) => workspaces.some((other) => other !== w && target.startsWith(`${other.dir}${sep}`)))
          .map((target) => `${file} imports ${target}`),
      ),
    );
    expect(deep).toEqual([]);
  });

  it('has no cycle among the packages, dev dependencies and undeclared imports included', () => {
    const edges = new Map(
      workspaces.map((w) => [
        w.name,
        [...w.dependencies, ...w.devDependencies, ...workspaceUses(w).map((u) => u.target)]
          .filter((d) => d !== w.name && isWorkspaceName(d))
          .filter((d, i, all) => all.indexOf(d) === i),
      ]),
    );
    const cycles: string[] = [];
    const visit = (name: string, path: readonly string[]): void => {
      if (path.includes(name)) {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
        return;
      }
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    };
    for (const w of workspaces) visit(w.name, []);
    expect([...new Set(cycles)]).toEqual([]);
  });
});
